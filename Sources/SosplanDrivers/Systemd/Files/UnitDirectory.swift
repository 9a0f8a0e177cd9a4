import FoundationEssentials
import Glibc
import Synchronization

/// The directory where sosplan keeps its unit files and drop-ins
/// (`--unit-dir`, default `/etc/systemd/system`). Every change goes through
/// here: files are written by `DurableFile` (temporary file, fsync,
/// rename), their directories fsynced together by `syncChanges()` before
/// systemd is told to read them, and a file is only replaced or removed if
/// it carries sosplan's marker.
public struct UnitDirectory: Sendable {
    public var url: URL
    /// Directories with renames or removals not yet fsynced.
    private let pending = PendingDirectories()

    public init(url: URL) { self.url = url }

    /// Read at most this much of a file: sosplan's own are a few hundred
    /// bytes, and a larger foreign file is foreign from its first megabytes.
    static let fileLimit = 16 << 20

    /// What is at a path relative to the directory.
    public enum FileState: Equatable, Sendable {
        case missing
        /// Written by sosplan; the text as it is now.
        case managed(ManagedFileKind, text: String)
        /// Someone else's file (no marker): never changed by sosplan.
        case foreign
    }

    public func fileURL(_ relative: String) -> URL { url.appendingPathComponent(relative) }

    /// The path of `relative` (a validated unit name, optionally with a
    /// drop-in file), without URL parsing: this runs for every observed unit.
    func path(_ relative: String) -> String {
        let base = url.path
        return base.hasSuffix("/") ? base + relative : base + "/" + relative
    }

    public func state(_ relative: String) throws(SystemdError) -> FileState {
        let path = path(relative)
        var info = stat()
        if lstat(path, &info) != 0 {
            if errno == ENOENT || errno == ENOTDIR { return .missing }
            throw .unitDirectory(path: path, reason: String(cString: strerror(errno)))
        }
        guard info.st_mode & S_IFMT == S_IFREG else { return .foreign }
        guard let bytes = RawFile.read(path, limit: Self.fileLimit) else {
            throw .unitDirectory(path: path, reason: "cannot read it")
        }
        guard let kind = ManagedUnitFiles.kind(of: bytes) else { return .foreign }
        return .managed(kind, text: String(decoding: bytes, as: UTF8.self))
    }

    /// Writes `text` to `relative` unless it already holds exactly that text.
    /// Refuses to replace a file without sosplan's marker. Returns true when
    /// the file changed.
    public func write(_ text: String, to relative: String, unit: String) throws(SystemdError) -> Bool {
        switch try state(relative) {
        case .foreign:
            throw .notManaged(unit: unit, path: fileURL(relative).path, reason: "exists and was not written by sosplan")
        case .managed(_, let current) where current == text:
            return false
        default:
            break
        }
        let target = path(relative)
        var changed = Set<String>()
        do {
            try DurableFile.replace(target, with: Array(text.utf8), mode: 0o644, directoriesToSync: &changed)
        } catch {
            throw error.call == "rename"
                ? .unitDirectory(path: target, reason: "rename: \(String(cString: strerror(error.code)))")
                : .unitDirectory(path: error.path, reason: error.call == "mkdir" ? "cannot create it" : String(cString: strerror(error.code)))
        }
        pending.add(changed)
        return true
    }

    /// Makes the writes and removals so far durable (one fsync per
    /// directory): called before a daemon-reload reads them.
    public func syncChanges() throws(SystemdError) {
        do { try DurableFile.syncDirectories(pending.take()) } catch {
            throw .unitDirectory(path: error.path, reason: "fsync: \(String(cString: strerror(error.code)))")
        }
    }

