import FoundationEssentials
import SosplanCore

/// Checks shared by the IHK steps.
extension IHKDriver {
    // MARK: Helpers

    var dev: String { String(device) }

    func tool(_ name: String, _ args: [String]) throws(EnclaveError) -> ToolResult { try runner.run(name, args) }

    /// Assign and release need the OS INITIAL (ihk `smp-driver.c:1885`,
    /// `:1977`, `:2669`, `:2822`). Decided from the registry, not from `get
    /// status`, which a never-booted OS cannot answer.
    func requireNotBooted(_ index: Int, _ what: String) throws(EnclaveError) {
        guard let entry = entry(index), entry.isUp else { return }
        throw EnclaveError(
            .notSupportedWhileRunning, "IHK cannot \(what) once OS \(index) has booted; recreate '\(entry.name)'")
    }

    func checkCPUs(_ cpus: CPUSet) throws(EnclaveError) {
        guard !cpus.isEmpty else { throw EnclaveError(.invalid, "no CPUs given") }
        let forbidden = cpus.intersection(capabilities.forbiddenCPUs)
        guard forbidden.isEmpty else { throw EnclaveError(.invalid, "IHK cannot take CPU \(forbidden) (CPU 0 stays with Linux)") }
        let missing = cpus.subtracting(hotplug.presentCPUs())
        guard missing.isEmpty else { throw EnclaveError(.invalid, "CPUs \(missing) are not present") }
    }

    func checkMemory(_ chunks: [MemoryChunk]) throws(EnclaveError) {
        guard !chunks.isEmpty else { throw EnclaveError(.invalid, "no memory given") }
        for c in chunks where c.bytes == 0 || c.bytes % capabilities.memoryGranularity != 0 {
            throw EnclaveError(.invalid, "IHK reserves memory in multiples of 4 MiB; \(c.bytes) bytes on node \(c.node) is not")
        }
    }

    func bytes(_ chunks: [MemoryChunk], node: Int) -> UInt64 {
        chunks.filter { $0.node == node }.reduce(0) { $0 + $1.bytes }
    }

    func describe(_ chunks: [MemoryChunk]) -> String {
        MemoryChunk.merged(chunks).map { "\(ByteSize($0.bytes)) on node \($0.node)" }.joined(separator: ", ")
    }
}
