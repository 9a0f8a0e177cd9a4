import Foundation
import SosplanCore
import SosplanTestSupport
import Testing

/// `Schemas/snapshot.schema.json` against what `HostSnapshot.jsonText()`
/// writes: the checked-in fixture snapshots, a host in an unusual state,
/// and documents broken one field at a time, which it must reject.
@Suite struct SnapshotSchemaTests {
    static let schema = "snapshot.schema.json"

    @Test func schemaIsDocumented() throws {
        #expect(try SchemaCheck.undocumented(Self.schema) == [])
    }

    @Test func fixtureSnapshotsAreValid() throws {
        let files = try SchemaCheck.jsonFiles(in: RepositoryPaths.fixtures.appendingPathComponent("Snapshots"))
        #expect(!files.isEmpty, "no snapshots under Tests/Fixtures/Snapshots")
        let verdicts = try SchemaCheck.validate(files: files, against: Self.schema)
        for (name, _) in files {
            #expect(verdicts[name]?.valid == true, "\(name): \(verdicts[name]?.errors ?? [])")
        }
    }

    @Test func unusualSnapshotsAreValid() throws {
        let snapshot = UnusualHost.snapshot()
        let json = snapshot.jsonValue()
        // The document really has what it is here for.
        let units = json["systemd"]?["units"]?.arrayValue ?? []
        let full = units.first { $0["name"]?.stringValue == "sosplan-batch.service" }?.objectValue ?? []
        #expect(full.count == Mirror(reflecting: UnusualHost.everyProperty()).children.count,
                "every SystemdUnit property is written: \(full.map(\.0))")
        let cpus = json["topology"]?["cpus"]?.arrayValue ?? []
        #expect(cpus.contains { $0["owner"]?.stringValue == "mckernel:pool" })
        #expect(cpus.contains { $0["node"]?.isNull == true && $0["package"]?.isNull == true })
        #expect(json["enclavePools"]?.arrayValue?.count == 1 && json["enclaves"]?.arrayValue?.count == 4)

        let plan = try #require(UnusualHost.plan(snapshot).plan)
        let after = PlanSimulator(capabilities: EnclaveCapabilities.known).apply(plan, to: snapshot)
        var bare = HostSnapshot(topology: SyntheticHost.snapshot(packages: 1, coresPerNode: 2).topology)
        bare.topology.memoryBlockSizeBytes = nil
        let verdicts = try SchemaCheck.validate(
            [("unusual", snapshot.jsonText()), ("after the plan", after.jsonText()),
             ("no hostname, systemd or block size", bare.jsonText())],
            against: Self.schema)
        for (name, verdict) in verdicts.sorted(by: { $0.key < $1.key }) {
            #expect(verdict.valid, "\(name): \(verdict.errors)")
        }
    }

    /// Each mutation breaks one rule of the contract; the unmutated
    /// document is checked alongside, so a schema that rejects everything
    /// fails too.
    @Test func brokenSnapshotsAreRejected() throws {
        let snapshot = UnusualHost.snapshot()
        let base = snapshot.jsonValue()
        let batch = try #require(snapshot.systemd?.units.firstIndex { $0.name == "sosplan-batch.service" })
        let online = try #require(snapshot.topology.cpus.firstIndex { $0.online })
        let mutations: [(String, [JSONPathStep], JSONValue?)] = [
            ("another schema id", ["schema"], .string("sosplan.snapshot/v2")),
            ("a plan's schema id", ["schema"], .string("sosplan.plan/v1")),
            ("a CPU list with a trailing comma", ["topology", "nodes", 0, "cpus"], .string("0-7,16-23,")),
            ("a CPU list with dots", ["topology", "nodes", 0, "cpus"], .string("0..7")),
            ("a CPU list as an array", ["topology", "isolatedCPUs"], .array([.int(8), .int(9)])),
            ("empty thread siblings", ["topology", "cpus", 0, "threadSiblings"], .string("")),
            ("no fingerprint", ["fingerprint"], nil),
            ("a fingerprint that is not sha256", ["fingerprint"], .string("sha256:1234")),
            ("an extra top-level field", ["extra"], .bool(true)),
            ("an extra CPU field", ["topology", "cpus", 0, "smt"], .int(2)),
            ("an unknown node omitted instead of null", ["topology", "cpus", 0, "node"], nil),
            ("a negative package", ["topology", "cpus", 0, "package"], .int(-1)),
            ("an owner on an online CPU", ["topology", "cpus", .index(online), "owner"], .string("enclave:kit")),
            ("an owner that names nobody", ["topology", "cpus", 14, "owner"], .string("kit")),
            ("negative memory", ["topology", "nodes", 0, "memoryBytes"], .int(-1)),
            ("memory as a quantity", ["topology", "nodes", 0, "freeBytes"], .string("16Gi")),
            ("no hugepage pools", ["topology", "nodes", 0, "hugepages"], nil),
            ("UINT64_MAX written for infinity", ["systemd", "units", .index(batch), "memoryMax"], .uint(UInt64.max)),
            ("a unit without managed", ["systemd", "units", .index(batch), "managed"], nil),
            ("a unit name without a type", ["systemd", "units", .index(batch), "name"], .string("sosplan-batch")),
            ("an unknown unit property", ["systemd", "units", .index(batch), "CPUQuota"], .string("150%")),
            ("an unknown driver", ["enclaves", 0, "driver"], .string("kitten")),
            ("an enclave without state", ["enclaves", 0, "state"], nil),
            ("memory chunk with a size", ["enclaves", 0, "memory", 0, "size"], .string("1Gi")),
            ("no pools field", ["enclavePools"], nil),
            ("warnings as one string", ["warnings"], .string("cpu 25 is odd")),
            ("an IRQ affinity as an array", ["kernel", "irqs", 1, "affinity"], .array([.int(0)])),
            ("an IRQ said to be movable", ["kernel", "irqs", 2, "movable"], .bool(true)),
            ("an IRQ without a number", ["kernel", "irqs", 1, "number"], nil),
            ("a boot argument a shell would split", ["kernel", "bootArguments", "arguments", 0], .string("nohz_full=1 $(reboot)")),
            ("boot arguments elsewhere", ["kernel", "bootArguments", "path"], .string("/etc/kernel/cmdline")),
            ("a C-state latency in ns text", ["kernel", "cpus", 0, "idleStates", 1, "latency"], .string("2us")),
            ("a kernel without the record", ["kernel", "originals"], nil),
            ("an unknown kernel field", ["kernel", "nohz"], .bool(true)),
        ]
        var documents = [("unmutated", JSONWriter.pretty(base))]
        for (name, path, value) in mutations {
            documents.append((name, JSONWriter.pretty(base.setting(path, to: value))))
        }
        let verdicts = try SchemaCheck.validate(documents, against: Self.schema)
        #expect(verdicts["unmutated"]?.valid == true, "the unmutated snapshot: \(verdicts["unmutated"]?.errors ?? [])")
        for (name, _, _) in mutations {
            #expect(verdicts[name]?.valid == false, "\(name): accepted, expected the schema to reject it")
        }
    }
}
