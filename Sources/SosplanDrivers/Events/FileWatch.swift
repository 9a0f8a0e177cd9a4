import FoundationEssentials
import Glibc

/// Notices when a file is written, replaced or removed, through inotify on
/// its directory: editors that save by writing a new file and renaming it
/// over the old one (vim, sed -i, Ansible's template) replace the inode, so
/// a watch on the file itself would go quiet after the first save.
public final class FileWatch {
    public let descriptor: Int32
    /// The directory watches and the file name each one cares about.
    private var watched: [Int32: String] = [:]

    /// Watches `path`, and its target too when it is a symbolic link.
    public init(path: String) throws(SystemError) {
        let fd = inotify_init1(Int32(IN_CLOEXEC) | Int32(IN_NONBLOCK))
        guard fd >= 0 else { throw SystemError(call: "inotify_init1", path: path, errno: errno) }
        descriptor = fd
        var paths = [URL(fileURLWithPath: path).standardizedFileURL.path]
        let resolved = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        if resolved != paths[0] { paths.append(resolved) }
        let mask = UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE | IN_ATTRIB)
        for p in paths {
            let dir = PathComponents.directory(p)
            let wd = inotify_add_watch(fd, dir, mask)
            guard wd >= 0 else {
                let e = errno
                close(fd)
                throw SystemError(call: "inotify_add_watch", path: dir, errno: e)
            }
            watched[wd] = PathComponents.last(p)
        }
    }

    deinit { close(descriptor) }

    /// True when something happened to the watched file since the last
    /// call (reads every pending event without blocking).
    public func drain() -> Bool {
        var touched = false
        var buffer = [UInt8](repeating: 0, count: 8192)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return touched }
            var offset = 0
            // struct inotify_event { int wd; uint32_t mask, cookie, len; char name[]; }
            while offset + 16 <= n {
                let wd = buffer.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: Int32.self) }
                let mask = buffer.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self) }
                let length = Int(buffer.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self) })
                let nameBytes = buffer[(offset + 16)..<min(offset + 16 + length, n)].prefix { $0 != 0 }
                let name = String(decoding: nameBytes, as: UTF8.self)
                if mask & UInt32(IN_Q_OVERFLOW) != 0 || (watched[wd] != nil && name == watched[wd]) { touched = true }
                offset += 16 + length
            }
        }
    }
}
