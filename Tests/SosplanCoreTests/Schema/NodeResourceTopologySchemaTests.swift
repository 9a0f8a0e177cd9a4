import Foundation
import SosplanCore
import SosplanTestSupport
import Testing

/// `Schemas/noderesourcetopology-v1alpha2.schema.json` (the published CRD,
/// written down) against what `NodeResourceTopologyBuilder` writes for the
/// checked-in fixture snapshots, and objects broken one field at a time.
/// The CLI tests validate `observe --format nrt` of every topology archive.
@Suite struct NodeResourceTopologySchemaTests {
    static let schema = "noderesourcetopology-v1alpha2.schema.json"

    @Test func schemaIsDocumented() throws {
        #expect(try SchemaCheck.undocumented(Self.schema) == [])
    }

    @Test func objectsOfFixtureSnapshotsAreValid() throws {
        let dir = RepositoryPaths.fixtures.appendingPathComponent("Snapshots")
        var documents: [(name: String, text: String)] = []
        for (name, url) in try SchemaCheck.jsonFiles(in: dir) {
            let snapshot = try HostSnapshot.decode(json: try String(contentsOf: url, encoding: .utf8))
            let nrt = NodeResourceTopologyBuilder(snapshot: snapshot).build(name: "fixture-\(documents.count)")
            #expect(nrt.zones.count == snapshot.topology.nodes.count, "\(name)")
            documents.append((name, nrt.jsonText()))
        }
        #expect(documents.count > 40)
        let verdicts = try SchemaCheck.validate(documents, against: Self.schema)
        for (name, _) in documents {
            #expect(verdicts[name]?.valid == true, "\(name): \(verdicts[name]?.errors ?? [])")
        }
        guard UpstreamNRTSchema.isAvailable else { try Test.cancel("\(UpstreamNRTSchema.skipped)") }
        #expect(try UpstreamNRTSchema.problems(documents) == [])
    }

    /// Each mutation breaks one rule of the API; the unmutated object is
    /// checked alongside, so a schema that rejects everything fails too.
    @Test func brokenObjectsAreRejected() throws {
        let snapshot = SyntheticHost.snapshot(packages: 2, coresPerNode: 4)
        let base = NodeResourceTopologyBuilder(snapshot: snapshot).build(name: "node07").jsonValue()
        let mutations: [(String, [JSONPathStep], JSONValue?)] = [
            ("v1alpha1", ["apiVersion"], .string("topology.node.k8s.io/v1alpha1")),
            ("another kind", ["kind"], .string("Node")),
            ("no name", ["metadata", "name"], nil),
            ("an upper-case name", ["metadata", "name"], .string("Node07")),
            ("topologyPolicies not a list", ["topologyPolicies"], .string("None")),
            ("no zones", ["zones"], nil),
            ("a zone without type", ["zones", 0, "type"], nil),
            ("a cost as a string", ["zones", 0, "costs", 0, "value"], .string("10")),
            ("a cost without name", ["zones", 0, "costs", 0, "name"], nil),
            ("a quantity with a space", ["zones", 0, "resources", 1, "capacity"], .string("16 Gi")),
            ("a quantity in GB", ["zones", 0, "resources", 1, "allocatable"], .string("16GB")),
            ("a quantity as a float", ["zones", 0, "resources", 0, "available"], .double(1.5)),
            ("a resource without available", ["zones", 0, "resources", 0, "available"], nil),
            ("an attribute without value", ["attributes", 0, "value"], nil),
            ("an attribute value as a number", ["attributes", 0, "value"], .int(1)),
            ("a field the CRD does not have", ["zones", 0, "numa"], .int(0)),
        ]
        var documents = [("unmutated", JSONWriter.pretty(base))]
        for (name, path, value) in mutations {
            documents.append((name, JSONWriter.pretty(base.setting(path, to: value))))
        }
        let verdicts = try SchemaCheck.validate(documents, against: Self.schema)
        #expect(verdicts["unmutated"]?.valid == true, "the unmutated object: \(verdicts["unmutated"]?.errors ?? [])")
        for (name, _, _) in mutations {
            #expect(verdicts[name]?.valid == false, "\(name): accepted, expected the schema to reject it")
        }
    }
}
