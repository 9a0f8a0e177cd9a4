/// How an enclave must change, decided from what it is and what it should
/// be, and from what its co-kernel can change while running.
enum EnclaveChange: Equatable {
    case unchanged
    case create
    case live(removeCPUs: CPUSet, addCPUs: CPUSet, addMemory: [MemoryChunk])
    case recreate(reasons: [String])

    /// States in which an instance cannot be kept. IHK: INACTIVE is an OS
    /// shut down outside sosplan, UNKNOWN one that is not the OS sosplan
    /// booted, NOT_BOOTED one whose create did not finish (drivers name
    /// such instances only in the first two cases).
    static let brokenStates: Set<String> = [
        "PANIC", "HUNGUP", "DEAD", "FAILED", "CRASHED", "ERROR", "INACTIVE", "UNKNOWN", "NOT_BOOTED", "LOADED",
    ]

    static func classify(
        current: EnclaveInstance?, spec: EnclaveSpec, desired: EnclavePlacement, capabilities: EnclaveCapabilities?
    ) -> EnclaveChange {
        guard let current else { return .create }
        let caps = capabilities
        let add = desired.cpus.subtracting(current.cpus)
        let remove = current.cpus.subtracting(desired.cpus)
        var have: [Int: UInt64] = [:], want: [Int: UInt64] = [:]
        for c in current.memory { have[c.node, default: 0] += c.bytes }
        for c in desired.memory { want[c.node, default: 0] += c.bytes }
        let nodes = Set(have.keys).union(want.keys).sorted()
        let grow = nodes.compactMap { n -> MemoryChunk? in
            let w = want[n, default: 0], h = have[n, default: 0]
            return w > h ? MemoryChunk(node: n, bytes: w - h) : nil
        }
        let shrinks = nodes.contains { want[$0, default: 0] < have[$0, default: 0] }

        var reasons: [String] = []
        if EnclaveChange.brokenStates.contains(current.state.uppercased()) {
            reasons.append("it is in state \(current.state)")
        }
        if let image = spec.image, let old = current.image, image != old { reasons.append("its image changes") }
        if let args = spec.args, let old = current.args, args != old { reasons.append("its kernel arguments change") }
        let driver = spec.driver.rawValue
        if !add.isEmpty && !(caps?.growCPUsWhileRunning ?? false) {
            reasons.append("\(driver) cannot add CPUs to a running enclave")
        }
        if !remove.isEmpty && !(caps?.shrinkCPUsWhileRunning ?? false) {
            reasons.append("\(driver) cannot remove CPUs from a running enclave")
        }
        if !grow.isEmpty && !(caps?.growMemoryWhileRunning ?? false) {
            reasons.append("\(driver) cannot add memory to a running enclave")
        }
        if shrinks && !(caps?.shrinkMemoryWhileRunning ?? false) {
            reasons.append("\(driver) cannot remove memory from a running enclave")
        }
        if !reasons.isEmpty { return .recreate(reasons: reasons) }
        if add.isEmpty && remove.isEmpty && grow.isEmpty { return .unchanged }
        return .live(removeCPUs: remove, addCPUs: add, addMemory: grow)
    }
}
