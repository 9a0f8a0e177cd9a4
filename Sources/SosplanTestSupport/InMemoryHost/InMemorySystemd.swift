import SosplanCore
import SosplanDrivers

/// A systemd in memory for the apply engine's tests, behaving like the lab
/// where the engine can tell: sosplan's files in a unit directory (rendered
/// by the real `ManagedUnitFiles`, so a value the driver refuses is refused
/// here too, and a foreign file is never touched), a daemon-reload that
/// makes them take effect, start/stop/restart jobs, the state read back
/// after each change, a count of mutating calls, and failures on demand.
/// What it does not model: cgroups, processes, timing.
public final class InMemorySystemd: SystemdControl {
    /// Everything it holds; tests copy it to stand for a moment (a crash) and put it back.
    public struct State: Sendable {
        /// Units systemd knows without sosplan (their own unit files), by name.
        public var vendor: [String: SystemdUnit] = [:]
        /// The unit directory: relative path -> file.
        public var files: [String: File] = [:]
        /// What systemd has loaded, as of the last daemon-reload and jobs.
        public var loaded: [String: SystemdUnit] = [:]
        /// The slice each running unit's processes run in (a restart moves them).
        public var runningIn: [String: String] = [:]
        /// Units whose files changed since the last daemon-reload (`NeedDaemonReload`).
        public var stale: Set<String> = []
        public var enabled: Set<String> = []
    }

    /// A file in the unit directory: sosplan's (`kind` set), or someone else's.
    public struct File: Sendable, Hashable {
        public var unit: String
        public var kind: ManagedFileKind?
        public var text: String
        /// What the file says, for the reload (typed, as the driver rendered it).
        var settings: ResourceControl?
        var slice: String?
        var execStart: [String]?
        /// An exec unit's NUMAPolicy=/NUMAMask=.
        var numaPolicy: NUMAPolicySetting?
    }

    /// A driver operation a test can make fail.
    public enum Operation: String, Sendable { case start, stop, restart, reload, write }

    public var state = State()
    public let unitDirectory: String
    /// The calls that could change systemd (`Reload`, jobs, `ResetFailed`), as the real connection counts them.
    public private(set) var mutatingCallCount = 0
    /// Each mutating call, in order (`reload`, `start sosplan-a.slice`...).
    public private(set) var calls: [String] = []
    /// Units read (each unit of each `observeUnits`, as `GetAll` calls).
    public private(set) var unitReads = 0
    /// Units whose process exits right after a start (a launcher whose enclave is gone).
    public var exitsAfterStart: Set<String> = []
    private var faults: [(operation: Operation, unit: String?, remaining: Int)] = []

    public init(unitDirectory: String = "/etc/systemd/system") {
        self.unitDirectory = unitDirectory
        for name in HostUnits.names { addVendorUnit(name) }
    }

    /// A unit defined outside sosplan (a distribution's `slurmd.service`),
    /// loaded, and running unless `activeState` says otherwise.
    public func addVendorUnit(_ name: String, slice: String? = nil, activeState: String = "active") {
        var u = SystemdUnit(name: name)
        u.loadState = "loaded"
        u.activeState = activeState
        u.slice = slice ?? (name.hasSuffix(".service") ? "system.slice" : nil)
        state.vendor[name] = u
        state.loaded[name] = u
        if activeState == "active", let s = u.slice { state.runningIn[name] = s }
    }

    /// A file sosplan did not write (an operator's), which the driver must refuse to touch.
    public func addForeignFile(_ relative: String, unit: String, text: String = "[Unit]\nDescription=not sosplan's\n") {
        state.files[relative] = File(unit: unit, kind: nil, text: text)
    }

    /// Makes the next `times` calls of `operation` (on `unit`, or any unit) fail.
    public func fail(_ operation: Operation, unit: String? = nil, times: Int = 1) {
        faults.append((operation, unit, times))
    }

    public var reloads: Int { calls.filter { $0 == "reload" }.count }

    // MARK: Reads

    public func observeUnits(_ names: [String]) throws(SystemdError) -> [SystemdUnit] {
        var out: [SystemdUnit] = []
        for name in names {
            _ = try UnitName(name, field: "unit")
            unitReads += 1
            out.append(unit(name))
        }
        return out
    }

    public func observeSystemd(unitNames: [String]) throws -> SystemdState {
        var names = Set(unitNames + HostUnits.names)
        for file in state.files.values where file.kind != nil { names.insert(file.unit) }
        for name in state.loaded.keys where name.hasPrefix("sosplan-") { names.insert(name) }
        return SystemdState(units: try observeUnits(names.sorted()))
    }

    /// A unit as systemd reports it: `not-found` when it knows none, except
    /// a slice, which systemd makes up without a file (loaded, inactive).
    func unit(_ name: String) -> SystemdUnit {
        var u = state.loaded[name] ?? {
            var missing = SystemdUnit(name: name)
            missing.loadState = name.hasSuffix(".slice") ? "loaded" : "not-found"
            missing.activeState = "inactive"
            return missing
        }()
        u.managed = state.files.values.contains { $0.unit == name && $0.kind != nil }
        // The driver reads ExecStart back only for sosplan's own services.
        let kind = state.files[name]?.kind
        if kind != .execUnit && kind != .containerUnit { u.execStart = nil }
        return u
    }

