import Foundation

/// Reads user files (layouts, snapshots, plans) for Core, which never touches paths. `-` is standard
/// input. Errors carry the system's reason (`No such file or directory`).
public enum InputFile {
    /// Reading stops after this many bytes so that a device or a huge file
    /// cannot exhaust memory; Core rejects anything over 1 MiB anyway.
    public static let readLimit = 64 << 20

    public struct ReadError: Error, CustomStringConvertible, Sendable {
        public var reason: String
        public var description: String { "cannot read: \(reason)" }
    }

    /// The name diagnostics use for `path`.
    public static func displayName(_ path: String) -> String { path == "-" ? "<stdin>" : path }

    public static func read(_ path: String) -> Result<[UInt8], ReadError> {
        let fd = path == "-" ? dup(STDIN_FILENO) : open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return .failure(ReadError(reason: String(cString: strerror(errno)))) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while bytes.count <= readLimit {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n == 0 { break }
            if n < 0 {
                if errno == EINTR { continue }
                return .failure(ReadError(reason: String(cString: strerror(errno))))
            }
            bytes += chunk[..<n]
        }
        return .success(bytes)
    }
}
