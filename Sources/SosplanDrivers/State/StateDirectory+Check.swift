import FoundationEssentials
import Glibc
import SosplanCore

/// Why a state directory is not used for writing.
public struct StateDirectoryRefusal: Error, CustomStringConvertible, Sendable, Equatable {
    public var path: String
    public var reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String {
        "refusing the state directory \(ControlCharacters.escaped(path)): \(reason)"
    }

    public var hint: String {
        "give --state-dir (or SOSPLAN_STATE_DIR) a directory of its own, owned by root, e.g. \(StateDirectory.defaultPath)"
    }
}

extension StateDirectory {
    /// Checked before anything is written through the state directory (the
    /// lock, the journal, the records, the caches): it must be a real
    /// directory, or not exist yet (it is then made). A symbolic link there
    /// would send the root-owned journal and records wherever it points, and
    /// a file there is not sosplan's.
    public func checkWritable() throws(StateDirectoryRefusal) {
        let path = url.path
        var st = stat()
        guard lstat(path, &st) == 0 else {
            let e = errno
            if e == ENOENT { return }
            throw StateDirectoryRefusal(path: path, reason: "it cannot be examined (\(String(cString: strerror(e))))")
        }
        switch st.st_mode & S_IFMT {
        case S_IFDIR: return
        case S_IFLNK:
            let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: path)).map { " (to \(ControlCharacters.escaped($0)))" } ?? ""
            throw StateDirectoryRefusal(path: path, reason: "it is a symbolic link\(target); sosplan writes only into a real directory")
        case S_IFREG: throw StateDirectoryRefusal(path: path, reason: "it is a file, not a directory")
        default: throw StateDirectoryRefusal(path: path, reason: "it is not a directory")
        }
    }
}
