import CSystemd
import FoundationEssentials
import Glibc

/// One method call for `SDBusConnection.callMany`.
public struct DBusCall: Sendable {
    public var destination: String
    public var path: String
    public var interface: String
    public var member: String
    public var arguments: [DBusValue]
    /// For `Properties.GetAll`: decode only these properties of the reply.
    public var onlyProperties: PropertyNames?

    public init(
        destination: String = "org.freedesktop.systemd1", path: String, interface: String, member: String,
        _ arguments: [DBusValue] = [], onlyProperties: PropertyNames? = nil
    ) {
        self.destination = destination
        self.path = path
        self.interface = interface
        self.member = member
        self.arguments = arguments
        self.onlyProperties = onlyProperties
    }
}

/// Replies collected by the async callbacks of one `callMany`.
final class PendingReplies {
    var results: [Result<[DBusValue], DBusError>?]
    var outstanding = 0

    init(count: Int) { results = Array(repeating: nil, count: count) }
}

/// What one async callback needs: where to put its reply.
final class ReplySlot {
    let pending: PendingReplies
    let index: Int
    let onlyProperties: PropertyNames?

    init(_ pending: PendingReplies, _ index: Int, onlyProperties: PropertyNames?) {
        self.pending = pending
        self.index = index
        self.onlyProperties = onlyProperties
    }

    func decode(_ reply: OpaquePointer) throws(DBusError) -> [DBusValue] {
        if let onlyProperties { return try SDBusMessage.readProperties(reply, only: onlyProperties) }
        return try SDBusMessage.readAll(reply)
    }
}

extension SDBusConnection {
    /// Sends many calls without waiting for each reply (at most `window` in
    /// flight) and returns their results in order. The peer still handles them one
    /// after another; what is saved is the idle round trip per call.
    public func callMany(
        _ calls: [DBusCall], window: Int? = nil, timeout: Double? = nil
    ) throws(DBusError) -> [Result<[DBusValue], DBusError>] {
        // dbus-daemon caps pending replies per connection (128 by default);
        // PID 1's private socket has no broker and no such cap.
        let window = window ?? (isBusClient ? 64 : 256)
        let pending = PendingReplies(count: calls.count)
        let usec = UInt64((timeout ?? callTimeout) * 1_000_000)
        var next = 0
        while next < calls.count || pending.outstanding > 0 {
            while next < calls.count && pending.outstanding < window {
                try send(calls[next], slot: ReplySlot(pending, next, onlyProperties: calls[next].onlyProperties), usec: usec)
                pending.outstanding += 1
                next += 1
            }
            let r = withHandle { sd_bus_process($0, nil) }
            if r < 0 { throw DBusError(errno: r, doing: "processing replies") }
            if r > 0 { continue }
            // Each call has its own timeout; sd-bus answers a late one with an error reply.
            let w = withHandle { sd_bus_wait($0, 1_000_000) }
            if w < 0 && w != -EINTR { throw DBusError(errno: w, doing: "waiting for replies") }
        }
        return pending.results.map { $0 ?? .failure(DBusError(name: "sosplan.NoReply", message: "no reply")) }
    }

    private func send(_ call: DBusCall, slot: ReplySlot, usec: UInt64) throws(DBusError) {
        countSent(call.member)
        let r: Int32 = try withHandle { (bus: OpaquePointer) throws(DBusError) -> Int32 in
            var message: OpaquePointer?
            let made = sd_bus_message_new_method_call(bus, &message, call.destination, call.path, call.interface, call.member)
            guard made >= 0, let m = message else { throw DBusError(errno: made, doing: "building \(call.member)") }
            defer { sd_bus_message_unref(m) }
            for argument in call.arguments { try SDBusMessage.append(argument, to: m) }
            let context = Unmanaged.passRetained(slot).toOpaque()
            // A NULL slot is "floating": sd-bus frees it after the reply callback.
            let sent = sd_bus_call_async(bus, nil, m, { reply, userdata, _ in
                guard let userdata else { return 0 }
                let slot = Unmanaged<ReplySlot>.fromOpaque(userdata).takeRetainedValue()
                slot.pending.outstanding -= 1
                guard let reply else {
                    slot.pending.results[slot.index] = .failure(DBusError(name: "sosplan.NoReply", message: "no reply"))
                    return 0
                }
                if sd_bus_message_is_method_error(reply, nil) > 0 {
                    let e = sd_bus_message_get_error(reply)
                    let name = e?.pointee.name.map { String(cString: $0) } ?? "sosplan.UnknownError"
                    let text = e?.pointee.message.map { String(cString: $0) } ?? name
                    slot.pending.results[slot.index] = .failure(DBusError(name: name, message: text, errno: sd_bus_message_get_errno(reply)))
                } else {
                    do throws(DBusError) {
                        slot.pending.results[slot.index] = .success(try slot.decode(reply))
                    } catch {
                        slot.pending.results[slot.index] = .failure(error)
                    }
                }
                return 0
            }, context, usec)
            if sent < 0 { Unmanaged<ReplySlot>.fromOpaque(context).release() }
            return sent
        }
        if r < 0 { throw DBusError(errno: r, doing: "sending \(call.member)") }
    }
}
