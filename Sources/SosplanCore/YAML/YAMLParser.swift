import CYAML

/// Reads one YAML document through the system libyaml's event API into a
/// `YAMLNode` tree with marks, enforcing the layout language's input rules:
/// at most 1 MiB, UTF-8, no tab indentation, one document, unique keys, and
/// no more than 100,000 nodes after alias expansion, nested at most 64 deep.
public struct YAMLParser {
    public static let maximumBytes = 1 << 20
    public static let maximumNodes = 100_000
    /// Lists and mappings inside each other, aliases expanded.
    public static let maximumDepth = 64

    public struct Result {
        public var root: YAMLNode?
        public var diagnostics: [Diagnostic]
    }

    let file: String

    public static func parse(_ bytes: [UInt8], file: String) -> Result {
        YAMLParser(file: file).run(bytes)
    }

    public static func parse(_ text: String, file: String) -> Result {
        parse(Array(text.utf8), file: file)
    }

    /// The diagnostic for a file over `maximumBytes`: its size when known
    /// (a reader that stops early from a pipe does not know it).
    public static func tooLarge(_ size: Int?, file: String) -> Diagnostic {
        let what = size.map { "file is \($0) bytes" } ?? "file holds more than \(maximumBytes) bytes"
        return .error(
            "\(what); a layout may be at most 1 MiB (\(maximumBytes) bytes)", file: file, at: .start,
            hints: ["split very large layouts, or drop generated comments"])
    }

    private func error(_ message: String, _ mark: SourceMark, hints: [String] = []) -> Diagnostic {
        .error(message, file: file, at: mark, hints: hints)
    }

