import SosplanCore
import SosplanTestSupport

/// A host in a state the fixture snapshots never show, and a layout that
/// moves it: co-kernel enclaves (named, orphaned, foreign) and IHK's pool
/// on offline CPUs with owners, an offline CPU with unknown topology, CPU
/// isolation, memory blocks, hugepages, warnings, and systemd units sosplan
/// manages, has abandoned, or has never seen, one of them with every
/// optional property set, and a kubelet whose static CPU manager restarts
/// when its slice is confined, and a Slurm node whose line is out of date. Planning it gives a step of almost every action.
enum UnusualHost {
    static let layoutText = """
        apiVersion: sosplan/v1
        kind: HostLayout
        metadata:
          name: odd-host-1
        spec:
          policy:
            disruption: allow
          host:
            cpus: 2
          hugepages:
            - {size: 2Mi, count: 512, numa: 0}
        \(kernelLayout)
          enclaves:
            - name: kit
              driver: pisces
              cpus: {count: 4, numa: 1}
              memory: {size: 1Gi, numa: 1}
            - name: kat
              driver: pisces
              cpus: {count: 2, numa: 1}
              memory: {size: 512Mi, numa: 1}
            - name: fresh
              driver: mckernel
              args: hidos
              cpus: {count: 2, numa: 0}
              memory: {size: 1Gi, numa: 0}
          services:
            - name: web
              units: [nginx.service]
              cpus: 4
              cpuWeight: 500
              memory: {max: 4Gi}
            - name: db
              units: [postgresql.service]
              cpus: {count: 2, numa: 0}
        \(kernelService)
            - name: batch
              exec: ["/usr/bin/batch", "--fast"]
            - name: api
              container:
                image: localhost/api:2
                env: {MODE: fast}
                mounts: [{source: /srv/api, target: /data, readOnly: true}]
            - name: cache
              container: {image: "localhost/cache:1"}
              memory: {max: 1Gi}
            - name: solver
              stack: enclave:kit
              exec: ["/opt/solver", "-n", 4]
              cpus: 2
            - name: pods
              existingSlice: kubepods.slice
        \(slurmLayout)
        """

    /// 2 packages × 8 cores × 2 threads: node 0 holds CPUs 0-7,16-23, node 1 8-15,24-31.
    static func snapshot() -> HostSnapshot {
        let base = SyntheticHost.snapshot(packages: 2, coresPerNode: 8, threadsPerCore: 2)
        var topology = base.topology
        let gib: UInt64 = 1 << 30
        let kit = EnclaveInstance(
            driver: .pisces, instance: "1", name: "kit", state: "RUNNING", cpus: CPUSet([14, 30]),
            memory: [MemoryChunk(node: 1, bytes: gib)], image: "/opt/kitten/vmlwk.bin", args: "console=pisces")
        let kat = EnclaveInstance(
            driver: .pisces, instance: "2", name: "kat", state: "RUNNING", cpus: CPUSet([12, 13, 28, 29]),
            memory: [MemoryChunk(node: 1, bytes: gib / 2)])
        let old = EnclaveInstance(
            driver: .mckernel, instance: "0", name: "old", state: "RUNNING", cpus: CPUSet([15, 31]),
            memory: [MemoryChunk(node: 1, bytes: gib)], image: "/opt/mckernel/kernel/mckernel.img", args: "hidos")
        let foreign = EnclaveInstance(driver: .mos, instance: "partition", state: "LOADED", cpus: CPUSet([11, 27]), memory: [])
        let pool = EnclavePool(driver: .mckernel, cpus: CPUSet([10, 26]), memory: [MemoryChunk(node: 1, bytes: 256 << 20)])
        for holder in [kit, kat, old, foreign] {
            for cpu in holder.cpus { take(cpu, by: holder.ownerLabel, in: &topology) }
        }
        for cpu in pool.cpus { take(cpu, by: "mckernel:pool", in: &topology) }
        // Offline, nobody's, and sysfs no longer says where it sits.
        topology.cpus[25] = CPUInfo(id: 25, online: false, threadSiblings: CPUSet([9, 25]))
        topology.isolatedCPUs = CPUSet(Array(8...15) + Array(24...31))
        topology.nohzFullCPUs = CPUSet(Array(9...15) + Array(25...31))
        topology.nodes[0].hugepages[1] = HugepagePool(sizeBytes: gib, total: 4, free: 1)
        topology.nodes[0].memoryBlocks = MemoryBlocks(online: CPUSet(0...511))
        topology.nodes[1].memoryBlocks = MemoryBlocks(online: CPUSet(512...1007), offline: CPUSet(1008...1023))
        var snapshot = HostSnapshot(
            hostname: "odd-host-1.example.org", topology: topology, systemd: systemd(),
            enclaves: [kit, kat, old, foreign], enclavePools: [pool], kubelet: kubelet(), kernel: kernel(online: topology.onlineCPUs),
            warnings: ["cpu 25: offline and sysfs has no topology/ directory; its package, core and node are unknown"])
        snapshot.slurm = slurm()
        snapshot.refreshFingerprint()
        return snapshot
    }

