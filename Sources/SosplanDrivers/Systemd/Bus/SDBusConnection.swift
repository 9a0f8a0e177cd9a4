import CSystemd
import FoundationEssentials
import Glibc

/// The one owner of an `sd_bus*` handle: opens it, makes method calls with
/// Swift values in and out, waits for systemd's jobs, and closes it.
///
/// sd-bus is not thread-safe and the handle (an `OpaquePointer`) is not
/// `Sendable`, so this class is deliberately not `Sendable`: create it, use
/// it and drop it on one thread. No variadic sd-bus function is used (Swift
/// cannot call them); messages are built with `append_basic`,
/// `open_container` and `append_array` and read with `peek_type`,
/// `read_basic`, `enter_container` and `read_array`.
public final class SDBusConnection {
    /// Where the connection goes, for messages (`unix:path=...`).
    public let address: String
    /// False for a direct (peer-to-peer) link to PID 1's private socket.
    public let isBusClient: Bool
    /// Timeout for ordinary calls (seconds).
    public var callTimeout: Double = 25
    /// Method calls sent, by member name (`SetUnitProperties`, `Reload`,
    /// `GetAll`...): lets apply prove that an apply with nothing to do
    /// changed nothing.
    public private(set) var sentCalls: [String: Int] = [:]

    private let bus: OpaquePointer
    let jobs = JobTracker()
    var jobSlot: OpaquePointer?

    /// PID 1's private socket, which root may use directly (as systemctl does).
    public static let privateSocket = "/run/systemd/private"

    /// Connects to `address`, or with `address == nil` the way systemctl
    /// does: as root, straight to PID 1's private socket (no dbus-daemon hop,
    /// and it works while dbus-daemon is down), falling back to the system bus;
    /// `$DBUS_SYSTEM_BUS_ADDRESS`, when set, always wins. An address whose
    /// path ends in `/systemd/private` is a direct connection without the
    /// bus `Hello`.
    public init(address: String?) throws(SystemdError) {
        // libsystemd is opened here, on first use, not at exec.
        if let reason = sosplan_systemd_load_error() {
            throw .busUnavailable(address: address ?? "the system bus", reason: String(cString: reason))
        }
        if let address {
            (bus, isBusClient) = try Self.open(address)
            self.address = address
            return
        }
        let env = ProcessInfo.processInfo.environment["DBUS_SYSTEM_BUS_ADDRESS"]
        if env == nil, geteuid() == 0, Self.isSocket(Self.privateSocket),
            let direct = try? Self.open("unix:path=\(Self.privateSocket)"), Self.answers(direct.0)
        {
            (bus, isBusClient) = direct
            self.address = "unix:path=\(Self.privateSocket)"
            return
        }
        self.address = env ?? "unix:path=/run/dbus/system_bus_socket"
        isBusClient = true
        var handle: OpaquePointer?
        let r = sd_bus_open_system(&handle)
        guard r >= 0, let h = handle else { throw Self.unavailable(self.address, r) }
        bus = h
    }

    private static func open(_ address: String) throws(SystemdError) -> (OpaquePointer, Bool) {
        let busClient = !address.hasSuffix("/systemd/private")
        var handle: OpaquePointer?
        var r = sd_bus_new(&handle)
        guard r >= 0, let h = handle else { throw unavailable(address, r) }
        r = sd_bus_set_address(h, address)
        if r >= 0 { r = sd_bus_set_bus_client(h, busClient ? 1 : 0) }
        if r >= 0 { _ = sd_bus_set_description(h, "sosplan") }
        if r >= 0 { r = sd_bus_start(h) }
        guard r >= 0 else {
            sd_bus_flush_close_unref(h)
            throw unavailable(address, r)
        }
        return (h, busClient)
    }

    private static func isSocket(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFSOCK
    }

    /// True when the peer answers a trivial call (a private socket in another
    /// pid namespace accepts the connection but then drops it); closes the
    /// handle when it does not.
    private static func answers(_ bus: OpaquePointer) -> Bool {
        var message: OpaquePointer?
        var error = sd_bus_error()
        defer { sd_bus_error_free(&error) }
        guard sd_bus_message_new_method_call(bus, &message, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                             "org.freedesktop.DBus.Peer", "Ping") >= 0, let m = message
        else { sd_bus_flush_close_unref(bus); return false }
        defer { sd_bus_message_unref(m) }
        var reply: OpaquePointer?
        let r = sd_bus_call(bus, m, 5_000_000, &error, &reply)
        if let reply { sd_bus_message_unref(reply) }
        if r < 0 { sd_bus_flush_close_unref(bus) }
        return r >= 0
    }

