/// A unit file or drop-in as ordered sections of `Key=value` lines.
///
/// `render()` writes only values that went through `UnitFileValue` or are
/// validated unit names; `parse(_:)` reads unit file syntax the way systemd
/// does for what sosplan needs (comments, sections, continuation lines), to
/// find sosplan's marker and to check in tests that a file holds exactly the
/// intended keys.
public struct UnitFile: Sendable, Hashable {
    public struct Section: Sendable, Hashable {
        public var name: String
        public var entries: [Entry]

        public init(_ name: String, _ entries: [Entry] = []) {
            self.name = name
            self.entries = entries
        }
    }

    public struct Entry: Sendable, Hashable {
        public var key: String
        public var value: String

        public init(_ key: String, _ value: String) {
            self.key = key
            self.value = value
        }
    }

    /// Comment lines at the top (without the leading `# `).
    public var header: [String]
    public var sections: [Section]

    public init(header: [String] = [], sections: [Section] = []) {
        self.header = header
        self.sections = sections
    }

    /// All values of `key` in `section`, in order.
    public func values(_ key: String, in section: String) -> [String] {
        sections.filter { $0.name == section }.flatMap(\.entries).filter { $0.key == key }.map(\.value)
    }

    /// The last value of `key` in `section` (later assignments win in systemd).
    public func value(_ key: String, in section: String) -> String? { values(key, in: section).last }

    /// The text systemd reads; ends with a newline.
    public func render() -> String {
        var lines = header.map { $0.isEmpty ? "#" : "# " + $0 }
        for section in sections {
            if !lines.isEmpty { lines.append("") }
            lines.append("[\(section.name)]")
            for e in section.entries { lines.append("\(e.key)=\(e.value)") }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Parses unit file syntax: `#`/`;` comments, `[Section]` headers,
    /// `Key=value` with whitespace around key and value trimmed, and lines
    /// ending in `\` joined with the next. Lines outside a section or without
    /// `=` are kept under the key "" so tests can see them.
    public static func parse(_ text: String) -> UnitFile {
        var file = UnitFile()
        var pending = ""
        var inHeader = true
        // Split on "\n" bytes: "\r\n" is one Character and would not split.
        for raw in text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            var line = String(decoding: raw, as: UTF8.self)
            if line.utf8.last == UInt8(ascii: "\r") { line = String(decoding: line.utf8.dropLast(), as: UTF8.self) }
            if pending.isEmpty {
                let trimmed = line.trimmingWhitespace()
                if trimmed.isEmpty { continue }
                // On bytes, as systemd reads them: a combining mark after
                // `#` does not make the line something else.
                if trimmed.utf8.first == UInt8(ascii: "#") || trimmed.utf8.first == UInt8(ascii: ";") {
                    if inHeader && file.sections.isEmpty {
                        var comment = trimmed.utf8.dropFirst()
                        if comment.first == UInt8(ascii: " ") { comment = comment.dropFirst() }
                        file.header.append(String(decoding: comment, as: UTF8.self))
                    }
                    continue
                }
            }
            inHeader = false
            if line.utf8.last == UInt8(ascii: "\\") {
                pending += String(decoding: line.utf8.dropLast(), as: UTF8.self) + " "
                continue
            }
            let full = (pending + line).trimmingWhitespace()
            pending = ""
            if full.utf8.count > 1 && full.utf8.first == UInt8(ascii: "[") && full.utf8.last == UInt8(ascii: "]") {
                file.sections.append(Section(String(decoding: full.utf8.dropFirst().dropLast(), as: UTF8.self)))
                continue
            }
            let entry: Entry
            if let eq = full.utf8.firstIndex(of: UInt8(ascii: "=")) {
                entry = Entry(
                    String(decoding: full.utf8[..<eq], as: UTF8.self).trimmingWhitespace(),
                    String(decoding: full.utf8[full.utf8.index(after: eq)...], as: UTF8.self).trimmingWhitespace())
            } else {
                entry = Entry("", full)
            }
            if file.sections.isEmpty { file.sections.append(Section("")) }
            file.sections[file.sections.count - 1].entries.append(entry)
        }
        if !pending.isEmpty {
            if file.sections.isEmpty { file.sections.append(Section("")) }
            file.sections[file.sections.count - 1].entries.append(Entry("", pending.trimmingWhitespace()))
        }
        return file
    }
}

extension String {
    /// Trims systemd's WHITESPACE set (space, tab, newline, carriage return).
    /// On bytes, as systemd does (and without hashing Characters: unit
    /// directories with hundreds of files are parsed on every observe).
    func trimmingWhitespace() -> String {
        let bytes = utf8
        var start = bytes.startIndex, end = bytes.endIndex
        while start < end, UnitFile.isWhitespace(bytes[start]) { start = bytes.index(after: start) }
        while end > start, UnitFile.isWhitespace(bytes[bytes.index(before: end)]) { end = bytes.index(before: end) }
        if start == bytes.startIndex && end == bytes.endIndex { return self }
        return String(self[start..<end])
    }
}
