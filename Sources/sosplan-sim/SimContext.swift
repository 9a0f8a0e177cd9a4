import Foundation
import SosplanCore

/// One tool run against a simulated host: the loaded state and faults, the
/// output being produced, and access to the simulated files. Tools run
/// under an exclusive lock on the sim root, so two tools started at once
/// see each other's effects in order.
final class SimContext {
    let root: String
    let tool: String
    let arguments: [String]
    var state: SimState
    var faults: [SimFault]
    var stdout = ""
    var stderr = ""
    private var kernelLog: [String] = []
    /// Set when a simulated file really changed (a hotplug write, a device
    /// node): with the state, what tells a mutation the action words miss.
    private(set) var hostChanged = false
    /// Set when the call hit a recorded hazard (`hazard(_:)`): the tool is
    /// killed once the state is saved.
    private(set) var hazardFired = false

    init(root: String, tool: String, arguments: [String]) throws {
        self.root = root
        self.tool = tool
        self.arguments = arguments
        state = try SimStore.loadState(root: root)
        faults = SimStore.loadFaults(root: root)
    }

    // MARK: Paths and files

    func path(_ absolute: String) -> String { root + absolute }

    func read(_ absolute: String) -> String? {
        FileManager.default.contents(atPath: path(absolute)).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Writes in place (as sysfs does), skipping files that already hold `text`.
    func write(_ absolute: String, _ text: String) {
        let p = path(absolute)
        let data = Data(text.utf8)
        if FileManager.default.contents(atPath: p) == data { return }
        hostChanged = true
        try? FileManager.default.createDirectory(
            atPath: (p as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try? data.write(to: URL(fileURLWithPath: p))
    }

    func exists(_ absolute: String) -> Bool { FileManager.default.fileExists(atPath: path(absolute)) }

    func remove(_ absolute: String) {
        guard exists(absolute) else { return }
        hostChanged = true
        try? FileManager.default.removeItem(atPath: path(absolute))
    }

    func print(_ line: String) { stdout += line + "\n" }
    func printError(_ line: String) { stderr += line + "\n" }
    /// What the kernel would put in dmesg (`.sosplan-sim/kernel.log`).
    func log(_ line: String) { kernelLog.append("\(tool): \(line)") }

    /// A call that upstream code turns into a kernel fault (an oops): it is
    /// appended to `.sosplan-sim/hazards.log` at once (a later kill cannot
    /// lose it), logged like an oops, and the tool is killed (SIGKILL, as
    /// the kernel kills a task that oopses) after the state is saved.
    /// `sosplan-sim audit` reports every recorded hazard.
    func hazard(_ what: String) {
        hazardFired = true
        let words = ([tool] + arguments).joined(separator: " ")
        SimStore.append("\(words): \(what)\n", to: root + SimStore.directory + "/hazards.log")
        log("BUG: kernel NULL pointer dereference (\(what))")
    }

    /// The modification time of a simulated file, if it exists.
    func modificationTime(_ absolute: String) -> Double? { SimInstaller.modificationTime(path(absolute)) }

    // MARK: Faults

    /// Throws when a `fail` fault matches this call of `action`.
    func injected(_ action: String, tool: String? = nil) throws(SimKernelError) {
        let tool = tool ?? self.tool
        for i in faults.indices where faults[i].kind == "fail" && faults[i].tool == tool && faults[i].action == action {
            let seen = (faults[i].seen ?? 0) + 1
            faults[i].seen = seen
            let fired = faults[i].fired ?? 0
            let count = faults[i].count ?? 1
            if seen >= (faults[i].nth ?? 1) && (count == 0 || fired < count) {
                faults[i].fired = fired + 1
                let e = faults[i].errno ?? 22
                log("injected failure of \(tool) \(action): \(SimErrno.name(e))")
                throw SimKernelError(e, "injected failure")
            }
        }
    }

    /// Bytes a co-kernel may still take from `node` under a `fragment` fault.
    func fragmentLimit(node: Int) -> UInt64? {
        faults.filter { $0.kind == "fragment" && $0.node == node }.compactMap(\.bytes).min()
    }

    /// Consumes one `hold-device` for OS `index`; true while a process holds it.
    func deviceHeld(os index: Int) -> Bool {
        for i in faults.indices where faults[i].kind == "hold-device" && faults[i].os == index {
            let fired = faults[i].fired ?? 0, count = faults[i].count ?? 0
            if count == 0 || fired < count {
                faults[i].fired = fired + 1
                return true
            }
        }
        return false
    }

    func takePanic() -> Bool {
        guard let i = faults.firstIndex(where: { $0.kind == "panic" }) else { return false }
        faults.remove(at: i)
        return true
    }

    // MARK: Linux hotplug (the simulated sysfs is the truth)

    func cpuDir(_ cpu: Int) -> String { "/sys/devices/system/cpu/cpu\(cpu)" }

    var presentCPUs: [Int] { state.nodes.flatMap(\.cpus).sorted() }

    func isCPUPresent(_ cpu: Int) -> Bool { exists(cpuDir(cpu)) }

    /// A present CPU without an `online` file is always online.
    func isCPUOnline(_ cpu: Int) -> Bool {
        guard let text = read(cpuDir(cpu) + "/online") else { return isCPUPresent(cpu) }
        return text.trimmingASCIIWhitespace() != "0"
    }

    /// What `echo 0|1 > cpuN/online` does; EBUSY when the CPU cannot be
    /// hot-unplugged (no `online` file).
    func setCPU(_ cpu: Int, online: Bool) throws(SimKernelError) {
        guard isCPUPresent(cpu) else { throw SimKernelError(ENODEV, "CPU \(cpu) is not present") }
        guard exists(cpuDir(cpu) + "/online") else {
            if online { return }
            throw SimKernelError(EBUSY, "CPU \(cpu) cannot be offlined")
        }
        write(cpuDir(cpu) + "/online", online ? "1\n" : "0\n")
        log("CPU \(cpu) \(online ? "online" : "offline")")
    }

    func blockDir(_ id: Int) -> String { "/sys/devices/system/memory/memory\(id)" }

    func isBlockOnline(_ id: Int) -> Bool? {
        read(blockDir(id) + "/state").map { $0.trimmingASCIIWhitespace() == "online" }
    }

    func blockNode(_ id: Int) -> Int? {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: path(blockDir(id)))) ?? []
        for e in entries where e.hasPrefix("node") { if let n = Int(e.dropFirst(4)) { return n } }
        if let t = read("/sys/devices/system/memory/memory\(id).node")?.trimmingASCIIWhitespace(), t.hasPrefix("node") {
            return Int(t.dropFirst(4))
        }
        return exists(blockDir(id)) ? 0 : nil
    }

    func isBlockRemovable(_ id: Int) -> Bool {
        read(blockDir(id) + "/removable")?.trimmingASCIIWhitespace() != "0"
    }

    /// `echo offline|online > memoryN/state`: offlining a non-removable block
    /// fails with EBUSY, as the kernel does when pages cannot be migrated.
    func setBlock(_ id: Int, online: Bool) throws(SimKernelError) {
        guard let current = isBlockOnline(id) else { throw SimKernelError(EINVAL, "no memory block \(id)") }
        if current == online { return }
        if !online && !isBlockRemovable(id) { throw SimKernelError(EBUSY, "memory block \(id) is not removable") }
        write(blockDir(id) + "/state", online ? "online\n" : "offline\n")
        write(blockDir(id) + "/online", online ? "1\n" : "0\n")
        log("memory block \(id) \(online ? "online" : "offline")")
    }

    var memoryBlockIDs: [Int] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path("/sys/devices/system/memory"))) ?? []
        return names.compactMap { $0.hasPrefix("memory") ? Int($0.dropFirst(6)) : nil }.sorted()
    }

    // MARK: Finishing

    /// The state as JSON, to tell whether a run changed it.
    var stateSnapshot: JSONValue? { try? JSONValueEncoder().encode(state) }

    /// Recomputes every derived file and saves state, faults and logs; a
    /// tool run (`call` given) also gets its line in calls.log.
    func finish(call: (status: Int32, mutating: Bool)?) {
        SimSync.sync(self)
        SimStore.save(self, call: call, log: kernelLog)
    }

    /// A launcher that changed kernel state (a job handed to Kitten, yod's
    /// CPU reservation): everything is saved, and its calls.log line says
    /// it launched (launches are not counted as mutating calls).
    func finishLaunchChangingState() {
        SimSync.sync(self)
        SimStore.save(self, call: nil, log: kernelLog)
        SimCallLog.record(root: root, tool: tool, arguments: arguments, mutating: false, status: 0, launch: true)
    }

    /// A launcher changes no kernel state: only the fault counters it
    /// consumed, the kernel log and its calls.log line are saved.
    func finishLaunch(status: Int32, launched: Bool, faultsBefore: [SimFault]) {
        let dir = root + SimStore.directory
        if faults != faultsBefore { SimStore.writeJSON(SimFaultFile(faults: faults), to: dir + "/faults.json") }
        SimCallLog.record(root: root, tool: tool, arguments: arguments, mutating: false, status: status, launch: launched)
        if !kernelLog.isEmpty { SimStore.append(kernelLog.joined(separator: "\n") + "\n", to: dir + "/kernel.log") }
    }
}
