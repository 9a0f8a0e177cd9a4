import FoundationEssentials
import Glibc
import SosplanCore

/// Reads sosplan's own state files (the journal, `applied.json`,
/// `installed.json`) as the untrusted input they are: a crash, a full disk,
/// a careless edit or another program can leave anything there. Only a
/// regular file is read (a FIFO, a directory, a device such as `/dev/zero`
/// or a symbolic link is refused at once, before a read could block or
/// never end) and no more than its limit. A file that is not there is
/// `nil`; anything else that is wrong is a `Damage` naming the file, what
/// is wrong and what to do, so that a damaged file never reads as "never
/// applied" or "no interrupted apply".
public enum StateFileReader {
    public struct Damage: Error, CustomStringConvertible, Sendable, Equatable {
        public var path: String
        public var problem: String
        /// What the operator should do about it.
        public var remedy: String

        public init(path: String, problem: String, remedy: String) {
            self.path = path
            self.problem = problem
            self.remedy = remedy
        }

        public var description: String {
            "\(ControlCharacters.escaped(path)) is damaged: \(ControlCharacters.shown(problem, limit: 300))"
        }

        /// The message and the remedy, for a `hint:` line or a log.
        public var withRemedy: String { "\(description); \(remedy)" }
    }

    /// The journal and the applied state hold a plan and a snapshot or two
    /// (a 65,536-CPU host's snapshot is about 10 MiB).
    public static let recordLimit = 64 << 20
    /// The install manifest names a handful of files.
    public static let manifestLimit = 1 << 20

    /// The bytes of `path`; nil when there is no such file.
    public static func read(_ path: String, limit: Int, remedy: String) throws(Damage) -> [UInt8]? {
        func damage(_ problem: String) -> Damage { Damage(path: path, problem: problem, remedy: remedy) }
        // O_NOFOLLOW: a link put in place of a state file is not followed;
        // O_NONBLOCK: opening a FIFO without a writer does not wait for one.
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY | O_NOFOLLOW)
        guard fd >= 0 else {
            let e = errno
            switch e {
            case ENOENT: return nil
            case ELOOP: throw damage("it is a symbolic link, not a regular file")
            default: throw damage("it cannot be opened (\(String(cString: strerror(e))))")
            }
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw damage("it cannot be examined (\(String(cString: strerror(errno))))") }
        switch st.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: throw damage("it is a directory, not a regular file")
        case S_IFIFO: throw damage("it is a FIFO (named pipe), not a regular file")
        case S_IFSOCK: throw damage("it is a socket, not a regular file")
        default: throw damage("it is a device, not a regular file")
        }
        if Int(st.st_size) > limit { throw damage("it is \(st.st_size) bytes; sosplan writes at most \(limit) bytes there") }
        switch InputFile.readAll(fd, limit: limit) {
        case .failure(let e): throw damage("it cannot be read (\(e.reason))")
        case .success(let bytes):
            if bytes.count > limit { throw damage("it grew past \(limit) bytes while being read") }
            return bytes
        }
    }
}