    deinit {
        if let jobSlot { sd_bus_slot_unref(jobSlot) }
        sd_bus_flush_close_unref(bus)
    }

    private static func unavailable(_ address: String, _ r: Int32) -> SystemdError {
        .busUnavailable(address: address, reason: "\(String(cString: strerror(-r))) (errno \(-r))")
    }

    /// Calls `interface.member` on `path` of `destination` and returns the
    /// reply's values. Throws `DBusError` with the reply's error name.
    public func call(
        destination: String = "org.freedesktop.systemd1", path: String, interface: String, member: String,
        _ arguments: [DBusValue] = [], timeout: Double? = nil
    ) throws(DBusError) -> [DBusValue] {
        var message: OpaquePointer?
        var r = sd_bus_message_new_method_call(bus, &message, destination, path, interface, member)
        guard r >= 0, let m = message else { throw DBusError(errno: r, doing: "building \(member)") }
        defer { sd_bus_message_unref(m) }
        for argument in arguments { try SDBusMessage.append(argument, to: m) }
        countSent(member)
        var error = sd_bus_error()
        defer { sd_bus_error_free(&error) }
        var reply: OpaquePointer?
        let usec = UInt64((timeout ?? callTimeout) * 1_000_000)
        r = sd_bus_call(bus, m, usec, &error, &reply)
        defer { if let reply { sd_bus_message_unref(reply) } }
        guard r >= 0, let reply else {
            let name = error.name.map { String(cString: $0) } ?? "System.Error.\(-r)"
            let text = error.message.map { String(cString: $0) } ?? String(cString: strerror(-r))
            throw DBusError(name: name, message: text, errno: -r)
        }
        let values = try SDBusMessage.readAll(reply)
        if !isBusClient { try drainQueue() }
        return values
    }

    /// `org.freedesktop.DBus.Properties.Get`.
    public func property(path: String, interface: String, name: String) throws(DBusError) -> DBusValue {
        let reply = try call(
            path: path, interface: "org.freedesktop.DBus.Properties", member: "Get",
            [.string(interface), .string(name)])
        guard let value = reply.first else { throw DBusError(name: "sosplan.EmptyReply", message: "Get \(name): empty reply") }
        return value.unwrapped
    }

    /// `org.freedesktop.DBus.Properties.GetAll` as a dictionary.
    public func allProperties(path: String, interface: String) throws(DBusError) -> [String: DBusValue] {
        let reply = try call(
            path: path, interface: "org.freedesktop.DBus.Properties", member: "GetAll", [.string(interface)])
        guard let dict = reply.first?.propertyDictionary else {
            throw DBusError(name: "sosplan.UnexpectedReply", message: "GetAll \(interface): not an a{sv}")
        }
        return dict
    }

    /// Handles queued incoming messages (signals) so they do not pile up.
    func drainQueue() throws(DBusError) {
        while true {
            let r = sd_bus_process(bus, nil)
            if r < 0 { throw DBusError(errno: r, doing: "processing the bus") }
            if r == 0 { return }
        }
    }

    /// Runs `body` with the raw handle; only for this type's extensions.
    func countSent(_ member: String) { sentCalls[member, default: 0] += 1 }

    /// Calls that can change systemd's state (everything but reads).
    public static let mutatingMembers: Set<String> = [
        "SetUnitProperties", "StartUnit", "StopUnit", "RestartUnit", "TryRestartUnit", "ReloadUnit", "ReloadOrRestartUnit",
        "Reload", "Reexecute", "EnableUnitFiles", "DisableUnitFiles", "ResetFailed", "ResetFailedUnit", "KillUnit",
        "StartTransientUnit", "Set",
    ]

    /// Mutating calls sent so far over this connection.
    public var mutatingCallCount: Int {
        sentCalls.filter { Self.mutatingMembers.contains($0.key) }.values.reduce(0, +)
    }

    func withHandle<T, E: Error>(_ body: (OpaquePointer) throws(E) -> T) throws(E) -> T { try body(bus) }
}

extension DBusError {
    /// A local sd-bus failure (negative errno `r`).
    init(errno r: Int32, doing what: String) {
        self.init(
            name: "System.Error.\(-r)", message: "\(what): \(String(cString: strerror(-r)))", errno: -r)
    }
}
