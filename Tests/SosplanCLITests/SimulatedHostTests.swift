import Foundation
import SosplanCore
import SosplanDrivers
import SosplanTestSupport
import Testing

/// `sosplan observe` and `sosplan plan` on a host whose co-kernels are the
/// simulators: the enclaves appear in the snapshot with their offline CPUs,
/// and the plan uses the drivers' capabilities (Pisces grows live but only
/// shrinks by a recreate, McKernel needs a recreate for either).
@Suite struct SimulatedHostTests {
    final class Host {
        let scratch: ScratchDirectory
        let root: String, tools: String, state: String
        let configuration: EnclaveToolConfiguration

        init() throws {
            scratch = try ScratchDirectory("sim-cli")
            root = scratch.path("root").path
            tools = scratch.path("tools").path
            state = scratch.path("state").path
            configuration = EnclaveToolConfiguration(
                toolsDirectory: tools, root: root,
                timeouts: EnclaveTimeouts(tool: 30, boot: 5, shutdown: 5, pollInterval: 0.01, busyRetries: 3, busyBackoff: 0.01))
            let r = try CommandRunner.run(
                RepositoryPaths.product("sosplan-sim"),
                ["install", "--root", root, "--tools", tools, "--cpus", "8", "--nodes", "2", "--memory", "8Gi", "--drivers", "ihk,pisces"])
            guard r.status == 0 else { throw FixtureError(description: r.stderr) }
        }

        deinit { scratch.remove() }

        func file(_ name: String, _ text: String) throws -> String {
            let path = scratch.path(name).path
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }

        var stateDirectory: StateDirectory { StateDirectory(path: state) }

        func sosplan(_ args: [String]) throws -> CommandResult {
            try CommandRunner.sosplan(args + ["--root", root, "--tools-dir", tools, "--state-dir", state])
        }
    }

    struct FixtureError: Error { var description: String }

    func boot(_ host: Host) throws {
        let image = try host.file("mckernel.img", "image")
        _ = try host.file("lwk_init", "init")
        let kitten = try host.file("vmlwk.bin", "image")
        _ = try IHKDriver(configuration: host.configuration, stateDirectory: host.stateDirectory).create(
            EnclaveRequest(name: "mck", cpus: CPUSet(2...3), memory: [MemoryChunk(node: 0, bytes: 256 << 20)], image: image, args: "hidos"))
        _ = try PiscesDriver(configuration: host.configuration, stateDirectory: host.stateDirectory).create(
            EnclaveRequest(name: "kit", cpus: CPUSet(6...7), memory: [MemoryChunk(node: 1, bytes: 128 << 20)], image: kitten))
    }

