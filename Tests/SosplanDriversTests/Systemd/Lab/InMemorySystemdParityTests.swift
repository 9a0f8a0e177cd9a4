import Foundation
import SosplanCore
import SosplanDrivers
import SosplanTestSupport
import Testing

/// The in-memory systemd the engine's tests run on, held to the real one:
/// the same calls on the lab's systemd and on it report the same actions
/// and read back the same state (the fields the engine checks).
@Suite("the in-memory systemd behaves like the lab", .enabled(if: labAvailable, labSkipReason))
struct InMemorySystemdParityTests {
    /// What the engine reads of a change: its actions (paths relative to the
    /// unit directory) and the unit's state.
    struct Seen: Equatable, CustomStringConvertible {
        var actions: [String]
        var loadState: String?
        var activeState: String?
        var managed: Bool
        var slice: String?
        var allowedCPUs: CPUSet?
        var cpuWeight: UInt64?
        var memoryMax: UInt64?
        var execStart: [String]?
        var numaPolicy: NUMAPolicySetting?

        init(_ change: SystemdChange, unitDirectory: String, compareSlice: Bool) {
            actions = change.actions.map { $0.description.replacingOccurrences(of: unitDirectory + "/", with: "") }
            let s = change.state
            (loadState, activeState, managed) = (s.loadState, s.activeState, s.managed)
            slice = compareSlice ? s.slice : nil
            (allowedCPUs, cpuWeight, memoryMax, execStart) = (s.allowedCPUs, s.cpuWeight, s.memoryMax, s.execStart)
            numaPolicy = s.numaPolicy
        }

        var description: String {
            "\(actions) \(loadState ?? "-")/\(activeState ?? "-") managed=\(managed) slice=\(slice ?? "-") cpus=\(allowedCPUs?.description ?? "-") weight=\(cpuWeight.map(String.init) ?? "-") max=\(memoryMax.map(String.init) ?? "-") exec=\(execStart ?? []) numa=\(numaPolicy?.description ?? "-")"
        }
    }

    /// The same sequence on both; each step's view of every change.
    func run(_ d: some SystemdControl, unitDirectory: String, tag: String, plain: String) throws -> [[Seen]] {
        let a = "sosplan-\(tag)-a.slice", b = "sosplan-\(tag)-b.slice", exec = "sosplan-\(tag)-x.service"
        func seen(_ changes: [SystemdChange], services: Bool = false) -> [Seen] {
            changes.map { Seen($0, unitDirectory: unitDirectory, compareSlice: services) }
        }
        let settings = ResourceControl(allowedCPUs: CPUSet([0, 1]), cpuWeight: 200, memoryMax: .value(128 << 20))
        var steps: [[Seen]] = []
        steps.append(seen(try d.applySlices([SliceRequest(name: a, resources: settings), SliceRequest(name: b)])))
        steps.append(seen(try d.applySlices([SliceRequest(name: a, resources: settings), SliceRequest(name: b)])))
        var heavier = settings
        heavier.cpuWeight = 300
        steps.append(seen(try d.applySlices([SliceRequest(name: a, resources: heavier)])))
        let request = ExecUnitRequest(name: exec, slice: a, arguments: ["/usr/bin/sleep", "infinity"])
        steps.append(seen([try d.createUnit(request)], services: true))
        steps.append(seen([try d.createUnit(request)], services: true))
        // memory.policy: a restart with the policy, then without it again.
        var interleaved = request
        interleaved.numaPolicy = NUMAPolicySetting(.interleave, nodes: CPUSet([0]))
        steps.append(seen([try d.updateUnit(interleaved)], services: true))
        steps.append(seen([try d.updateUnit(request)], services: true))
        steps.append(seen([try d.placeUnit(plain, inSlice: b)], services: true))
        steps.append(seen([try d.placeUnit(plain, inSlice: b)], services: true))
        steps.append(seen([try d.releaseUnit(plain)], services: true))
        steps.append(seen([try d.removeUnit(exec)], services: true))
        steps.append(seen(try d.removeSlices([a, b])))
        return steps
    }

    @Test("slices, an exec unit and a placed unit: the same actions and states")
    func sameActionsAndStates() throws {
        let ctx = try LabContext.shared()
        let foreign = try ctx.foreignService("parity")
        let plain = foreign.name
        defer {
            _ = try? ctx.systemctl("stop", plain)
            try? FileManager.default.removeItem(at: foreign.path)
            _ = try? ctx.systemctl("daemon-reload")
        }
        let lab = try run(ctx.driver, unitDirectory: ctx.lab.unitDirectory.path, tag: ctx.tag, plain: plain)

        let memory = InMemorySystemd()
        memory.addVendorUnit(plain)
        let fake = try run(memory, unitDirectory: memory.unitDirectory, tag: ctx.tag, plain: plain)
        #expect(lab.count == fake.count)
        for (i, (l, f)) in zip(lab, fake).enumerated() {
            #expect(l == f, "step \(i + 1):\n  lab:       \(l)\n  in memory: \(f)")
        }
    }

    @Test("refusals: another manager's file, a slice name that is the host's")
    func sameRefusals() throws {
        let ctx = try LabContext.shared()
        let foreign = ctx.name("theirs", "slice")
        try FileManager.default.createDirectory(at: ctx.file(foreign + ".d"), withIntermediateDirectories: true)
        try "[Unit]\nDescription=theirs\n".write(to: ctx.file(foreign + ".d/40-sosplan-properties.conf"), atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: ctx.file(foreign + ".d")) }
        let memory = InMemorySystemd()
        memory.addForeignFile(foreign + ".d/40-sosplan-properties.conf", unit: foreign)
        for (name, d) in [("lab", ctx.driver as any SystemdControl), ("in memory", memory)] {
            #expect(throws: SystemdError.self, "\(name)") { try d.removeSlices([foreign]) }
            #expect(throws: SystemdError.invalidName(
                field: "slice", name: "system.slice",
                reason: "system.slice belongs to the host; sosplan confines it with host.confine but never uses it for a service")) {
                try d.applySlices([SliceRequest(name: "system.slice")])
            }
        }
    }
}
