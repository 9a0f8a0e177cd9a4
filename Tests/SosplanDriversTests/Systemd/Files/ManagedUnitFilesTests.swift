import Foundation
import SosplanCore
import SosplanDrivers
import SosplanTestSupport
import Testing

@Suite("the files sosplan writes")
struct ManagedUnitFilesTests {
    static func golden(_ name: String) -> URL {
        RepositoryPaths.fixtures.appendingPathComponent("Systemd/UnitFiles/\(name)")
    }

    static let resources = ResourceControl(
        allowedCPUs: CPUSet([4, 5, 6, 7]), allowedMemoryNodes: CPUSet([0]), cpuWeight: 200, ioWeight: 100,
        cpuQuotaPerSecUSec: 350_000, memoryMin: .value(1 << 30), memoryLow: .value(2 << 30),
        memoryHigh: .value(7 << 30), memoryMax: .value(8 << 30), tasksMax: .value(4096))

    @Test("golden renderings", arguments: ["sosplan-web.slice", "admin.slice.d-40-sosplan-properties.conf",
                                             "nginx.service.d-40-sosplan-placement.conf", "sosplan-batch.service",
                                             "init.scope.d-40-sosplan-confine.conf"])
    func golden(name: String) throws {
        let file: UnitFile
        switch name {
        case "sosplan-web.slice":
            file = try ManagedUnitFiles.slice(SliceRequest(name: "sosplan-web.slice", description: "web: 100% of node 0", resources: Self.resources), kind: .slice)
        case "admin.slice.d-40-sosplan-properties.conf":
            file = try ManagedUnitFiles.slice(SliceRequest(name: "admin.slice", resources: ResourceControl(cpuWeight: 50)), kind: .sliceProperties)
        case "nginx.service.d-40-sosplan-placement.conf":
            file = try ManagedUnitFiles.placement(unit: UnitName("nginx.service"), slice: UnitName("sosplan-web.slice"))
        case "sosplan-batch.service":
            file = try ManagedUnitFiles.execUnit(ExecUnitRequest(
                name: "sosplan-batch.service", slice: "sosplan-batch.slice",
                arguments: ["/usr/local/bin/batch-worker", "--queue", "low priority", "--rate=50%", "$HOME", "say \"hi\"\\"]))
        default:
            file = try ManagedUnitFiles.confinement(unit: UnitName("init.scope"), cpus: CPUSet([0, 1]))
        }
        let outcome = Golden.check(file.render(), against: Self.golden(name))
        #expect(outcome.isMatch, "\(outcome.message)")
        #expect(ManagedUnitFiles.kind(of: file.render()) != nil)
    }

    /// Every field that ends up in a file, with a value that tries to add a
    /// directive. Each must be refused, or escaped so the parsed file holds
    /// exactly the intended keys with the intended values.
    static let injections = [
        "x\nExecStartPre=/bin/rm -rf /", "x\r\nUser=root", "x\0y", "x\\", "[Service]\nUser=root", "x\u{2028}y",
    ]

