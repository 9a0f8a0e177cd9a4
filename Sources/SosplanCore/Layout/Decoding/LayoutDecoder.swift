/// What decoding a layout gave: the layout when the file has no errors, and
/// every problem found (errors and warnings), sorted by position.
public struct LayoutDecodingResult: Sendable {
    /// nil when any diagnostic is an error.
    public var layout: HostLayout?
    public var diagnostics: [Diagnostic]

    public var isValid: Bool { layout != nil }
}

/// Reads a host layout (the v1 language of `design/host-layout.md`) from
/// bytes: parses the YAML, decodes the model with a mark on every value, and
/// runs every check that needs no host. All problems are collected.
public enum LayoutDecoder {
    public static let apiVersion = "sosplan/v1"
    public static let kind = "HostLayout"

    /// `file` is the name shown in diagnostics; it is never opened.
    public static func decode(_ bytes: [UInt8], file: String) -> LayoutDecodingResult {
        let parsed = YAMLParser.parse(bytes, file: file)
        guard let root = parsed.root else {
            return LayoutDecodingResult(layout: nil, diagnostics: finish(parsed.diagnostics, bytes))
        }
        let reader = LayoutReader(file: file)
        reader.append(parsed.diagnostics)
        let layout = reader.layout(root)
        if let layout {
            reader.append(reader.brokenPaths.isEmpty
                ? LayoutChecks.diagnose(layout) : LayoutChecks.diagnose(layout, skipping: reader.isBroken))
        }
        let diagnostics = finish(reader.diagnostics, bytes)
        return LayoutDecodingResult(layout: diagnostics.hasErrors ? nil : layout, diagnostics: diagnostics)
    }

    public static func decode(_ text: String, file: String) -> LayoutDecodingResult {
        decode(Array(text.utf8), file: file)
    }

    /// Sorted by position, exact repeats (an alias used twice) dropped, and
    /// none past the end of the file (libyaml's marks at the end of a file
    /// without a final newline are on a line that does not exist).
    static func finish(_ diagnostics: [Diagnostic], _ bytes: [UInt8]) -> [Diagnostic] {
        var seen = Set<Diagnostic>()
        var end: SourceMark?
        let clamped = diagnostics.map { original -> Diagnostic in
            let d = original.shortened()
            guard let mark = d.mark else { return d }
            let last = end ?? YAMLParser.endMark(of: bytes)
            end = last
            guard last < mark else { return d }
            var moved = d
            moved.mark = last
            return moved
        }
        return clamped.sortedByLocation().filter { seen.insert($0).inserted }
    }
}