    public func hasOwnUnitFile(_ name: String) throws(SystemdError) -> Bool {
        state.files[name]?.kind != nil
    }

    // MARK: Files, reload and jobs (what the driver's methods are made of)

    func path(_ relative: String) -> String { unitDirectory + "/" + relative }

    /// Writes a sosplan file unless it holds that text; refuses a foreign one.
    func write(_ relative: String, _ file: File) throws(SystemdError) -> [SystemdChange.Action] {
        if let existing = state.files[relative] {
            guard existing.kind != nil else {
                throw .notManaged(unit: file.unit, path: path(relative), reason: "exists and was not written by sosplan")
            }
            if existing.text == file.text { return [] }
        }
        try injected(.write, file.unit) { .unitDirectory(path: path(relative), reason: "No space left on device") }
        state.files[relative] = file
        state.stale.insert(file.unit)
        return [.wroteFile(path(relative))]
    }

    func remove(_ relative: String, unit: String) throws(SystemdError) -> [SystemdChange.Action] {
        guard let existing = state.files[relative] else { return [] }
        guard existing.kind != nil else { throw .notManaged(unit: unit, path: path(relative), reason: "was not written by sosplan") }
        state.files[relative] = nil
        state.stale.insert(unit)
        return [.removedFile(path(relative))]
    }

    /// `Reload` when files of `units` changed, or (when none did) when one
    /// is stale from before; returns the indices it was for.
    func reloadIfNeeded(_ units: [String], changed: [Bool]) throws(SystemdError) -> Set<Int> {
        var due = Set(changed.indices.filter { changed[$0] })
        if due.isEmpty { due = Set(units.indices.filter { state.stale.contains(units[$0]) }) }
        if !due.isEmpty { try reload() }
        return due
    }

    func reload() throws(SystemdError) {
        count("reload")
        try injected(.reload, nil) {
            .callFailed(unit: nil, operation: "Reload", name: "org.freedesktop.DBus.Error.Failed", message: "injected failure")
        }
        for name in state.stale { state.loaded[name] = loadedState(name) }
        state.stale = []
    }

    /// What a unit looks like after a reload: its own definition, then
    /// sosplan's unit file or drop-ins on top.
    private func loadedState(_ name: String) -> SystemdUnit? {
        let files = state.files.values.filter { $0.unit == name && $0.kind != nil }
        let old = state.loaded[name]
        var u = state.vendor[name] ?? SystemdUnit(name: name)
        // Defined by its own unit file: a distribution's, someone else's, or sosplan's.
        let defined = state.vendor[name] != nil || state.files[name] != nil
        guard defined || name.hasSuffix(".slice") else {
            // No definition left: systemd keeps a running unit loaded until it stops.
            guard var gone = old, gone.activeState == "active" else { return nil }
            gone.loadState = "not-found"
            return gone
        }
        u.loadState = "loaded"
        u.activeState = old?.activeState ?? "inactive"
        for file in files {
            file.settings?.write(to: &u)
            if let slice = file.slice { u.slice = slice }
            if let exec = file.execStart { u.execStart = exec }
            if file.kind == .execUnit { u.numaPolicy = file.numaPolicy }
        }
        return u
    }

    func job(_ operation: Operation, _ name: String) throws(SystemdError) {
        count("\(operation.rawValue) \(name)")
        try injected(operation, name) { .jobFailed(unit: name, operation: operation.rawValue, result: "failed") }
        guard var u = state.loaded[name] ?? (name.hasSuffix(".slice") ? unit(name) : nil) else { throw .noSuchUnit(unit: name) }
        switch operation {
        case .stop:
            u.activeState = "inactive"
            state.runningIn[name] = nil
            if u.loadState == "not-found" {
                state.loaded[name] = nil
                return
            }
        default:
            u.activeState = exitsAfterStart.contains(name) ? "failed" : "active"
            state.runningIn[name] = u.slice
        }
        state.loaded[name] = u
    }

    func resetFailed(_ name: String) {
        count("reset-failed \(name)")
        if state.loaded[name]?.activeState == "failed" { state.loaded[name]?.activeState = "inactive" }
    }

    func isRunning(_ u: SystemdUnit) -> Bool {
        ["active", "activating", "reloading", "deactivating"].contains(u.activeState ?? "")
    }

    private func count(_ call: String) {
        mutatingCallCount += 1
        calls.append(call)
    }

    private func injected(_ operation: Operation, _ unit: String?, _ error: () -> SystemdError) throws(SystemdError) {
        guard let i = faults.firstIndex(where: { $0.operation == operation && ($0.unit == nil || $0.unit == unit) }) else { return }
        faults[i].remaining -= 1
        if faults[i].remaining <= 0 { faults.remove(at: i) }
        throw error()
    }
}
