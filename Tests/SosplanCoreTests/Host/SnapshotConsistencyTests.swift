import Foundation
import SosplanCore
import SosplanTestSupport
import Testing

/// Saved snapshots that contradict themselves are refused when read, with
/// the JSON path of each contradiction; every real fixture reads.
@Suite struct SnapshotConsistencyTests {
    static let base: JSONValue = {
        let url = RepositoryPaths.fixtures.appendingPathComponent("Snapshots/16amd64-4n4c-cgroup-distance-merge.json")
        return try! JSONParser.parse(Array(try! Data(contentsOf: url)))
    }()

    /// The reason `text` is refused, or nil when it reads.
    static func refusal(_ value: JSONValue) -> String? {
        refusal(JSONWriter.pretty(value))
    }

    static func refusal(_ text: String) -> String? {
        do {
            _ = try HostSnapshot.decode(json: text)
            return nil
        } catch let e as JSONParser.Failure {
            return "\(e.mark): \(e.message)"
        } catch {
            return JSONValueDecoder.describe(error)
        }
    }

    @Test func everyFixtureSnapshotIsConsistent() throws {
        let dir = RepositoryPaths.fixtures.appendingPathComponent("Snapshots")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".json") }
        #expect(files.count >= 40)
        for file in files {
            let text = try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8)
            #expect(Self.refusal(text) == nil, "\(file)")
        }
    }

    static let contradictions: [(String, [JSONPathStep], JSONValue, String)] = [
        ("a CPU twice", ["topology", "cpus", 1, "id"], .int(0), "topology.cpus[1].id: CPU 0 is listed twice"),
        ("CPUs out of order", ["topology", "cpus", 0, "id"], .int(9), "topology.cpus[1].id: CPU 1 comes after CPU 9"),
        ("a negative CPU id", ["topology", "cpus", 0, "id"], .int(-1), "topology.cpus[0].id: -1 is not a CPU id"),
        ("an enormous CPU id", ["topology", "cpus", 15, "id"], .int(1 << 40), "is not a CPU id (0 to 4194303)"),
        ("a CPU in two nodes", ["topology", "nodes", 1, "cpus"], .string("0-7"), "topology.nodes[1].cpus: CPU 0 is in node 0 as well"),
        ("a node listing an absent CPU", ["topology", "nodes", 0, "cpus"], .string("0-3,99"), "topology.nodes[0].cpus: CPUs 99 are not in topology.cpus"),
        ("a CPU naming no node", ["topology", "cpus", 0, "node"], .int(-7), "topology.cpus[0].node: -7 is not a NUMA node id"),
        ("distances past Linux's limit", ["topology", "nodes", 0, "distances"], .array(Array(repeating: .int(10), count: 1025)), "1025 distances"),
        ("a CPU naming another node", ["topology", "cpus", 0, "node"], .int(1), "CPU 0 says node 1, but node 0 lists it"),
        ("a node twice", ["topology", "nodes", 1, "id"], .int(0), "topology.nodes[1].id: node 0 is listed twice"),
        ("a negative size", ["topology", "nodes", 0, "memoryBytes"], .int(-1), "topology.nodes[0].memoryBytes: expected a non-negative integer"),
        ("an enormous size", ["topology", "nodes", 0, "memoryBytes"], .uint(1 << 62), "more than any host has (at most 1 PiB)"),
        ("a size past 2^64", ["topology", "nodes", 0, "memoryBytes"], .uint(UInt64.max), "more than any host has"),
        ("more free than total", ["topology", "nodes", 0, "freeBytes"], .uint(1 << 49), "free is more than the node's"),
        ("a distance that is not one", ["topology", "nodes", 0, "distances"], .array([.int(10), .int(-1)]), "-1 is not a NUMA distance"),
        ("a sibling that is not there", ["topology", "cpus", 0, "threadSiblings"], .string("0,200"), "CPUs 200 are not in topology.cpus"),
        ("a negative package", ["topology", "cpus", 0, "package"], .int(-3), "topology.cpus[0].package: -3 is negative"),
        ("a CPU list past the limit", ["topology", "nodes", 0, "cpus"], .string("0-99999999"), "topology.nodes[0].cpus: not a CPU list"),
        ("a block size that is not a power of two", ["topology", "memoryBlockSizeBytes"], .int(3), "not a memory block size"),
        ("package CPUs leaving the CPU out", ["topology", "cpus", 0, "packageCPUs"], .string("1-3"), "topology.cpus[0].packageCPUs: 1-3 does not include CPU 0 itself"),
        ("a sibling whose siblings leave it out", ["topology", "cpus", 0, "threadSiblings"], .string("0-1"),
         "topology.cpus[0].threadSiblings: CPU 0 has thread siblings 0-1, but CPU 1 has 1; the CPUs of a core list the same siblings"),
        ("siblings naming another core's CPU", ["topology", "cpus", 1, "threadSiblings"], .string("1-2"),
         "topology.cpus[1].threadSiblings: CPU 1 has thread siblings 1-2, but CPU 2 has 2"),
        ("package CPUs that are not there", ["topology", "cpus", 0, "packageCPUs"], .string("0,300"), "topology.cpus[0].packageCPUs: CPUs 300 are not in topology.cpus"),
    ]

    @Test(arguments: contradictions.indices)
    func contradictionIsRefusedWithItsPath(_ i: Int) {
        let (what, path, value, expected) = Self.contradictions[i]
        let reason = Self.refusal(Self.base.setting(path, to: value))
        #expect(reason?.contains(expected) == true, "\(what): \(reason ?? "accepted")")
    }

    @Test func enclavesMayNotShareOrInventCPUs() {
        let enclave: (String, String) -> JSONValue = { name, cpus in
            .object([
                ("driver", .string("pisces")), ("instance", .string(name)), ("state", .string("RUNNING")),
                ("cpus", .string(cpus)), ("memory", .array([.object([("node", .int(0)), ("bytes", .int(1 << 30))])])),
            ])
        }
        let twice = Self.base.setting(["enclaves"], to: .array([enclave("0", "4-5"), enclave("1", "5-6")]))
        #expect(Self.refusal(twice)?.contains("enclaves[1].cpus: CPU 5 is held by pisces:0 as well") == true)
        let absent = Self.base.setting(["enclaves"], to: .array([enclave("0", "40")]))
        #expect(Self.refusal(absent)?.contains("enclaves[0].cpus: CPUs 40 are not in topology.cpus") == true)
        let huge = Self.base.setting(["enclaves"], to: .array([enclave("0", "4")]))
            .setting(["enclaves", 0, "memory", 0, "bytes"], to: .uint(UInt64.max))
        #expect(Self.refusal(huge)?.contains("enclaves[0].memory: 18446744073709551615 bytes is more than any host has") == true)
    }

    @Test func hugepagePoolsMustBePools() {
        let pool: (JSONValue, Int, Int) -> JSONValue = { size, total, free in
            .array([.object([("sizeBytes", size), ("total", .int(total)), ("free", .int(free))])])
        }
        let path: [JSONPathStep] = ["topology", "nodes", 0, "hugepages"]
        #expect(Self.refusal(Self.base.setting(path, to: pool(.int(2 << 20), 4, 2))) == nil)
        #expect(Self.refusal(Self.base.setting(path, to: pool(.int(3000), 4, 2)))?.contains("is not a hugepage size") == true)
        #expect(Self.refusal(Self.base.setting(path, to: pool(.int(2 << 20), 4, 5)))?.contains("5 free of 4 pages is not a pool") == true)
        #expect(Self.refusal(Self.base.setting(path, to: pool(.int(1 << 30), Int.max, 0)))?.contains("more than any host has") == true)
    }

    @Test func numbersPastWhatJSONIntegersHoldAreNamed() {
        let text = JSONWriter.pretty(Self.base).replacingOccurrences(of: "\"memoryBytes\": 8589201408", with: "\"memoryBytes\": 1e400")
        #expect(Self.refusal(text) == "topology.nodes[0].memoryBytes: expected a non-negative integer")
        let negative = JSONWriter.pretty(Self.base).replacingOccurrences(of: "\"freeBytes\": ", with: "\"freeBytes\": -")
        #expect(Self.refusal(negative) == "topology.nodes[0].freeBytes: expected a non-negative integer")
    }

    /// RFC 8259 leaves a repeated key undefined: one reader keeps the first,
    /// another the last, and the file says two things. It is an error at
    /// the second key.
    @Test func aKeyGivenTwiceIsRefusedAtItsPosition() {
        let text = JSONWriter.pretty(Self.base)
        let doubled = text.replacingOccurrences(of: "\"fingerprint\": ", with: "\"hostname\": \"b\",\n  \"fingerprint\": ")
            .replacingOccurrences(of: "\"schema\": \"sosplan.snapshot/v1\",", with: "\"schema\": \"sosplan.snapshot/v1\",\n  \"hostname\": \"a\",")
        let lines = doubled.split(separator: "\n", omittingEmptySubsequences: false)
        let first = lines.firstIndex { $0.contains("\"hostname\": \"a\"") }! + 1
        let second = lines.firstIndex { $0.contains("\"hostname\": \"b\"") }! + 1
        #expect(Self.refusal(doubled) == "\(second):3: 'hostname' is given twice in this object (first at \(first):3)")
    }

    @Test func wrongSchemaAndNoJSONAreNamed() {
        #expect(Self.refusal(Self.base.setting(["schema"], to: .string("sosplan.plan/v1")))
            == "not a sosplan snapshot: schema is 'sosplan.plan/v1', expected 'sosplan.snapshot/v1'")
        #expect(Self.refusal(Self.base.setting(["schema"], to: nil))?.contains("schema is missing") == true)
        #expect(Self.refusal("[1, 2") == "1:6: unexpected end of JSON in an array")
        #expect(Self.refusal(String(repeating: "[", count: 100_000))?.contains("nested too deeply") == true)
        #expect(Self.refusal("\"\\ud800\\u0041\"")?.contains("not a sosplan snapshot") == true)
    }

    @Test func aSavedPlanCarryingAContradictorySnapshotIsRefused() throws {
        let snapshot = try HostSnapshot.decode(json: JSONWriter.pretty(Self.base))
        let layout = try #require(LayoutDecoder.decode("apiVersion: sosplan/v1\nkind: HostLayout\nmetadata: {name: a}\nspec: {}\n", file: "a").layout)
        var plan = try #require(Planner(layout: layout, snapshot: snapshot, capabilities: [:]).plan().plan)
        plan.priorSnapshot = snapshot
        var json = plan.jsonValue()
        json = json.setting(["priorSnapshot", "topology", "cpus", 1, "id"], to: .int(0))
        #expect(throws: SnapshotError.self) { try Plan.decode(json: JSONWriter.pretty(json)) }
    }
}
