import Glibc
import SosplanCore

/// Reads the small text files and directories of `/sys` and `/proc` below a
/// filesystem root: `/` on the live machine, or a snapshot folder.
///
/// Paths are relative to the root (`sys/devices/system/cpu/online`) and are
/// opened with `openat` on a descriptor of the root, as hwloc does, so a
/// snapshot folder reads exactly like the real root. Every read is
/// best-effort: a missing or unreadable file is `nil`, never an error,
/// because sysfs differs between kernels and the probe degrades instead.
/// Not thread-safe: one reader per probe run.
final class SysfsReader {
    let root: String
    private let rootFD: Int32
    private var buffer = [UInt8](repeating: 0, count: 16 * 1024)

    /// Directories most paths lie below, opened once: a path
    /// below one is looked up from there, not from the root. The kernel's
    /// lookup of each path component was most of a 256-CPU probe's time,
    /// and `sys/devices/system/cpu/` is four of a CPU file's seven. A base
    /// that cannot be opened is -1 and its paths go from the root.
    private var bases: [(prefix: [UInt8], fd: Int32)] = []
    static let basePrefixes = ["sys/devices/system/cpu/", "sys/devices/system/node/", "sys/devices/system/memory/"]

    /// Opens `root`; throws when it is not a readable directory.
    init(root: String) throws {
        self.root = root
        let fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw SystemError(call: "open", path: root, errno: errno) }
        rootFD = fd
        for prefix in Self.basePrefixes {
            bases.append((Array(prefix.utf8), openat(fd, String(prefix.dropLast()), O_RDONLY | O_DIRECTORY | O_CLOEXEC)))
        }
    }

    deinit {
        for base in bases where base.fd >= 0 { close(base.fd) }
        close(rootFD)
    }

    /// Calls `body` with the directory descriptor and the relative C path
    /// `path` is opened with: the rest of it below a base, or all of it
    /// below the root. No copy of the path is made.
    private func at<T>(_ path: String, _ body: (Int32, UnsafePointer<CChar>) -> T) -> T {
        path.withCString { c in
            for base in bases where base.fd >= 0 && path.utf8.count > base.prefix.count {
                let matches = base.prefix.withUnsafeBufferPointer { prefix in
                    memcmp(c, prefix.baseAddress!, prefix.count) == 0
                }
                if matches { return body(base.fd, c + base.prefix.count) }
            }
            return body(rootFD, c)
        }
    }

    /// Reads a file into the buffer; the length up to the first NUL (hwloc's
    /// test snapshots pad some files with NULs), or nil when it cannot be
    /// read. Reads at most 1 MiB.
    ///
    /// open + read + close per file: what it is (`fstat`) is asked only when
    /// the read looks unlike a sysfs file, empty or filling the buffer, which
    /// is where a FIFO or a device stands in for one (`/dev/zero`).
    private func load(_ path: String) -> Int? {
        // O_NONBLOCK: a FIFO or a device where a damaged snapshot should
        // have a file must not block or never end.
        let fd = at(path) { openat($0, $1, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY) }
        guard fd >= 0 else {
            lastOpenErrno = errno
            return nil
        }
        lastOpenErrno = 0
        defer { close(fd) }
        var checked = false
        func isRegular() -> Bool {
            checked = true
            var st = stat()
            return fstat(fd, &st) == 0 && st.st_mode & S_IFMT == S_IFREG
        }
        var length = 0
        while length < 1 << 20 {
            if length == buffer.count {
                guard checked || isRegular() else { return nil }
                buffer += [UInt8](repeating: 0, count: buffer.count)
            }
            let n = buffer.withUnsafeMutableBytes { raw in
                read(fd, raw.baseAddress! + length, raw.count - length)
            }
            if n < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if n == 0 { break }
            length += n
            // A regular file that returns less than asked for is at its end
            // (sysfs and seq_file fill the buffer): no second read for EOF.
            if length < buffer.count { break }
        }
        guard length > 0 || checked || isRegular() else { return nil }
        return buffer[0..<length].firstIndex(of: 0) ?? length
    }

    /// errno of the last open that failed, 0 after one that succeeded.
    private var lastOpenErrno: Int32 = 0

    /// Whether `path`, just read and found unreadable, exists: a failed open
    /// already said ENOENT or ENOTDIR for most such files, so the
    /// `faccessat` is made only when it did not.
    func existsAfterFailedRead(_ path: String) -> Bool { !lastOpenWasMissing && exists(path) }

    /// The last open failed because there is no such file.
    private var lastOpenWasMissing: Bool { lastOpenErrno == ENOENT || lastOpenErrno == ENOTDIR }

    private func parse<T>(_ path: String, _ body: (SysfsParse.Bytes) -> T?) -> T? {
        guard let length = load(path) else { return nil }
        return buffer.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[0..<length])) }
    }

    /// The file's text, or nil when it cannot be read.
    func text(_ path: String) -> String? { parse(path) { String(decoding: $0, as: UTF8.self) } }

    /// The file's text without surrounding whitespace.
    func trimmed(_ path: String) -> String? {
        parse(path) { String(decoding: UnsafeBufferPointer(rebasing: SysfsParse.trim($0)), as: UTF8.self) }
    }

    /// A row of decimal integers within `range` (a node's `distance`): nil
    /// when the file cannot be read, empty when it holds anything else.
    func row(_ path: String, within range: ClosedRange<Int>) -> [Int]? {
        parse(path) { SysfsParse.row($0, within: range) ?? [] }
    }

    /// A decimal integer file (`core_id`, `nr_hugepages`); nil if missing or not a number.
    func int(_ path: String) -> Int? { parse(path, SysfsParse.int) }

    /// A Linux CPU list file (`0-3,8`); an empty file is the empty set.
    func cpuList(_ path: String) -> CPUSet? { parse(path, SysfsParse.cpuList) }

    /// A hexadecimal mask file (`00000000,0000ffff`).
    func cpuMask(_ path: String) -> CPUSet? { parse(path, SysfsParse.hexMask) }

    /// Whitespace-separated decimal integers (`distance`).
    func ints(_ path: String) -> [Int]? { parse(path, SysfsParse.ints) }

    /// Whether the file holds `needle`; nil when it cannot be read. Compares
    /// bytes: `/proc/cpuinfo` of a big host is hundreds of KiB.
    func contains(_ path: String, _ needle: String) -> Bool? {
        let pattern = Array(needle.utf8)
        return parse(path) { bytes in
            guard let first = pattern.first, bytes.count >= pattern.count else { return pattern.isEmpty }
            var i = 0
            while i <= bytes.count - pattern.count {
                if bytes[i] == first && bytes[i..<(i + pattern.count)].elementsEqual(pattern) { return true }
                i += 1
            }
            return false
        }
    }

    /// A `meminfo` file.
    func meminfo(_ path: String) -> Meminfo? { parse(path) { Meminfo(bytes: $0) } }

    /// A list file when present, else the mask file beside it (older
    /// kernels lack the list form). Once a kind of list file turned out to
    /// be missing, the mask is tried first for the next CPUs: one open per
    /// file instead of two on such kernels.
    func cpuSet(list: String, mask: String) -> CPUSet? {
        if masksFirst.contains(where: { list.hasSuffix($0) }) { return cpuMask(mask) ?? cpuList(list) }
        if let set = cpuList(list) { return set }
        guard let set = cpuMask(mask) else { return nil }
        if let slash = list.lastIndex(of: "/") { masksFirst.append(String(list[slash...])) }
        return set
    }

    /// `/thread_siblings_list`, `/shared_cpu_list`, ... found missing.
    private var masksFirst: [String] = []

    /// A CPU mask file in a directory that exists, unless the same name was
    /// missing (not unreadable: a damaged file is one CPU's) from an earlier
    /// such directory: a kernel has `package_cpus`
    /// for every CPU or for none, so one failed open per probe, not per CPU.
    func cpuMask(in directory: String, _ name: String) -> CPUSet? {
        guard !absentNames.contains(name) else { return nil }
        if let set = cpuMask("\(directory)/\(name)") { return set }
        if lastOpenWasMissing { absentNames.insert(name) }
        return nil
    }

    /// A CPU list file, with the same memory of absent names.
    func cpuList(in directory: String, _ name: String) -> CPUSet? {
        guard !absentNames.contains(name) else { return nil }
        if let set = cpuList("\(directory)/\(name)") { return set }
        if lastOpenWasMissing { absentNames.insert(name) }
        return nil
    }

    private var absentNames: Set<String> = []

    func exists(_ path: String) -> Bool { at(path) { faccessat($0, $1, F_OK, 0) } == 0 }

    func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return at(path) { fstatat($0, $1, &st, 0) } == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// Where a symbolic link points (relative as written), nil if it is not one.
    func linkTarget(_ path: String) -> String? {
        var target = [CChar](repeating: 0, count: 4096)
        let n = at(path) { readlinkat($0, $1, &target, target.count - 1) }
        guard n > 0 else { return nil }
        return String(decoding: target[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Entry names of a directory (without `.` and `..`), unsorted; nil if it
    /// cannot be opened.
    func list(_ path: String) -> [String]? {
        let fd = at(path.isEmpty ? "." : path) { openat($0, $1, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        guard fd >= 0 else { return nil }
        guard let dir = fdopendir(fd) else {
            close(fd)
            return nil
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: &entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Ids N of the entries named `<prefix>N` in a directory (`cpu12`,
    /// `node3`), ascending; other names (`cpufreq`, `node`) are skipped.
    func numberedEntries(_ path: String, prefix: String) -> [Int]? {
        list(path).map { names in
            names.compactMap { name -> Int? in
                guard name.hasPrefix(prefix) else { return nil }
                let digits = name.dropFirst(prefix.count)
                guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
                return Int(digits)
            }.sorted()
        }
    }
}