    /// Removes a file sosplan wrote (and its drop-in directory once empty).
    /// Refuses a file without the marker. Returns false if nothing was there.
    public func remove(_ relative: String, unit: String) throws(SystemdError) -> Bool {
        switch try state(relative) {
        case .missing: return false
        case .foreign:
            throw .notManaged(unit: unit, path: fileURL(relative).path, reason: "was not written by sosplan")
        case .managed: break
        }
        let target = fileURL(relative)
        if unlink(target.path) != 0 && errno != ENOENT {
            throw .unitDirectory(path: target.path, reason: String(cString: strerror(errno)))
        }
        let parent = target.deletingLastPathComponent()
        // An empty drop-in directory goes too (rmdir fails harmlessly if not empty).
        if parent.lastPathComponent.hasSuffix(".d"), rmdir(parent.path) == 0 {
            pending.add([parent.deletingLastPathComponent().path])
        } else {
            pending.add([parent.path])
        }
        return true
    }

    /// Every file in the directory (and one level of `.d`/`.wants` dirs)
    /// that carries sosplan's marker: (unit name, kind, relative path).
    public func managedFiles() throws(SystemdError) -> [(unit: String, kind: ManagedFileKind, path: String)] {
        var found: [(unit: String, kind: ManagedFileKind, path: String)] = []
        let fm = FileManager.default
        guard let top = try? fm.contentsOfDirectory(atPath: url.path) else {
            if fm.fileExists(atPath: url.path) { throw .unitDirectory(path: url.path, reason: "cannot list it") }
            return []
        }
        for entry in top.sorted() where !entry.hasPrefix(".") {
            if entry.hasSuffix(".d") {
                let unit = String(entry.dropLast(2))
                for file in ((try? fm.contentsOfDirectory(atPath: fileURL(entry).path)) ?? []).sorted()
                where file.hasSuffix(".conf") {
                    if case .managed(let kind, _) = try state("\(entry)/\(file)") { found.append((unit, kind, "\(entry)/\(file)")) }
                }
            } else if case .managed(let kind, _) = try state(entry) {
                found.append((entry, kind, entry))
            }
        }
        return found
    }

    /// `multi-user.target.wants/<unit>` -> `../<unit>`, as `systemctl enable`
    /// would make it. Returns true when created.
    public func enable(_ unit: UnitName, wantedBy target: String = "multi-user.target") throws(SystemdError) -> Bool {
        let link = fileURL("\(target).wants/\(unit.rawValue)")
        let destination = "../\(unit.rawValue)"
        if let existing = try? FileManager.default.destinationOfSymbolicLink(atPath: link.path) {
            if existing == destination || existing == fileURL(unit.rawValue).path { return false }
            throw .notManaged(unit: unit.rawValue, path: link.path, reason: "points to \(existing), not to sosplan's unit file")
        }
        do {
            try FileManager.default.createDirectory(at: link.deletingLastPathComponent(), withIntermediateDirectories: true)
        } catch {
            throw .unitDirectory(path: link.deletingLastPathComponent().path, reason: FileErrorText.describe(error))
        }
        if symlink(destination, link.path) != 0 {
            throw .unitDirectory(path: link.path, reason: String(cString: strerror(errno)))
        }
        pending.add([link.deletingLastPathComponent().path, url.path])
        return true
    }

    /// Removes the link `enable` made (only if it points to sosplan's file).
    public func disable(_ unit: UnitName, wantedBy target: String = "multi-user.target") -> Bool {
        let link = fileURL("\(target).wants/\(unit.rawValue)")
        guard let existing = try? FileManager.default.destinationOfSymbolicLink(atPath: link.path),
            existing == "../\(unit.rawValue)" || existing == fileURL(unit.rawValue).path
        else { return false }
        unlink(link.path)
        rmdir(link.deletingLastPathComponent().path)
        pending.add([link.deletingLastPathComponent().path, url.path])
        return true
    }
}

/// Directories whose entries changed since they were last fsynced, shared
/// by the copies of one `UnitDirectory`.
final class PendingDirectories: Sendable {
    private let directories = Mutex(Set<String>())

    func add(_ more: Set<String>) {
        directories.withLock { $0.formUnion(more) }
    }

    func take() -> Set<String> {
        directories.withLock { all in
            defer { all = [] }
            return all
        }
    }
}
