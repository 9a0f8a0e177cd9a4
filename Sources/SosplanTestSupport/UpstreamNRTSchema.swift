import Foundation
import SosplanCore

/// The upstream NodeResourceTopology CRD's v1alpha2 schema
/// (k8stopologyawareschedwg/noderesourcetopology-api `manifests/crd.yaml`,
/// its `openAPIV3Schema`), read from `../shared/fixtures/kubernetes/
/// nrt-crd-v1alpha2.json` beside the checkout and never copied here.
public enum UpstreamNRTSchema {
    public static var file: URL {
        RepositoryPaths.shared.appendingPathComponent("fixtures/kubernetes/nrt-crd-v1alpha2.json")
    }

    /// Why objects cannot be checked against it here, or nil.
    public static var unavailableReason: String? {
        FileManager.default.isReadableFile(atPath: file.path)
            ? nil : "the upstream NodeResourceTopology CRD schema is not at \(file.path) (../shared beside the checkout)"
    }

    public static var isAvailable: Bool { unavailableReason == nil }

    /// Verdicts for NodeResourceTopology objects against the CRD's schema.
    public static func validate(_ documents: [(name: String, text: String)]) throws -> [String: SchemaCheck.Verdict] {
        let wrapper = try JSONParser.parse(try String(contentsOf: file, encoding: .utf8))
        guard let schema = wrapper["schema"] else {
            throw SchemaCheck.Unavailable(description: "\(file.path) holds no 'schema'")
        }
        let scratch = try ScratchDirectory("nrt-crd")
        defer { scratch.remove() }
        let schemaFile = scratch.path("crd-v1alpha2.schema.json")
        try JSONWriter.pretty(schema).write(to: schemaFile, atomically: false, encoding: .utf8)
        return try SchemaCheck.validate(documents, againstFile: schemaFile)
    }

    /// What a test that cannot check against the CRD says when it cancels
    /// itself (`Test.cancel`: reported as skipped, with this reason).
    public static var skipped: String { "validation against the upstream CRD skipped: \(unavailableReason ?? "")" }

    /// Each invalid document with the CRD schema's complaints (empty: all
    /// valid).
    public static func problems(_ documents: [(name: String, text: String)]) throws -> [String] {
        let verdicts = try validate(documents)
        return documents.compactMap { name, _ in
            verdicts[name]?.valid == true ? nil : "\(name): \(verdicts[name]?.errors ?? ["no verdict"])"
        }
    }
}
