import FoundationEssentials
import Glibc
import SosplanCore

/// Writes the files `sosplan install` renders, each atomically and durably,
/// and records them in a manifest (path + SHA-256) so that `--uninstall`
/// removes exactly those files. A file sosplan did not write, or one edited
/// since it wrote it, is neither overwritten nor removed without `force`;
/// such a refusal comes before anything is changed.
public enum InstalledFiles {
    public struct Planned: Sendable, Hashable {
        public var path: String
        public var bytes: [UInt8]

        public init(path: String, text: String) {
            self.path = path
            bytes = Array(text.utf8)
        }

        public var sha256: String { SHA256.hex(bytes) }
    }

    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var description: String
        public var hint: String?

        public init(_ description: String, hint: String? = nil) {
            self.description = description
            self.hint = hint
        }
    }

    /// What is at a path now, compared with the content sosplan expects.
    public enum FileState: Equatable, Sendable {
        case absent
        /// A regular file with this SHA-256.
        case file(sha256: String)
        /// A directory, symlink, device...: never sosplan's.
        case other(String)
    }

    public static func state(of path: String) -> FileState {
        var st = stat()
        guard lstat(path, &st) == 0 else { return .absent }
        switch st.st_mode & S_IFMT {
        case S_IFREG:
            switch InputFile.read(path) {
            case .success(let bytes): return .file(sha256: SHA256.hex(bytes))
            case .failure(let e): return .other("unreadable (\(e.reason))")
            }
        case S_IFLNK: return .other("a symbolic link")
        case S_IFDIR: return .other("a directory")
        default: return .other("not a regular file")
        }
    }

    public struct InstallReport: Sendable, Equatable {
        public var written: [String] = []
        public var unchanged: [String] = []
        /// Files of an earlier install that this one no longer writes (another
        /// directory), removed because they were as written.
        public var removedStale: [String] = []
        /// Such files that were edited since: left, and no longer recorded.
        public var keptStale: [String] = []
        /// Such files outside the places install writes to (`removable`):
        /// left whatever the manifest says, and no longer recorded.
        public var outsideStale: [String] = []
    }

    /// Writes `files` (skipping those already identical), removes files of
    /// the previous install that are not written again, and records the
    /// result in the manifest at `manifestPath`.
    public static func install(
        _ files: [Planned], manifestPath: String, layout: String?, binary: String?, enabled: Bool, force: Bool,
        removable: Set<String>
    ) throws(Failure) -> InstallReport {
        let previous = try readManifest(manifestPath)
        let recorded = Dictionary((previous?.files ?? []).map { ($0.path, $0.sha256) }) { a, _ in a }
        var report = InstallReport()
        var toWrite: [Planned] = []
        var refused: [String] = []
        for f in files {
            switch state(of: f.path) {
            case .absent: toWrite.append(f)
            case .file(let sha) where sha == f.sha256: report.unchanged.append(f.path)
            case .file(let sha) where recorded[f.path] == sha || force: toWrite.append(f)
            case .file:
                refused.append("\(f.path) exists and was \(recorded[f.path] == nil ? "not written by sosplan install" : "edited since sosplan installed it")")
            case .other(let what):
                if force, what == "a symbolic link" { toWrite.append(f) } else { refused.append("\(f.path) is \(what)") }
            }
        }
        if !refused.isEmpty {
            throw Failure(
                "not installing: " + refused.joined(separator: "; "),
                hint: "move the file(s) away, or pass --force to replace them")
        }
        for f in toWrite {
            do { try DurableFile.replace(f.path, with: f.bytes, mode: 0o644) } catch {
                throw Failure("cannot write \(f.path): \(error)", hint: "nothing after it was written; run install again once fixed")
            }
            report.written.append(f.path)
        }
        let now = Set(files.map(\.path))
        for old in previous?.files ?? [] where !now.contains(old.path) {
            guard removable.contains(old.path) else {
                if state(of: old.path) != .absent { report.outsideStale.append(old.path) }
                continue
            }
            switch state(of: old.path) {
            case .absent: continue
            case .file(let sha) where sha == old.sha256:
                if unlink(old.path) == 0 { report.removedStale.append(old.path) } else { report.keptStale.append(old.path) }
            default: report.keptStale.append(old.path)
            }
        }
        let manifest = InstallManifest(
            at: Timestamp.now(), layout: layout, binary: binary, enabled: enabled,
            files: files.map { InstallManifest.Entry(path: $0.path, sha256: $0.sha256) })
        try writeManifest(manifest, to: manifestPath)
        return report
    }

    public struct UninstallReport: Sendable, Equatable {
        public var removed: [String] = []
        /// Recorded files that were already gone.
        public var missing: [String] = []
    }

    /// Files `uninstall` would remove and those it refuses (edited since),
    /// without changing anything.
    /// `removable` are the only paths that may be removed (sosplan's own
    /// files in the places install writes to): any other entry refuses the
    /// uninstall, `force` or not.
    public static func uninstallCheck(
        _ manifest: InstallManifest, force: Bool, removable: Set<String>
    ) -> (remove: [String], missing: [String], refused: [String], outside: [String]) {
        var remove: [String] = [], missing: [String] = [], refused: [String] = [], outside: [String] = []
        for e in manifest.files {
            guard removable.contains(e.path) else {
                outside.append(e.path)
                refused.append("\(ControlCharacters.shown(e.path)) is not a file sosplan install writes in the places given; never removed")
                continue
            }
            switch state(of: e.path) {
            case .absent: missing.append(e.path)
            case .file(let sha) where sha == e.sha256 || force: remove.append(e.path)
            case .file: refused.append("\(e.path) was edited since sosplan installed it")
            case .other(let what) where force && what == "a symbolic link": remove.append(e.path)
            case .other(let what): refused.append("\(e.path) is now \(what)")
            }
        }
        return (remove, missing, refused, outside)
    }

    /// Removes the files the manifest records (all or none: a file edited
    /// since refuses the whole uninstall unless `force`), then the manifest.
    public static func uninstall(
        _ manifest: InstallManifest, manifestPath: String, force: Bool, removable: Set<String>
    ) throws(Failure) -> UninstallReport {
        let check = uninstallCheck(manifest, force: force, removable: removable)
        if !check.refused.isEmpty {
            throw Failure("not uninstalling: " + check.refused.joined(separator: "; "), hint: refusalHint(outside: !check.outside.isEmpty))
        }
        var report = UninstallReport(missing: check.missing)
        for path in check.remove {
            guard unlink(path) == 0 || errno == ENOENT else {
                throw Failure("cannot remove \(path): \(String(cString: strerror(errno)))")
            }
            report.removed.append(path)
        }
        if unlink(manifestPath) != 0 && errno != ENOENT {
            throw Failure("cannot remove \(manifestPath): \(String(cString: strerror(errno)))")
        }
        return report
    }

    /// What to do about a refused uninstall.
    public static func refusalHint(outside: Bool) -> String {
        outside
            ? "nothing was removed; give the directories install used (--unit-dir, --udev-dir, --completions-dir, "
                + "--man-dir); a manifest naming other files is not what sosplan install wrote: move it aside"
            : "nothing was removed; pass --force to remove the edited file(s) too"
    }

    /// The manifest at `path`; nil when there is none.
    public static func readManifest(_ path: String) throws(Failure) -> InstallManifest? {
        do { return try loadManifest(path) } catch { throw Failure(error.description, hint: error.remedy) }
    }

    static func writeManifest(_ manifest: InstallManifest, to path: String) throws(Failure) {
        let text = JSONWriter.pretty(manifest.jsonValue()) + "\n"
        do { try DurableFile.replace(path, with: Array(text.utf8), mode: 0o644) } catch {
            throw Failure("cannot record the installed files in \(path): \(error)")
        }
    }
}