    /// A kubelet with a static CPU manager whose state lists every CPU but
    /// the reserved ones: confining kubepods.slice restarts it.
    static func kubelet() -> KubeletObservation {
        let reserved = CPUSet([0, 1, 16, 17])
        return KubeletObservation(
            configFile: "/var/lib/kubelet/config.yaml",
            configuration: KubeletConfiguration(
                cpuManagerPolicy: "static", topologyManagerPolicy: .singleNUMANode, topologyManagerScope: .pod,
                memoryManagerPolicy: "Static", reservedSystemCPUs: reserved, strictCPUReservation: true),
            cpuManagerState: .init(
                file: "/var/lib/kubelet/cpu_manager_state", policyName: "static", cpus: CPUSet(0...31).subtracting(reserved)))
    }

    private static func take(_ cpu: Int, by owner: String, in topology: inout Topology) {
        topology.cpus[cpu].online = false
        topology.cpus[cpu].owner = owner
    }

    private static func systemd() -> SystemdState {
        var units: [SystemdUnit] = []
        for name in ["init.scope", "system.slice", "user.slice"] {
            var u = unit(name, managed: true, slice: name == "init.scope" ? "-.slice" : nil)
            u.allowedCPUs = CPUSet([0, 1, 16, 17])
            units.append(u)
        }
        var web = unit("sosplan-web.slice", managed: true, slice: "-.slice")
        web.allowedCPUs = CPUSet([2, 3, 18, 19])
        web.cpuWeight = 200
        units.append(web)
        units.append(unit("nginx.service", managed: false, slice: "system.slice"))
        units.append(unit("kubelet.service", managed: false, slice: "system.slice"))
        units.append(unit("kubepods.slice", managed: false, slice: "-.slice"))
        var postgres = unit("postgresql.service", managed: false, slice: "system.slice")
        postgres.activeState = "inactive"
        units.append(postgres)
        units.append(everyProperty())
        units.append(unit("sosplan-gone.slice", managed: true, slice: "-.slice"))
        units.append(unit("sosplan-gone.service", managed: true, slice: "sosplan-gone.slice"))
        units.append(unit("legacy.service", managed: true, slice: "sosplan-gone.slice"))
        // Container units: one the layout keeps (its CPUs move: live), one it dropped.
        var cache = unit("sosplan-cache.service", managed: true, slice: "sosplan-cache.slice")
        cache.execStart = ContainerRun(name: "sosplan-cache", spec: ContainerSpec(image: "localhost/cache:1"), cpus: CPUSet([6]))
            .argumentVector(podman: "/usr/bin/podman")
        units.append(cache)
        var oldWeb = unit("sosplan-oldweb.service", managed: true, slice: "sosplan-oldweb.slice")
        oldWeb.execStart = ContainerRun(name: "sosplan-oldweb", spec: ContainerSpec(image: "localhost/web:1"))
            .argumentVector(podman: "/usr/bin/podman")
        units.append(oldWeb)
        units.append(irqbalanceUnit())
        return SystemdState(units: units)
    }