    @Test("injection through the slice name, description and settings is refused")
    func sliceInjection() throws {
        for bad in Self.injections {
            #expect(throws: SystemdError.self) { try ManagedUnitFiles.slice(SliceRequest(name: "s\(bad).slice"), kind: .slice) }
            #expect(throws: SystemdError.self) {
                try ManagedUnitFiles.slice(SliceRequest(name: "s.slice", description: bad), kind: .slice)
            }
        }
        #expect(throws: SystemdError.self) { try ManagedUnitFiles.slice(SliceRequest(name: "system.slice"), kind: .slice) }
        #expect(throws: SystemdError.self) { try ManagedUnitFiles.slice(SliceRequest(name: "web.service"), kind: .slice) }
        #expect(throws: SystemdError.self) {
            try ManagedUnitFiles.slice(SliceRequest(name: "s.slice", resources: ResourceControl(cpuWeight: 0)), kind: .slice)
        }
        #expect(throws: SystemdError.self) {
            try ManagedUnitFiles.slice(SliceRequest(name: "s.slice", resources: ResourceControl(tasksMax: .value(0))), kind: .slice)
        }
    }

    @Test("a description with specifiers and quotes is escaped, and parses to exactly the intended keys")
    func descriptionEscaped() throws {
        let file = try ManagedUnitFiles.slice(
            SliceRequest(name: "s.slice", description: "100% %n $X \"q\" a=b ; #x", resources: ResourceControl(cpuWeight: 5)),
            kind: .slice)
        let parsed = UnitFile.parse(file.render())
        #expect(parsed.sections.map(\.name) == ["Unit", "Slice"])
        #expect(parsed.sections[0].entries.map(\.key) == ["Description", "X-Sosplan-Managed"])
        #expect(parsed.value("Description", in: "Unit") == "100%% %%n $X \"q\" a=b ; #x")
        #expect(parsed.sections[1].entries == [.init("CPUWeight", "5")])
    }

    @Test("injection through the exec unit's name, slice, arguments and description is refused or escaped")
    func execInjection() throws {
        for bad in Self.injections {
            let base = ExecUnitRequest(name: "sosplan-x.service", slice: "sosplan-x.slice", arguments: ["/bin/true"])
            var r = base
            r.name = "sosplan-x\(bad).service"
            #expect(throws: SystemdError.self) { try ManagedUnitFiles.execUnit(r) }
            r = base
            r.slice = "sosplan-x\(bad).slice"
            #expect(throws: SystemdError.self) { try ManagedUnitFiles.execUnit(r) }
            r = base
            r.description = bad
            #expect(throws: SystemdError.self) { try ManagedUnitFiles.execUnit(r) }
            r = base
            r.arguments = ["/bin/echo", bad]
            if bad != "x\\" {  // all but the trailing backslash carry a line break or control character
                #expect(throws: SystemdError.self) { try ManagedUnitFiles.execUnit(r) }
            } else {
                let parsed = UnitFile.parse(try ManagedUnitFiles.execUnit(r).render())
                #expect(parsed.sections.map(\.name) == ["Unit", "Service", "Install"])
                #expect(parsed.sections[1].entries.map(\.key) == ["Type", "ExecStart", "Slice", "Restart"])
                #expect(SystemdExecLineModel.argv(try #require(parsed.value("ExecStart", in: "Service"))) == ["/bin/echo", bad])
            }
        }
        // Only sosplan-*.service names, and never someone else's unit.
        for name in ["nginx.service", "sosplan-x.slice", "sosplan-x@.service"] {
            #expect(throws: SystemdError.self) {
                try ManagedUnitFiles.execUnit(ExecUnitRequest(name: name, slice: "sosplan-x.slice", arguments: ["/bin/true"]))
            }
        }
    }

    @Test("placement and confinement files hold exactly one setting")
    func placementAndConfinement() throws {
        let placed = UnitFile.parse(try ManagedUnitFiles.placement(unit: UnitName("cron.socket"), slice: UnitName("a-b.slice")).render())
        #expect(placed.sections.map(\.name) == ["Unit", "Socket"])
        #expect(placed.sections[1].entries == [.init("Slice", "a-b.slice")])
        let confined = UnitFile.parse(try ManagedUnitFiles.confinement(unit: UnitName("system.slice"), cpus: CPUSet([0, 2])).render())
        #expect(confined.sections[1] == .init("Slice", [.init("AllowedCPUs", "0,2")]))
        #expect(throws: SystemdError.self) { try ManagedUnitFiles.confinement(unit: UnitName("system.slice"), cpus: CPUSet()) }
    }

    @Test("the marker decides ownership, not the comment")
    func marker() {
        #expect(ManagedUnitFiles.kind(of: "[Unit]\nX-Sosplan-Managed=slice\n") == .slice)
        #expect(ManagedUnitFiles.kind(of: "# Managed by sosplan\n[Unit]\nDescription=x\n") == nil)
        #expect(ManagedUnitFiles.kind(of: "[Service]\nX-Sosplan-Managed=slice\n") == nil)
        #expect(ManagedUnitFiles.kind(of: "[Unit]\nX-Sosplan-Managed=something-else\n") == nil)
    }
}
