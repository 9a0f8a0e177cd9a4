import SosplanCore
import Testing

/// The node line sosplan writes into its slurm.conf drop-in: rendered from
/// typed values, read back strictly (the file is untrusted), and placed from
/// a topology in Slurm's abstract CPU numbering.
@Suite struct SlurmNodeDefinitionTests {
    @Test func aLineReadsBackAsTheDefinitionItWasRenderedFrom() throws {
        let def = SlurmNodeDefinition(
            name: "cn042", cpus: 8, shape: .init(sockets: 2, coresPerSocket: 2, threadsPerCore: 2), realMemoryMiB: 4096,
            cpuSpecList: [0, 1], features: ["lwk", "x86"])
        #expect(def.line == "NodeName=cn042 CPUs=8 Boards=1 SocketsPerBoard=2 CoresPerSocket=2 ThreadsPerCore=2 RealMemory=4096 CpuSpecList=0,1 Features=lwk,x86 State=UNKNOWN")
        #expect(try SlurmNodeDefinition.parse(fileText: def.fileText) == def)
        #expect(def.jobCPUCount == 6)
    }

    @Test func slurmdsOwnLineIsRead() throws {
        // What `slurmd -C` prints on these VMs, as scripts/slurm-lab keeps it.
        let def = try SlurmNodeDefinition.parse(
            fileText: "NodeName=vm CPUs=2 Boards=1 SocketsPerBoard=1 CoresPerSocket=2 ThreadsPerCore=1 RealMemory=1000 Features=lwk State=UNKNOWN\n")
        #expect(def.cpus == 2 && def.shape?.coresPerSocket == 2 && def.cpuSpecList.isEmpty && def.features == ["lwk"])
    }

    @Test(arguments: [
        ("NodeName=vm CPUs=2 Gres=gpu:1", "'gres' is not a key sosplan writes"),
        ("NodeName=vm CPUs=2\nNodeName=vm2 CPUs=2", "expected one NodeName= line, found 2 lines"),
        ("NodeName=vm;reboot CPUs=2", "is not a Slurm node name"),
        ("NodeName=vm CPUs=2 CpuSpecList=0-1", "CpuSpecList keeps every CPU from jobs"),
        ("NodeName=vm CPUs=2 CpuSpecList=4", "is not a sorted list of CPU ids below 2"),
        ("NodeName=vm CPUs=two", "cpus=two is not a number"),
        ("NodeName=vm CPUs=3 SocketsPerBoard=1 CoresPerSocket=2 ThreadsPerCore=1", "do not make CPUs=3"),
        ("NodeName=vm CPUs=2 Features=a,b#c", "is not a Slurm feature name"),
        ("NodeName=vm CPUs=2 State=DRAIN", "sosplan writes State=UNKNOWN"),
    ])
    func linesSosplanDoesNotWriteAreRefusedWithWhy(_ text: String, _ why: String) {
        #expect(throws: SlurmNodeDefinition.ParseError.self) { try SlurmNodeDefinition.parse(fileText: text) }
        do { _ = try SlurmNodeDefinition.parse(fileText: text) } catch { #expect(error.description.contains(why), "\(error)") }
    }

    @Test func specialisedCPUsAreNumberedSocketByCoreByThread() {
        // Two sockets of two cores with two threads; Linux numbers the threads 0-3 then 4-7 (siblings i and i+4).
        var cpus: [CPUInfo] = []
        for id in 0..<8 {
            let core = id % 4
            cpus.append(CPUInfo(id: id, package: core / 2, core: core % 2, node: core / 2, threadSiblings: CPUSet([core, core + 4])))
        }
        let topology = Topology(cpus: cpus, nodes: [])
        // Slurm's order: socket 0 core 0 (CPUs 0,4) → 0,1; core 1 (1,5) → 2,3; socket 1 core 0 (2,6) → 4,5; core 1 (3,7) → 6,7.
        let def = SlurmNodeDefinition.placed(
            name: "n", online: topology.onlineCPUs, jobs: CPUSet([1, 5, 2, 6, 3, 7]), topology: topology, realMemoryMiB: nil, features: [])
        #expect(def.cpuSpecList == [0, 1])
        #expect(def.shape == .init(sockets: 2, coresPerSocket: 2, threadsPerCore: 2))
        // One thread offline: the shape is no longer uniform, CPUs alone.
        var partly = topology
        partly.cpus[7].online = false
        let def2 = SlurmNodeDefinition.placed(
            name: "n", online: partly.onlineCPUs, jobs: CPUSet([2, 6, 3]), topology: partly, realMemoryMiB: nil, features: [])
        #expect(def2.cpus == 7 && def2.shape == nil && def2.cpuSpecList == [0, 1, 2, 3])
    }

    @Test func theLayoutNamesAJobPartitionThatIsALinuxServiceOfItsOwn() {
        func errors(_ slurm: String, service: String = "{name: compute, cpus: 2}") -> [String] {
            LayoutDecoder.decode(
                """
                apiVersion: sosplan/v1
                kind: HostLayout
                metadata: {name: n}
                spec:
                  services:
                    - \(service)
                    - {name: web, units: [nginx.service], cpus: 1}
                  slurm: \(slurm)
                """, file: "t.yaml"
            ).diagnostics.filter { $0.severity == .error }.map { "\($0.mark?.line ?? 0): \($0.message)" }
        }
        #expect(errors("{jobs: compute, node: cn1, features: [lwk]}").isEmpty)
        #expect(errors("{jobs: computer}").contains { $0.contains("8: spec.slurm.jobs: no service 'computer'") }, "\(errors("{jobs: computer}"))")
        #expect(errors("{jobs: web}").contains { $0.contains("runs units of its own") })
        #expect(errors("{jobs: compute}", service: "{name: compute, cpus: shared}").contains { $0.contains("has no CPUs of its own") })
        #expect(errors("{jobs: compute, node: 'a b'}").contains { $0.contains("is not a Slurm node name") })
        #expect(errors("{jobs: compute, features: ['x,y']}").contains { $0.contains("is not a Slurm feature name") })
        #expect(errors("{node: cn1}").contains { $0.contains("missing required field 'jobs'") })
        // Only the job partition may run nothing of its own.
        #expect(errors("{jobs: web}").contains { $0.contains("a service needs 'units'") })
    }
}