    func run(_ bytes: [UInt8]) -> Result {
        if bytes.count > YAMLParser.maximumBytes {
            return Result(root: nil, diagnostics: [YAMLParser.tooLarge(bytes.count, file: file)])
        }
        if let bad = YAMLParser.firstInvalidUTF8(bytes) {
            let mark = YAMLParser.mark(ofByte: bad, in: bytes)
            return Result(root: nil, diagnostics: [
                error(
                    "file is not valid UTF-8 (byte 0x\(String(bytes[bad], radix: 16, uppercase: true)))", mark,
                    hints: ["save the file as UTF-8"]),
            ])
        }
        if let bad = YAMLParser.firstUnprintable(bytes) {
            // libyaml refuses these too, but places every one at 1:1.
            return Result(root: nil, diagnostics: [
                error(
                    "\(bad.name) is not allowed in a YAML file", YAMLParser.mark(ofByte: bad.offset, in: bytes),
                    hints: ["remove it; a double-quoted string may hold it as an escape (\"\\0\", \"\\e\", \"\\x7F\")"]),
            ])
        }
        var diagnostics = tabIndentation(bytes)
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            diagnostics.append(error("the file is empty; expected a HostLayout document", .start))
            return Result(root: nil, diagnostics: diagnostics)
        }
        var builder = TreeBuilder(file: file)
        let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
        defer { parser.deallocate() }
        guard yaml_parser_initialize(parser) == 1 else {
            return Result(root: nil, diagnostics: [error("libyaml could not be initialized", .start)])
        }
        defer { yaml_parser_delete(parser) }
        let root: YAMLNode? = bytes.withUnsafeBufferPointer { buf in
            yaml_parser_set_input_string(parser, buf.baseAddress, buf.count)
            var event = yaml_event_t()
            while true {
                guard yaml_parser_parse(parser, &event) == 1 else {
                    // With tab indentation already reported, libyaml's follow-up error adds nothing.
                    if diagnostics.isEmpty { diagnostics.append(syntaxError(parser.pointee)) }
                    return nil
                }
                let done = event.type == YAML_STREAM_END_EVENT
                let stop = builder.consume(&event)
                yaml_event_delete(&event)
                if done || stop { break }
            }
            return builder.root
        }
        diagnostics += builder.diagnostics
        if root == nil, diagnostics.isEmpty {
            // Only comments (or nothing) between the stream's ends: no document.
            diagnostics.append(error("the file holds no YAML document (only comments); expected a HostLayout document", .start))
        }
        return Result(root: diagnostics.hasErrors ? nil : root, diagnostics: diagnostics)
    }

    private func syntaxError(_ p: yaml_parser_t) -> Diagnostic {
        let problem = p.problem.map { String(cString: $0) } ?? "malformed YAML"
        var message = "syntax error: \(problem)"
        if let context = p.context {
            let m = p.context_mark
            message += " (\(String(cString: context)) at \(m.line + 1):\(m.column + 1))"
        }
        let mark = SourceMark(line: Int(p.problem_mark.line) + 1, column: Int(p.problem_mark.column) + 1)
        // libyaml takes a key of more than 1024 characters for a value, then
        // trips on its ':'; say so instead of leaving the reader puzzled.
        let longKey = mark.column > 1024 && (problem.contains("mapping values") || problem.contains("expected ':'"))
        return error(message, mark, hints: longKey ? ["YAML keys are at most 1024 characters long; is a key here that long?"] : [])
    }

    /// Lines whose leading whitespace holds a tab. YAML forbids tabs for
    /// indentation, and libyaml's own message for them is cryptic.
    private func tabIndentation(_ bytes: [UInt8]) -> [Diagnostic] {
        var out: [Diagnostic] = []
        var line = 1, column = 1, atIndent = true
        for b in bytes {
            if b == 0x0A {
                line += 1; column = 1; atIndent = true
                continue
            }
            if atIndent {
                if b == 0x09 {
                    out.append(error(
                        "tab used for indentation; YAML indentation must be spaces",
                        SourceMark(line: line, column: column), hints: ["replace the tab with spaces"]))
                    atIndent = false
                } else if b != 0x20 && b != 0x0D {
                    atIndent = false
                }
            }
            if b & 0xC0 != 0x80 { column += 1 }
        }
        return out
    }

    /// The first character YAML does not allow in a stream (C0 controls but
    /// tab and line breaks, DEL, C1 but NEL, U+FFFE and U+FFFF), in valid
    /// UTF-8, with how a message names it.
    static func firstUnprintable(_ bytes: [UInt8]) -> (offset: Int, name: String)? {
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b < 0x20 && b != 0x09 && b != 0x0A && b != 0x0D || b == 0x7F {
                return (i, b == 0 ? "a NUL byte" : "the control character 0x\(String(b, radix: 16, uppercase: true).leftPadded2)")
            }
            if b == 0xC2, i + 1 < bytes.count, (0x80...0x9F).contains(bytes[i + 1]), bytes[i + 1] != 0x85 {
                return (i, "the control character U+00\(String(bytes[i + 1], radix: 16, uppercase: true))")
            }
            if b == 0xEF, i + 2 < bytes.count, bytes[i + 1] == 0xBF, bytes[i + 2] == 0xBE || bytes[i + 2] == 0xBF {
                return (i, "the non-character U+FFF\(bytes[i + 2] == 0xBE ? "E" : "F")")
            }
            i += 1
        }
        return nil
    }

    static func firstInvalidUTF8(_ bytes: [UInt8]) -> Int? {
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            let n: Int
            if b < 0x80 { i += 1; continue }
            else if b & 0xE0 == 0xC0, b >= 0xC2 { n = 1 }
            else if b & 0xF0 == 0xE0 { n = 2 }
            else if b & 0xF8 == 0xF0, b <= 0xF4 { n = 3 }
            else { return i }
            guard i + n < bytes.count else { return i }
            for k in 1...n where bytes[i + k] & 0xC0 != 0x80 { return i }
            // Reject overlong and surrogate forms the way a strict decoder does.
            if n == 2 && b == 0xE0 && bytes[i + 1] < 0xA0 { return i }
            if n == 2 && b == 0xED && bytes[i + 1] >= 0xA0 { return i }
            if n == 3 && b == 0xF0 && bytes[i + 1] < 0x90 { return i }
            if n == 3 && b == 0xF4 && bytes[i + 1] >= 0x90 { return i }
            i += n + 1
        }
        return nil
    }

    /// The position just after the last character, counting line breaks as
    /// libyaml does (`\r\n`, `\r`, `\n`, NEL, LS, PS). libyaml places
    /// problems at the end of a file without a final newline on the line
    /// after it; diagnostics are moved back here, onto a line that exists.
    public static func endMark(of bytes: [UInt8]) -> SourceMark {
        var line = 1, column = 1, i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == 0x0A || b == 0x0D {
                if b == 0x0D, i + 1 < bytes.count, bytes[i + 1] == 0x0A { i += 1 }
                line += 1; column = 1
            } else if b == 0xC2, i + 1 < bytes.count, bytes[i + 1] == 0x85 {
                line += 1; column = 1; i += 1
            } else if b == 0xE2, i + 2 < bytes.count, bytes[i + 1] == 0x80, bytes[i + 2] == 0xA8 || bytes[i + 2] == 0xA9 {
                line += 1; column = 1; i += 2
            } else if b & 0xC0 != 0x80 {
                column += 1
            }
            i += 1
        }
        return SourceMark(line: line, column: column)
    }

    static func mark(ofByte index: Int, in bytes: [UInt8]) -> SourceMark {
        var line = 1, column = 1
        for b in bytes[..<index] {
            if b == 0x0A { line += 1; column = 1 } else if b & 0xC0 != 0x80 { column += 1 }
        }
        return SourceMark(line: line, column: column)
    }
}

extension String {
    /// Two hex digits.
    fileprivate var leftPadded2: String { count >= 2 ? self : "0" + self }
}
