import Foundation

/// The layout files tests walk: `Examples/*.yaml` (all valid) and the invalid
/// corpus `Tests/SosplanCoreTests/Layout/Invalid/NNN-what.yaml`, each with
/// its expected diagnostics in `NNN-what.diagnostics`.
public enum LayoutCorpus {
    public static var invalidDirectory: URL {
        RepositoryPaths.tests.appendingPathComponent("SosplanCoreTests/Layout/Invalid")
    }

    /// Corpus file names (`001-not-a-mapping.yaml` ...), sorted.
    public static var invalidFiles: [String] { yamlFiles(in: invalidDirectory) }

    /// Example file names, sorted.
    public static var examples: [String] { yamlFiles(in: RepositoryPaths.examples) }

    static func yamlFiles(in dir: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? [])
            .filter { $0.hasSuffix(".yaml") }.sorted()
    }

    public static func bytes(_ url: URL) throws -> [UInt8] { [UInt8](try Data(contentsOf: url)) }

    /// What a corpus file's first line declares: `# schema: reject` or
    /// `# schema: accept` (whether the JSON Schema can catch its problem).
    public static func schemaExpectation(_ bytes: [UInt8]) -> String? {
        let firstLine = bytes.prefix { $0 != 0x0A }
        let text = String(decoding: firstLine, as: UTF8.self)
        guard text.hasPrefix("# schema: ") else { return nil }
        return String(text.dropFirst("# schema: ".count)).trimmingCharacters(in: .whitespaces)
    }
}