    /// An `exec:` unit sosplan made, now in another slice, with every
    /// optional property set.
    static func everyProperty() -> SystemdUnit {
        var u = unit("sosplan-batch.service", managed: true, slice: "sosplan-old.slice")
        u.controlGroup = "/sosplan.slice/sosplan-old.slice/sosplan-batch.service"
        u.allowedCPUs = CPUSet([4, 5, 20, 21])
        u.allowedMemoryNodes = CPUSet([0])
        u.effectiveCPUs = CPUSet([4, 5, 20, 21])
        u.cpuWeight = 100
        u.ioWeight = 50
        u.cpuQuotaPerSecUSec = 1_500_000
        u.memoryMin = 0
        u.memoryLow = 1 << 28
        u.memoryHigh = 3 << 30
        u.memoryMax = 4 << 30
        u.tasksMax = 4915
        u.execStart = ["/usr/bin/batch", "--slow"]
        var container = ContainerState(name: "sosplan-batch", state: "running")
        container.id = "0123456789abcdef"
        container.image = "localhost/batch:1"
        container.startedAt = "2026-12-04T12:00:00Z"
        container.cpusetCpus = CPUSet([4, 5])
        container.cpusetMems = CPUSet([0])
        container.memory = 4 << 30
        container.memoryReservation = 1 << 30
        u.container = container
        u.numaPolicy = NUMAPolicySetting(.interleave, nodes: CPUSet([0, 1]))
        return u
    }

    private static func unit(_ name: String, managed: Bool, slice: String?) -> SystemdUnit {
        var u = SystemdUnit(name: name, managed: managed)
        u.loadState = "loaded"
        u.activeState = "active"
        u.slice = slice
        return u
    }

    /// The planner's result from `snapshot` to `layoutText`.
    static func plan(_ snapshot: HostSnapshot) -> (plan: Plan?, diagnostics: [Diagnostic]) {
        let decoded = LayoutDecoder.decode(layoutText, file: "odd-host-1.yaml")
        guard let layout = decoded.layout else { return (nil, decoded.diagnostics) }
        let result = Planner(layout: layout, snapshot: snapshot, capabilities: EnclaveCapabilities.known).plan()
        return (result.plan, result.diagnostics)
    }

    /// `plan` with hand-made steps and a note appended, for actions the v1
    /// planner makes for no co-kernel: `memory.offline`/`memory.online`;
    /// `cpu.offline`/`cpu.online` (every co-kernel's tools take CPUs out of
    /// Linux and give them back themselves); `enclave.shrink` (no co-kernel
    /// removes CPUs from a running instance: no Pisces tool has since 2015).
    static func withMemorySteps(_ plan: Plan) -> Plan {
        var steps = plan.steps
        if !steps.contains(where: { $0.action == .enclaveShrink }) {
            steps.append(Step(
                id: "s\(steps.count + 1)", action: .enclaveShrink, target: .enclave(.named("kat")), disruption: .live,
                before: ["cpus": .string("12-13,28-29")], after: ["cpus": .string("12,28")]))
        }
        if !steps.contains(where: { $0.action == .cpuOffline }) {
            steps.append(Step(
                id: "s\(steps.count + 1)", action: .cpuOffline, target: .cpus(try! CPUSet(lenientList: "40-41")), disruption: .live,
                before: ["online": .bool(true)], after: ["online": .bool(false)], reason: "CPUs for an enclave"))
            steps.append(Step(
                id: "s\(steps.count + 1)", action: .cpuOnline, target: .cpus(try! CPUSet(lenientList: "40-41")), dependsOn: ["s\(steps.count)"],
                disruption: .live, before: ["online": .bool(false)], after: ["online": .bool(true)]))
        }
        steps.append(irqbalanceStop(id: "s\(steps.count + 1)"))
        let last = steps.last.map { [$0.id] } ?? []
        steps.append(Step(
            id: "s\(steps.count + 1)", action: .memoryOffline, target: .memoryBlocks(CPUSet(1008...1023)), dependsOn: last,
            disruption: .live, before: ["online": .bool(true)], after: ["online": .bool(false)],
            reason: "memory blocks for an enclave"))
        steps.append(Step(
            id: "s\(steps.count + 1)", action: .memoryOnline, target: .memoryBlocks(CPUSet(1008...1023)),
            dependsOn: ["s\(steps.count)"], disruption: .none, before: ["online": .bool(false)],
            after: ["online": .bool(true)]))
        return Plan(
            layout: plan.layout, placement: plan.placement, steps: steps, notes: plan.notes + ["memory steps made by hand"],
            snapshotFingerprint: plan.snapshotFingerprint)
    }
}
