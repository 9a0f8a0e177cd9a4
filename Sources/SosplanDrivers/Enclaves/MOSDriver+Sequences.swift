import FoundationEssentials
import Glibc
import SosplanCore

/// mOS create and delete. `lwkctl -c` would silently delete an existing
/// partition first; sosplan refuses instead, so a recreate is always an
/// explicit destroy + create.
extension MOSDriver {
    public func create(_ request: EnclaveRequest) throws(EnclaveError) -> EnclaveInstance {
        let current = try readPartition()
        if !current.lwkCPUs.isEmpty {
            let owner = stateDirectory.readEnclaveRegistry().entries.first { $0.driver == .mos }?.name
            throw EnclaveError(
                .busy,
                "mOS has one partition per host and \(owner.map { "'\($0)'" } ?? "an unnamed one") holds CPUs \(current.lwkCPUs); destroy it first")
        }
        if current.isBusy && !force {
            throw EnclaveError(.busy, "mOS job \(current.jobID) is active")
        }
        let spec = try partitionSpec(for: request)
        var args = ["-c", spec.text, "-p", "yes"]
        if force { args.append("-f") }
        let r = try runner.run("lwkctl", args)
        guard r.succeeded else {
            let failures = returnCPUs(request.cpus, unless: (try? readPartition())?.lwkCPUs ?? CPUSet())
            throw EnclaveError(Self.kind(r), "lwkctl could not create the partition: \(Self.reason(r))", tool: r, rollback: failures)
        }
        let made = try readPartition()
        guard made.lwkCPUs == request.cpus, MemoryChunk.merged(made.memory) == request.memoryByNode else {
            var failures: [String] = []
            do { try delete() } catch { failures.append(error.message) }
            failures += returnCPUs(request.cpus, unless: CPUSet())
            throw EnclaveError(
                .inconsistent,
                "lwkctl created CPUs \(made.lwkCPUs) with \(made.memory.map { "\($0.bytes)@\($0.node)" }) instead of the request; deleted again",
                tool: r, rollback: failures)
        }
        do {
            try stateDirectory.recordEnclave(
                EnclaveRegistryEntry(
                    name: request.name, driver: .mos, instance: Self.instanceName, cpus: request.cpus,
                    memory: request.memoryByNode, args: request.args))
        } catch {
            var failures: [String] = []
            do { try delete() } catch { failures.append(error.message) }
            throw EnclaveError(.permission, "cannot record the partition in the enclave registry: \(error)", rollback: failures)
        }
        guard let instance = try instance(named: request.name) else {
            throw EnclaveError(.inconsistent, "mOS partition '\(request.name)' is not observed")
        }
        return instance
    }

    public func grow(_ name: String, cpus: CPUSet, memory: [MemoryChunk]) throws(EnclaveError) -> EnclaveInstance {
        throw EnclaveError(.notSupportedWhileRunning, "mOS changes a partition only by delete + create; recreate '\(name)'")
    }

    public func shrink(_ name: String, cpus: CPUSet, memory: [MemoryChunk]) throws(EnclaveError) -> EnclaveInstance {
        throw EnclaveError(.notSupportedWhileRunning, "mOS changes a partition only by delete + create; recreate '\(name)'")
    }

    public func destroy(_ name: String) throws(EnclaveError) {
        guard stateDirectory.readEnclaveRegistry().entries.contains(where: { $0.name == name && $0.driver == .mos }) else {
            throw EnclaveError(.notFound, "no mOS partition named '\(name)' in the enclave registry")
        }
        try destroy(instance: Self.instanceName)
    }

    public func destroy(instance: String) throws(EnclaveError) {
        guard instance == Self.instanceName, !(try readPartition()).lwkCPUs.isEmpty else {
            throw EnclaveError(.notFound, "there is no mOS partition")
        }
        try delete()
        for entry in stateDirectory.readEnclaveRegistry().entries where entry.driver == .mos {
            try? stateDirectory.forgetEnclave(name: entry.name, driver: .mos)
        }
    }

    /// `lwkctl -d` (with `-f` when forced), then every former LWK CPU online.
    /// A running yod job keeps its CPUs in `lwkcpus_reserved` until it
    /// exits, and lwkctl refuses to delete until then (`__lwkctl_delete`,
    /// even with `-f`): the plan stops the enclave's services first, and
    /// this waits for their jobs to end (up to the shutdown timeout).
    public func delete() throws(EnclaveError) {
        var before = try readPartition()
        let deadline = Date().addingTimeInterval(configuration.timeouts.shutdown)
        while !before.reservedCPUs.isEmpty && Date() < deadline {
            usleep(UInt32(configuration.timeouts.pollInterval * 1_000_000))
            before = try readPartition()
        }
        if !before.reservedCPUs.isEmpty {
            throw EnclaveError(
                .busy, "cannot delete the mOS partition: yod jobs still hold LWK CPUs \(before.reservedCPUs) (stop the services running in it first)")
        }
        if !before.jobID.isEmpty && !force {
            throw EnclaveError(.busy, "cannot delete the mOS partition: job \(before.jobID) is active")
        }
        let r = try runner.run("lwkctl", force ? ["-d", "-f"] : ["-d"])
        guard r.succeeded, (try readPartition()).lwkCPUs.isEmpty else {
            throw EnclaveError(Self.kind(r), "lwkctl could not delete the partition: \(Self.reason(r))", tool: r)
        }
        let failures = returnCPUs(before.lwkCPUs, unless: CPUSet())
        guard failures.isEmpty else {
            throw EnclaveError(.inconsistent, "the partition is deleted but Linux did not get every CPU back", tool: r, rollback: failures)
        }
    }