    @Test func observeReportsEnclavesAndTheirOfflineCPUs() throws {
        let host = try Host()
        try boot(host)
        let r = try host.sosplan(["observe", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let snapshot = try HostSnapshot.decode(json: r.stdout)
        let byName = Dictionary(uniqueKeysWithValues: snapshot.enclaves.compactMap { e in e.name.map { ($0, e) } })
        #expect(byName["mck"]?.driver == .mckernel && byName["mck"]?.cpus == CPUSet(2...3))
        #expect(byName["kit"]?.driver == .pisces && byName["kit"]?.cpus == CPUSet(6...7))
        for cpu in snapshot.topology.cpus {
            switch cpu.id {
            case 2, 3: #expect(!cpu.online && cpu.owner == "enclave:mck")
            case 6, 7: #expect(!cpu.online && cpu.owner == "enclave:kit")
            default: #expect(cpu.online && cpu.owner == nil)
            }
        }
        let text = try host.sosplan(["observe"])
        #expect(text.stdout.contains("mck"), "\(text.stdout)")
    }

    @Test func planUsesTheDriversCapabilities() throws {
        let host = try Host()
        try boot(host)
        func layout(_ disruption: String, kitCPUs: Int, mckCPUs: Int) throws -> String {
            try Self.layout(host, disruption, kitCPUs: kitCPUs, mckCPUs: mckCPUs)
        }
        // Pisces adds CPUs to a running enclave: a live grow, the tools offline the new CPU themselves.
        let grow = try host.sosplan(["plan", try layout("defer", kitCPUs: 3, mckCPUs: 2), "--no-systemd", "--format", "json"])
        #expect(grow.status == 2, "\(grow.stderr)")
        let growPlan = try Plan.decode(json: grow.stdout)
        let growStep = try #require(growPlan.steps.first { $0.action == .enclaveGrow })
        #expect(growStep.target == .enclave(.named("kit")) && growStep.disruption == .live)
        #expect(growStep.after["addCPUs"]?.stringValue.flatMap { try? CPUSet(lenientList: $0) }?.count == 1)
        #expect(!growPlan.steps.contains { $0.action == .cpuOffline })
        // McKernel cannot change CPUs after boot: deferred under `defer`...
        let deferred = try host.sosplan(["plan", try layout("defer", kitCPUs: 2, mckCPUs: 3), "--no-systemd", "--format", "json"])
        let deferredPlan = try Plan.decode(json: deferred.stdout)
        #expect(!deferredPlan.steps.contains { $0.target == .enclave(.named("mck")) }, "\(deferred.stdout)")
        #expect(deferredPlan.notes.contains { $0.contains("enclave 'mck' is kept as it is") })
        // ...and recreated (destroy, then create, both labelled recreate) under `allow`.
        let allowed = try host.sosplan(["plan", try layout("allow", kitCPUs: 2, mckCPUs: 3), "--no-systemd", "--format", "json"])
        let steps = try Plan.decode(json: allowed.stdout).steps.filter { $0.target == .enclave(.named("mck")) }
        #expect(steps.map(\.action) == [.enclaveDestroy, .enclaveCreate], "\(allowed.stdout)")
        #expect(steps.allSatisfy { $0.disruption == .recreate })
        #expect(steps[1].dependsOn.contains(steps[0].id))
    }

    /// No Pisces tool removes a CPU (since 2015) and the module keeps a
    /// removed CPU listed: an enclave that loses CPUs is recreated, or kept
    /// under `disruption: defer`; never shrunk live.
    @Test func aPiscesEnclaveThatLosesCPUsIsRecreatedOrDeferredNeverShrunk() throws {
        let host = try Host()
        try boot(host)
        let deferred = try host.sosplan(["plan", try Self.layout(host, "defer", kitCPUs: 1, mckCPUs: 2), "--no-systemd", "--format", "json"])
        #expect(deferred.status == 0, "\(deferred.stdout)\(deferred.stderr)")
        let kept = try Plan.decode(json: deferred.stdout)
        #expect(!kept.steps.contains { $0.target == .enclave(.named("kit")) }, "\(deferred.stdout)")
        #expect(kept.notes.contains { $0.contains("enclave 'kit' is kept as it is") && $0.contains("pisces cannot remove CPUs from a running enclave") })

        let allowed = try host.sosplan(["plan", try Self.layout(host, "allow", kitCPUs: 1, mckCPUs: 2), "--no-systemd", "--format", "json"])
        #expect(allowed.status == 2, "\(allowed.stderr)")
        let plan = try Plan.decode(json: allowed.stdout)
        let kit = plan.steps.filter { $0.target == .enclave(.named("kit")) }
        #expect(kit.map(\.action) == [.enclaveDestroy, .enclaveCreate], "\(allowed.stdout)")
        #expect(kit.allSatisfy { $0.disruption == .recreate })
        #expect(!plan.steps.contains { $0.action == .enclaveShrink })
        let text = try host.sosplan(["plan", try Self.layout(host, "allow", kitCPUs: 1, mckCPUs: 2), "--no-systemd"])
        #expect(text.stdout.contains("recreate: enclave.destroy enclave:kit"), "\(text.stdout)")
    }

    static func layout(_ host: Host, _ disruption: String, kitCPUs: Int, mckCPUs: Int) throws -> String {
        try host.file("layout-\(disruption)-\(kitCPUs)-\(mckCPUs).yaml", """
            apiVersion: sosplan/v1
            kind: HostLayout
            metadata: {name: sim}
            spec:
              policy: {topology: none, smt: threads, disruption: \(disruption)}
              host: {cpus: 1, confine: false}
              enclaves:
                - {name: mck, driver: mckernel, args: hidos, cpus: "\(mckCPUs == 2 ? "2-3" : "2-4")", memory: [{size: 256Mi, numa: 0}]}
                - {name: kit, driver: pisces, cpus: \(kitCPUs), memory: [{size: 128Mi, numa: 1}]}
            """)
    }
}
