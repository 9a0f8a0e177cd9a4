import Foundation
import SosplanCore
import SosplanTestSupport
import Testing

/// `Schemas/host-layout.schema.json` checked by a real JSON Schema validator
/// (python3 `jsonschema`, Draft 2020-12): every example is valid, and each
/// corpus file is rejected or accepted as its first line declares. Documents
/// are converted with sosplan's own YAML reader (YAML 1.2 core schema, as
/// editors use), so the schema sees exactly what the decoder sees.
@Suite struct LayoutSchemaTests {
    struct Case {
        var name: String
        var expectValid: Bool
        var json: URL?
    }

    @Test func schemaAgreesWithExamplesAndCorpus() throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("sosplan-schema-\(getpid())")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }

        var cases: [Case] = []
        let sources = LayoutCorpus.examples.map { (RepositoryPaths.examples.appendingPathComponent($0), "Examples/\($0)") }
            + LayoutCorpus.invalidFiles.map { (LayoutCorpus.invalidDirectory.appendingPathComponent($0), "Invalid/\($0)") }
        for (i, (url, name)) in sources.enumerated() {
            let bytes = try LayoutCorpus.bytes(url)
            let expectValid = name.hasPrefix("Examples/") || LayoutCorpus.schemaExpectation(bytes) == "accept"
            guard let root = YAMLParser.parse(bytes, file: name).root else {
                // The YAML layer refused it: there is no data to validate.
                cases.append(Case(name: name, expectValid: expectValid, json: nil))
                continue
            }
            let json = work.appendingPathComponent("\(i).json")
            try JSONWriter.compact(YAMLJSON.json(root)).write(to: json, atomically: true, encoding: .utf8)
            cases.append(Case(name: name, expectValid: expectValid, json: json))
        }

        let script = RepositoryPaths.tests.appendingPathComponent("Schema/check_schema.py")
        let schema = RepositoryPaths.schemas.appendingPathComponent("host-layout.schema.json")
        let run = try CommandRunner.run(
            URL(fileURLWithPath: "/usr/bin/env"), ["python3", script.path, schema.path] + cases.compactMap(\.json?.path))
        guard run.status == 0 else {
            Issue.record("the schema check could not run (exit \(run.status)): \(run.stderr)")
            return
        }
        var verdicts: [String: (valid: Bool, errors: [String])] = [:]
        for line in run.stdout.split(separator: "\n") {
            guard case .object(let o)? = try? JSONParser.parse(String(line)),
                case .string(let file)? = o.first(where: { $0.0 == "file" })?.1,
                case .bool(let valid)? = o.first(where: { $0.0 == "valid" })?.1
            else { continue }
            var errors: [String] = []
            if case .array(let items)? = o.first(where: { $0.0 == "errors" })?.1 {
                errors = items.compactMap { if case .string(let s) = $0 { return s } else { return nil } }
            }
            verdicts[file] = (valid, errors)
        }
        var checked = 0
        for c in cases {
            let verdict = c.json.map { verdicts[$0.path] } ?? (valid: false, errors: ["not YAML sosplan reads"])
            guard let verdict else {
                Issue.record("\(c.name): no verdict from the schema check")
                continue
            }
            checked += 1
            #expect(verdict.valid == c.expectValid,
                    "\(c.name): schema \(verdict.valid ? "accepts" : "rejects") it, expected it to \(c.expectValid ? "accept" : "reject"): \(verdict.errors)")
        }
        #expect(checked == sources.count)
    }
}
