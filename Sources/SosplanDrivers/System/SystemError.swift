import FoundationEssentials
import Glibc

/// A failed system call, naming the call, the path and the errno.
public struct SystemError: Error, CustomStringConvertible, Sendable, Equatable {
    public var call: String
    public var path: String?
    public var errno: Int32

    public init(call: String, path: String? = nil, errno: Int32) {
        self.call = call
        self.path = path
        self.errno = errno
    }

    public var description: String {
        let reason = String(cString: strerror(errno))
        return "\(call)\(path.map { " \($0)" } ?? ""): \(reason) (errno \(errno))"
    }
}
