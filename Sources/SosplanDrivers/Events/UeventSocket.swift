import FoundationEssentials
import Glibc
import SosplanCore

/// Where hotplug uevents come from: the kernel's netlink broadcast
/// (`NETLINK_KOBJECT_UEVENT`, group 1: no udevd needed, which the lab and
/// containers lack), or, in the sandbox, a datagram socket the simulated
/// kernel sends the same messages to.
public final class UeventSocket {
    public let descriptor: Int32
    /// The socket file (sandbox), removed on close.
    public let path: String?

    public enum Received: Sendable, Hashable {
        case event(Uevent)
        /// The receive buffer overflowed (ENOBUFS): events were lost.
        case overflow
    }

    /// Joins the kernel's uevent multicast group.
    public static func kernel() throws(SystemError) -> UeventSocket {
        let fd = socket(AF_NETLINK, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 15 /* NETLINK_KOBJECT_UEVENT */)
        guard fd >= 0 else { throw SystemError(call: "socket(AF_NETLINK)", path: "uevents", errno: errno) }
        // struct sockaddr_nl { sa_family_t nl_family; unsigned short nl_pad; __u32 nl_pid; __u32 nl_groups; }
        var address = NetlinkAddress(family: UInt16(AF_NETLINK), pad: 0, pid: 0, groups: 1)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<NetlinkAddress>.size)) }
        }
        guard bound == 0 else {
            let e = errno
            close(fd)
            throw SystemError(call: "bind(NETLINK_KOBJECT_UEVENT)", path: "uevents", errno: e)
        }
        // A burst (SMT off on a big host, a co-kernel taking 200 CPUs) must not overflow.
        var size: Int32 = 8 << 20
        if setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, socklen_t(MemoryLayout<Int32>.size)) != 0 {
            _ = setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        return UeventSocket(descriptor: fd, path: nil)
    }

    /// Listens on a datagram socket at `path` (the sandbox's kernel).
    public static func listening(at path: String) throws(SystemError) -> UeventSocket {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard bytes.count < capacity else { throw SystemError(call: "bind", path: path, errno: ENAMETOOLONG) }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
            raw[bytes.count] = 0
        }
        try? FileManager.default.createDirectory(atPath: PathComponents.directory(path), withIntermediateDirectories: true)
        unlink(path)
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { throw SystemError(call: "socket(AF_UNIX)", path: path, errno: errno) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0 else {
            let e = errno
            close(fd)
            throw SystemError(call: "bind", path: path, errno: e)
        }
        chmod(path, 0o600)
        return UeventSocket(descriptor: fd, path: path)
    }

    init(descriptor: Int32, path: String?) {
        self.descriptor = descriptor
        self.path = path
    }

    deinit {
        close(descriptor)
        if let path { unlink(path) }
    }

    /// Everything waiting on the socket, without blocking.
    public func drain() -> [Received] {
        var out: [Received] = []
        var buffer = [UInt8](repeating: 0, count: 16384)
        while true {
            var from = NetlinkAddress(family: 0, pad: 0, pid: 0, groups: 0)
            var fromLength = socklen_t(MemoryLayout<NetlinkAddress>.size)
            let n = buffer.withUnsafeMutableBytes { raw in
                withUnsafeMutablePointer(to: &from) { address in
                    address.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                        withUnsafeMutablePointer(to: &fromLength) { length in
                            recvfrom(descriptor, raw.baseAddress, raw.count, Int32(MSG_DONTWAIT), sa, length)
                        }
                    }
                }
            }
            if n < 0 {
                if errno == EINTR { continue }
                if errno == ENOBUFS { out.append(.overflow); continue }
                return out
            }
            // Only the kernel (port id 0) speaks on the netlink group.
            if path == nil && from.pid != 0 { continue }
            if let event = Uevent.parse(buffer[0..<n]) { out.append(.event(event)) }
        }
    }

    /// Sends a uevent to a sandbox socket (what the simulated kernel does);
    /// false when nobody listens.
    @discardableResult
    public static func send(_ event: Uevent, to path: String) -> Bool {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
            raw[bytes.count] = 0
        }
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        let message = event.kernelMessage
        let sent = message.withUnsafeBytes { raw in
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, raw.baseAddress, raw.count, 0, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            }
        }
        return sent == message.count
    }
}

/// `struct sockaddr_nl`, laid out as in <linux/netlink.h> (12 bytes).
struct NetlinkAddress {
    var family: UInt16
    var pad: UInt16
    var pid: UInt32
    var groups: UInt32
}
