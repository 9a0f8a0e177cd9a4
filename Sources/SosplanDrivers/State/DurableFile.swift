import FoundationEssentials
import Glibc

/// Files that survive a crash or power loss at any instant: whole-file
/// replacement by write + fsync + rename + fsync of the directory, and an
/// append-only log whose every record is fsynced before the call returns
/// (the apply journal). A reader sees either the old file or the new one,
/// and a log's last line is either complete or absent.
public enum DurableFile {
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var description: String
        /// The call that failed (`open`, `write`, `fsync`, `rename`...), on which path, and its errno.
        public var call: String
        public var path: String
        public var code: Int32

        init(_ call: String, _ path: String, _ e: Int32) {
            description = SystemError(call: call, path: path, errno: e).description
            self.call = call
            self.path = path
            code = e
        }
    }

    /// Replaces `path` with `bytes` atomically and durably: written to a
    /// temporary file beside it (a dot file, which systemd and the
    /// textfile collector ignore) with `mode`, fsynced, renamed over
    /// `path`, and the directory fsynced. The one writer of sosplan's files.
    public static func replace(_ path: String, with bytes: [UInt8], mode: mode_t = 0o644) throws(Failure) {
        var directories = Set<String>()
        try replace(path, with: bytes, mode: mode, directoriesToSync: &directories)
        try syncDirectories(directories)
    }

    /// `replace` without the directory's fsync, which is added to
    /// `directoriesToSync`: many files in one directory (a batch of unit
    /// files) then cost one `syncDirectories`, made before anything reads them.
    public static func replace(
        _ path: String, with bytes: [UInt8], mode: mode_t = 0o644, directoriesToSync: inout Set<String>
    ) throws(Failure) {
        let dir = PathComponents.directory(path)
        if access(dir, F_OK) != 0 {
            try makeDirectory(dir)
            // A new directory is an entry in its parent.
            directoriesToSync.insert(PathComponents.directory(dir))
        }
        let temporary = "\(dir)/.\(PathComponents.last(path)).tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode)
        guard fd >= 0 else { throw Failure("open", temporary, errno) }
        do throws(Failure) {
            try writeAll(fd, bytes, path: temporary)
            // The mode asked for, whatever the umask.
            guard fchmod(fd, mode) == 0 else { throw Failure("fchmod", temporary, errno) }
            guard fsync(fd) == 0 else { throw Failure("fsync", temporary, errno) }
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
        close(fd)
        guard rename(temporary, path) == 0 else {
            let e = errno
            unlink(temporary)
            throw Failure("rename", path, e)
        }
        directoriesToSync.insert(dir)
    }

    /// Fsyncs each directory (the renames and removals in them are on disk
    /// when this returns). One removed since (an emptied drop-in directory)
    /// is skipped: its parent holds the change.
    public static func syncDirectories(_ directories: Set<String>) throws(Failure) {
        for dir in directories.sorted() {
            do { try syncDirectory(dir) } catch where error.call == "open" && error.code == ENOENT { continue }
        }
    }

    /// Renames durably (the directory entry is on disk when this returns).
    public static func move(_ from: String, to: String) throws(Failure) {
        guard rename(from, to) == 0 else { throw Failure("rename", from, errno) }
        try syncDirectory(PathComponents.directory(to))
    }

    public static func makeDirectory(_ dir: String) throws(Failure) {
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        } catch {
            throw Failure("mkdir", dir, EACCES)
        }
    }

    static func syncDirectory(_ dir: String) throws(Failure) {
        let fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw Failure("open", dir, errno) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw Failure("fsync", dir, errno) }
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(Failure) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, bytes.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                throw Failure("write", path, errno)
            }
            offset += n
        }
    }
}

/// An append-only file of lines, each fsynced before `append` returns.
public final class DurableLog {
    public let path: String
    private let fd: Int32

    /// Opens (creating) `path` for appending.
    public init(path: String) throws(DurableFile.Failure) {
        self.path = path
        try DurableFile.makeDirectory(PathComponents.directory(path))
        let created = !FileManager.default.fileExists(atPath: path)
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw DurableFile.Failure("open", path, errno) }
        if created { try DurableFile.syncDirectory(PathComponents.directory(path)) }
    }

    deinit { close(fd) }

    /// Appends one line (a newline is added) and fsyncs.
    public func append(_ line: String) throws(DurableFile.Failure) {
        try DurableFile.writeAll(fd, Array((line + "\n").utf8), path: path)
        guard fdatasync(fd) == 0 else { throw DurableFile.Failure("fdatasync", path, errno) }
    }

    /// The complete lines of `path` (a torn last line, from a crash in the
    /// middle of a write, is dropped).
    public static func lines(of path: String) -> [String]? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        var text = String(decoding: data, as: UTF8.self)
        if !text.hasSuffix("\n"), let cut = text.lastIndex(of: "\n") {
            text = String(text[...cut])
        } else if !text.hasSuffix("\n") {
            return []
        }
        return text.split(separator: "\n").map(String.init)
    }
}
