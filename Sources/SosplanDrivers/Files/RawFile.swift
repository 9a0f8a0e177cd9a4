import Glibc

/// Whole-file reads and whole-buffer writes on file descriptors, with EINTR
/// and short writes handled (what FileHandle did, without Foundation).
public enum RawFile {
    /// At most `limit` bytes of `path`; nil when it cannot be opened.
    public static func read(_ path: String, limit: Int) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        // An uninitialised buffer: zeroing 64 KiB per file cost more than
        // reading the few hundred bytes of a unit file.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64 * 1024) { chunk in
            while bytes.count < limit {
                let want = min(chunk.count, limit - bytes.count)
                let n = Glibc.read(fd, chunk.baseAddress, want)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { break }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: chunk[0..<n]))
            }
        }
        return bytes
    }

    /// Writes all of `bytes` to `fd` (false when the descriptor refuses).
    @discardableResult
    public static func writeAll<Bytes: Collection>(_ fd: Int32, _ bytes: Bytes) -> Bool where Bytes.Element == UInt8 {
        let done: Bool? = bytes.withContiguousStorageIfAvailable { write(fd, UnsafeRawBufferPointer($0)) }
        return done ?? Array(bytes).withUnsafeBytes { write(fd, $0) }
    }

    private static func write(_ fd: Int32, _ buffer: UnsafeRawBufferPointer) -> Bool {
        var offset = 0
        while offset < buffer.count {
            let n = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return false }
            offset += n
        }
        return true
    }
}
