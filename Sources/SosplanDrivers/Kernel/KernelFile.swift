import FoundationEssentials
import Glibc
import SosplanCore

/// One kernel attribute file under a root (`/` on the live machine, the
/// sandbox's simulated tree otherwise), written the way `echo V > FILE`
/// does: open without O_CREAT (a missing attribute is a kernel without the
/// feature, not a file to make), one write, errno kept for the caller.
public struct KernelFile: Sendable {
    public var path: String

    public init(root: String, _ path: String) { self.path = EnclaveToolConfiguration(root: root).hostPath(path) }

    public struct WriteError: Error, CustomStringConvertible, Sendable {
        public var error: SystemError
        public var description: String { error.description }
        /// The kernel refuses the value for this object: the file opened for
        /// writing, but the write was refused with EIO (an IRQ whose affinity
        /// the kernel manages, or that cannot move) or EPERM (an interrupt
        /// chip that will not retarget it: the disk IRQ of these Firecracker VMs).
        public var refused: Bool { error.call == "write" && (error.errno == EIO || error.errno == EPERM) }
    }

    public func write(_ value: String) throws(WriteError) {
        let fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NONBLOCK)
        if fd < 0 { throw WriteError(error: SystemError(call: "open", path: path, errno: errno)) }
        defer { close(fd) }
        let bytes = Array((value + "\n").utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        if written != bytes.count { throw WriteError(error: SystemError(call: "write", path: path, errno: written < 0 ? errno : EIO)) }
    }

    /// The file's text without surrounding whitespace (at most 64 KiB).
    public func read() -> String? { readAll(limit: 64 * 1024)?.trimmingASCIIWhitespace() }

    /// The file's text as it is (at most `limit` bytes).
    public func readAll(limit: Int = 4 << 20) -> String? {
        RawFile.read(path, limit: limit).map { String(decoding: $0, as: UTF8.self) }
    }
}

extension CPUSet {
    /// The kernel's hexadecimal mask form (`00000000,0000000f`): 32-bit
    /// groups, highest first, as `/proc/irq/default_smp_affinity` and the
    /// workqueue `cpumask` print and read it.
    public var hexMask: String {
        var groups: [UInt32] = []
        for word in rawWords {
            groups.append(UInt32(truncatingIfNeeded: word))
            groups.append(UInt32(truncatingIfNeeded: word >> 32))
        }
        while groups.count > 1, groups.last == 0 { groups.removeLast() }
        if groups.isEmpty { groups = [0] }
        return groups.reversed().map { g in
            let hex = String(g, radix: 16)
            return String(repeating: "0", count: 8 - hex.count) + hex
        }.joined(separator: ",")
    }
}
