/// What `sosplan install` wrote (`<state>/installed.json`): each file's
/// path and the SHA-256 of its content, so that `--uninstall` removes
/// exactly those files, and none that was edited since.
public struct InstallManifest: Codable, Sendable, Hashable {
    public static let fileName = "installed.json"
    public static let schemaID = "sosplan.installed/v1"

    public struct Entry: Codable, Sendable, Hashable {
        public var path: String
        public var sha256: String

        public init(path: String, sha256: String) {
            self.path = path
            self.sha256 = sha256
        }
    }

    public var schema: String
    /// ISO 8601, UTC.
    public var at: String
    public var layout: String?
    public var binary: String?
    /// Whether install enabled the units (uninstall then disables them).
    public var enabled: Bool?
    public var files: [Entry]

    public init(at: String, layout: String?, binary: String?, enabled: Bool?, files: [Entry]) {
        schema = Self.schemaID
        self.at = at
        self.layout = layout
        self.binary = binary
        self.enabled = enabled
        self.files = files
    }

    public func jsonValue() -> JSONValue { (try? JSONValueEncoder().encode(self)) ?? .null }

    /// The manifest in `text`, or why it cannot be read.
    public static func decode(json text: String) -> Result<InstallManifest, DecodeFailure> {
        do { return .success(try SchemaDocument.decode(InstallManifest.self, schemaID: schemaID, json: text)) } catch {
            return .failure(DecodeFailure(description: error.description))
        }
    }

    public struct DecodeFailure: Error, CustomStringConvertible, Sendable {
        public var description: String
    }
}
