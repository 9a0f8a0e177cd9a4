import FoundationEssentials
import Glibc
import SosplanCore

/// Persistent hugepage pools per NUMA node through sysfs under a root:
/// `node/nodeN/hugepages/hugepages-<kB>kB/nr_hugepages`. The kernel may
/// allocate fewer pages than asked (fragmented memory), so every write is
/// read back and a short pool is reported, not assumed.
public struct LinuxHugepages: Sendable {
    public var root: String

    public init(root: String) { self.root = root }

    public func path(node: Int, sizeBytes: UInt64) -> String {
        EnclaveToolConfiguration(root: root).hostPath(
            "/sys/devices/system/node/node\(node)/hugepages/hugepages-\(sizeBytes / 1024)kB/nr_hugepages")
    }

    /// The pool's size now, nil when the node has no pool of that size.
    public func count(node: Int, sizeBytes: UInt64) -> Int? {
        guard let data = FileManager.default.contents(atPath: path(node: node, sizeBytes: sizeBytes)) else { return nil }
        return Int(String(decoding: data, as: UTF8.self).trimmingASCIIWhitespace())
    }

    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// Sets the pool to `count` pages and returns whether it wrote. Throws
    /// when the file cannot be written or the kernel allocated a different
    /// number (the pool is then left as the kernel made it; the caller
    /// undoes the step).
    @discardableResult
    public func setCount(_ count: Int, node: Int, sizeBytes: UInt64) throws(Failure) -> Bool {
        let file = path(node: node, sizeBytes: sizeBytes)
        let what = "the \(ByteSize(sizeBytes)) hugepage pool of node \(node)"
        guard let current = self.count(node: node, sizeBytes: sizeBytes) else {
            throw Failure(description: "\(what) does not exist (\(file) is missing or unreadable)")
        }
        if current == count { return false }
        let fd = open(file, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NONBLOCK)
        if fd < 0 {
            throw Failure(description: "cannot change \(what): \(SystemError(call: "open", path: file, errno: errno))")
        }
        defer { close(fd) }
        let bytes = Array("\(count)\n".utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        if written != bytes.count {
            throw Failure(description: "cannot change \(what): \(SystemError(call: "write", path: file, errno: errno))")
        }
        let now = self.count(node: node, sizeBytes: sizeBytes) ?? -1
        guard now == count else {
            throw Failure(description: "the kernel made \(what) \(now) pages, not \(count) (not enough contiguous free memory?)")
        }
        return true
    }
}