    // MARK: Helpers

    /// The spec for a request: one group with a utility CPU (the lowest
    /// online CPU outside the request on the first CPU's node, else any),
    /// `lwkmem=` per node, and the request's extra `key=value` words.
    func partitionSpec(for request: EnclaveRequest) throws(EnclaveError) -> MOSFormat.PartitionSpec {
        do {
            try EnclaveText.checkName(request.name)
            if let args = request.args { try EnclaveText.checkArgument(args, field: "args") }
        } catch { throw EnclaveError.from(error) }
        guard request.image == nil else {
            throw EnclaveError(.invalid, "an mOS partition runs the host's own kernel; it takes no image")
        }
        guard !request.cpus.isEmpty else { throw EnclaveError(.invalid, "no CPUs given") }
        let forbidden = request.cpus.intersection(capabilities.forbiddenCPUs)
        guard forbidden.isEmpty else { throw EnclaveError(.invalid, "mOS cannot take CPU \(forbidden)") }
        let present = hotplug.presentCPUs()
        guard request.cpus.isSubset(of: present) else {
            throw EnclaveError(.invalid, "CPUs \(request.cpus.subtracting(present)) are not present")
        }
        try hotplug.checkAvailable(request.cpus)
        for chunk in request.memory where chunk.bytes == 0 || chunk.bytes % MOSFormat.sectionSize != 0 {
            throw EnclaveError(.invalid, "mOS memory comes in 128 MiB sections; \(ByteSize(chunk.bytes)) on node \(chunk.node) is not")
        }
        var other: [(String, String)] = []
        for word in (request.args ?? "").split(separator: " ") {
            let parts = word.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, !["lwkcpus", "lwkmem", "precise", "auto"].contains(String(parts[0])) else {
                throw EnclaveError(.invalid, "mOS args are extra key=value words such as lwkcpu_profile=normal, not '\(word)'")
            }
            other.append((String(parts[0]), String(parts[1])))
        }
        let nodes = hotplug.cpuNodes()
        let candidates = hotplug.onlineCPUs().subtracting(request.cpus)
        let node = nodes[request.cpus.first!]
        guard let utility = candidates.first(where: { nodes[$0] == node }) ?? candidates.first else {
            throw EnclaveError(.invalid, "no Linux CPU is left to serve as the partition's utility CPU")
        }
        return MOSFormat.PartitionSpec(
            groups: [(utility: CPUSet([utility]), lwk: request.cpus)], memory: request.memoryByNode, other: other)
    }

    /// Onlines `cpus` that are offline and not LWK CPUs (lwkctl may stop
    /// half way and leave CPUs offline without a partition).
    func returnCPUs(_ cpus: CPUSet, unless lwk: CPUSet) -> [String] {
        var failures: [String] = []
        for cpu in cpus.subtracting(lwk) where !hotplug.isCPUOnline(cpu) {
            do { try hotplug.setCPU(cpu, online: true) } catch { failures.append(error.message) }
        }
        return failures
    }

    /// lwkctl exits with its return code, which is not always an errno
    /// (mos `lwkctl.c` `main`, `lwkctl_abort`; `lwkctl_sysfs.c`):
    /// 254 (-2) is a write to lwk_config the kernel refused
    /// (`mos_sysfs_write`: -1, then `rc--`); 255 (-1) a privilege failure
    /// (`mos_sysfs_access_linuxcpu`) or an abort; 245 (-EAGAIN) the lwkctl
    /// lock; 240 (-EBUSY) reserved CPUs or active jobs; 234 (-EINVAL) a bad spec.
    static func kind(_ r: ToolResult) -> EnclaveError.Kind {
        switch r.exitStatus {
        case 254: return .invalid
        case 255: return r.stderr.contains("privilege") ? .permission : .toolFailed
        case 245: return .busy
        case 129...253: return EnclaveError.kind(errno: 256 - r.exitStatus)
        default: return .toolFailed
        }
    }

    /// Why, in words, for an exit status `kind` classifies.
    static func reason(_ r: ToolResult) -> String {
        switch r.exitStatus {
        case 254: return "the mOS kernel refused the partition (lwkctl exits 254 for any refused lwk_config write: too little movable memory under -p yes, an LWK CPU offline or overlapping a utility CPU; see dmesg)"
        case 255: return r.stderr.contains("privilege") ? "cannot write the CPUs' online files (root needed)" : "lwkctl aborted"
        case 245: return "lwkctl's lock is held by another lwkctl"
        case 240: return "LWK CPUs are reserved by running jobs, or a job is active"
        case 234: return "lwkctl refused the specification"
        default: return "exit status \(r.exitStatus)"
        }
    }
}
