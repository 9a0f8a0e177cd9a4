import FoundationEssentials
import Glibc
import SosplanCore

/// Reads user files (layouts, snapshots, plans) for Core, which never touches paths. `-` is standard
/// input. Only regular files are read: a directory, a FIFO, a socket or a
/// device (`/dev/zero`) given as a file is refused at once, before a read
/// could block or never end, and no more than `limit` bytes are ever read.
/// Errors carry the system's reason (`No such file or directory`).
public enum InputFile {
    /// Saved snapshots and plans: a 65,536-CPU host's snapshot is about
    /// 10 MiB.
    public static let jsonLimit = 16 << 20

    public enum ReadError: Error, CustomStringConvertible, Sendable {
        case system(String)
        case notAFile(String, hint: String)
        /// Larger than the limit; the size when the file says it (nil for a pipe).
        case tooLarge(Int?, limit: Int)

        public var description: String { "cannot read: \(reason)" }

        /// Why, without "cannot read".
        public var reason: String {
            switch self {
            case .system(let reason): return reason
            case .notAFile(let what, _): return "it is \(what), not a regular file"
            case .tooLarge(let size, let limit):
                return "\(size.map { "it is \($0) bytes" } ?? "it holds more than \(limit) bytes"); at most \(limit) bytes are read"
            }
        }

        public var hints: [String] {
            if case .notAFile(_, let hint) = self { return [hint] }
            return []
        }
    }

    /// The name diagnostics use for `path`.
    public static func displayName(_ path: String) -> String { path == "-" ? "<stdin>" : path }

    /// `limit` defaults to what a layout may hold.
    public static func read(_ path: String, limit: Int = YAMLParser.maximumBytes) -> Result<[UInt8], ReadError> {
        // O_NONBLOCK: opening a FIFO without a writer must not wait for one.
        let fd = path == "-" ? dup(STDIN_FILENO) : open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        guard fd >= 0 else {
            let reason = String(cString: strerror(errno))
            return .failure(.system(errno == ELOOP ? "a loop of symbolic links (\(reason))" : reason))
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { return .failure(.system(String(cString: strerror(errno)))) }
        if path != "-" {
            switch st.st_mode & S_IFMT {
            case S_IFREG: break
            case S_IFDIR: return .failure(.notAFile("a directory", hint: "name a file in it, e.g. '\(path)/host.yaml'"))
            case S_IFIFO:
                return .failure(.notAFile("a FIFO (named pipe)", hint: "to read from a pipe, give '-' and redirect standard input"))
            case S_IFSOCK: return .failure(.notAFile("a socket", hint: "give a file"))
            default: return .failure(.notAFile("a device", hint: "give a file"))
            }
            if Int(st.st_size) > limit { return .failure(.tooLarge(Int(st.st_size), limit: limit)) }
        }
        switch readAll(fd, limit: limit) {
        case .failure(let e): return .failure(.system(e.reason))
        case .success(let bytes):
            if bytes.count > limit { return .failure(.tooLarge(path == "-" ? nil : bytes.count, limit: limit)) }
            return .success(bytes)
        }
    }

    /// Reads `fd` to its end, but never more than `limit` + 1 bytes (more
    /// than `limit` means too large); the error is the errno of a failed read.
    public static func readAll(_ fd: Int32, limit: Int) -> Result<[UInt8], ReadFailure> {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while bytes.count <= limit {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n == 0 { break }
            if n < 0 {
                if errno == EINTR { continue }
                return .failure(ReadFailure(errno: errno))
            }
            bytes += chunk[..<n]
        }
        return .success(bytes)
    }

    /// A `read` that failed, with its errno.
    public struct ReadFailure: Error, Sendable {
        public var errno: Int32
        public var reason: String { String(cString: strerror(errno)) }
    }

    /// A layout's bytes, or the diagnostic that says why there are none:
    /// a file over the layout limit gets Core's own message for it.
    public static func readLayout(_ path: String) -> Result<[UInt8], Diagnostic> {
        let name = displayName(path)
        switch read(path, limit: YAMLParser.maximumBytes) {
        case .success(let bytes): return .success(bytes)
        case .failure(.tooLarge(let size, _)): return .failure(YAMLParser.tooLarge(size, file: name))
        case .failure(let e): return .failure(.error(e.description, file: name, at: nil, hints: e.hints))
        }
    }
}
