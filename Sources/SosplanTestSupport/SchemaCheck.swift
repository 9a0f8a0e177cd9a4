import Foundation
import SosplanCore

/// Validates JSON documents against a schema in `Schemas/` with a real JSON
/// Schema validator: `Tests/Schema/check_schema.py` (python3 `jsonschema`,
/// Draft 2020-12), run once for a whole batch of documents.
public enum SchemaCheck {
    public struct Verdict: Sendable {
        public var valid: Bool
        /// The validator's first few messages, `path: message`.
        public var errors: [String]
    }

    /// Why the validator could not give verdicts: said so the test fails
    /// with what to install, never silently passes.
    public struct Unavailable: Error, CustomStringConvertible {
        public var description: String
    }

    /// Verdicts for documents given as text, keyed by their names.
    public static func validate(_ documents: [(name: String, text: String)], against schema: String) throws -> [String: Verdict] {
        try validate(documents, againstFile: RepositoryPaths.schemas.appendingPathComponent(schema))
    }

    /// Verdicts for documents given as text, against a schema file outside `Schemas/`.
    public static func validate(_ documents: [(name: String, text: String)], againstFile schemaURL: URL) throws -> [String: Verdict] {
        let scratch = try ScratchDirectory("schema-check")
        defer { scratch.remove() }
        var files: [(name: String, url: URL)] = []
        for (i, document) in documents.enumerated() {
            let url = scratch.path("\(i).json")
            try document.text.write(to: url, atomically: false, encoding: .utf8)
            files.append((document.name, url))
        }
        return try validate(files: files, schemaURL: schemaURL)
    }

    /// Verdicts for documents on disk, keyed by the names given with them.
    public static func validate(files: [(name: String, url: URL)], against schema: String) throws -> [String: Verdict] {
        try validate(files: files, schemaURL: RepositoryPaths.schemas.appendingPathComponent(schema))
    }

    static func validate(files: [(name: String, url: URL)], schemaURL: URL) throws -> [String: Verdict] {
        let schema = schemaURL.lastPathComponent
        let script = RepositoryPaths.tests.appendingPathComponent("Schema/check_schema.py")
        let run = try CommandRunner.run(
            URL(fileURLWithPath: "/usr/bin/env"), ["python3", script.path, schemaURL.path] + files.map(\.url.path))
        switch run.status {
        case 0:
            break
        case 127:
            throw Unavailable(description:
                "python3 is not installed: the JSON Schema tests need python3 with the jsonschema package (>= 4.0); \(run.stderr)")
        case 2:
            throw Unavailable(description: "the JSON Schema check cannot run: \(run.stderr)")
        default:
            throw Unavailable(description: "the JSON Schema check of \(schema) failed (exit \(run.status)): \(run.stderr)")
        }
        let names = Dictionary(files.map { ($0.url.path, $0.name) }, uniquingKeysWith: { a, _ in a })
        var verdicts: [String: Verdict] = [:]
        for line in run.stdout.split(separator: "\n") {
            guard let o = try? JSONParser.parse(String(line)), let file = o["file"]?.stringValue,
                let valid = o["valid"]?.boolValue, let name = names[file]
            else { continue }
            let errors = (o["errors"]?.arrayValue ?? []).compactMap(\.stringValue)
            verdicts[name] = Verdict(valid: valid, errors: errors)
        }
        let missing = files.map(\.name).filter { verdicts[$0] == nil }
        guard missing.isEmpty else {
            throw Unavailable(description: "no verdict from the JSON Schema check for \(missing.joined(separator: ", ")): \(run.stdout)")
        }
        return verdicts
    }

    /// JSON pointers of declared properties without a `description`, plus
    /// `$id` or `title` when the schema lacks them. Properties under
    /// `if`/`then`/`else`/`not` only constrain ones declared elsewhere.
    public static func undocumented(_ schema: String) throws -> [String] {
        let url = RepositoryPaths.schemas.appendingPathComponent(schema)
        let root = try JSONParser.parse(try String(contentsOf: url, encoding: .utf8))
        var missing = ["$id", "title", "description"].filter { root[$0]?.stringValue == nil }
        func walk(_ node: JSONValue, _ path: String) {
            switch node {
            case .object(let entries):
                for (key, value) in entries where !["if", "then", "else", "not"].contains(key) {
                    if key == "properties", let properties = value.objectValue {
                        for (name, property) in properties where property["description"]?.stringValue == nil {
                            missing.append("\(path)/properties/\(name)")
                        }
                    }
                    walk(value, "\(path)/\(key)")
                }
            case .array(let items):
                for (i, item) in items.enumerated() { walk(item, "\(path)/\(i)") }
            default:
                break
            }
        }
        walk(root, "#")
        return missing
    }

    /// Every `*.json` file in a repository folder, by name.
    public static func jsonFiles(in folder: URL) throws -> [(name: String, url: URL)] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { $0.hasSuffix(".json") }
            .sorted()
            .map { ($0, folder.appendingPathComponent($0)) }
    }
}
