/// A layout as it was read: the file it came from and its exact text (and
/// the text's SHA-256). The journal and the applied state keep it, so that
/// an interrupted apply can be finished; a saved plan carries it, so that
/// `apply PLAN.json` plans it again against the host as it is then and
/// carries out the plan only when it is the same.
public struct LayoutSource: Codable, Sendable, Hashable {
    public var file: String
    public var sha256: String
    public var text: String

    public init(file: String, text: String) {
        self.file = file
        self.text = text
        sha256 = "sha256:" + SHA256.hex(text.utf8)
    }

    /// Whether `sha256` is the text's (a hand edit of one without the other).
    public var isIntact: Bool { sha256 == "sha256:" + SHA256.hex(text.utf8) }
}
