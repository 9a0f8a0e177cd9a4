extension UnitFile {
    /// `parse(text).value(key, in: section)` without building the file:
    /// the last value of `key` in `section`, read straight from the bytes
    /// with `parse`'s rules (comments, `\` continuations, systemd's
    /// whitespace, `\r\n`). Every observe looks for sosplan's marker in
    /// every file of the unit directory, hundreds of them.
    static func lastValue<Bytes: Collection<UInt8>>(of key: String, in section: String, bytes: Bytes) -> String? {
        let text = Array(bytes)
        let key = Array(key.utf8), header = Array("[\(section)]".utf8)
        var found: ArraySlice<UInt8>?
        var inSection = false
        var pending: [UInt8] = []  // a line continued with `\`, rare
        var start = 0
        while start <= text.count {
            var end = start
            while end < text.count && text[end] != UInt8(ascii: "\n") { end += 1 }
            var line = text[start..<end]
            start = end + 1
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            if pending.isEmpty {
                let trimmed = trimmed(line)
                if trimmed.isEmpty { continue }
                if trimmed.first == UInt8(ascii: "#") || trimmed.first == UInt8(ascii: ";") { continue }
            }
            if line.last == UInt8(ascii: "\\") {
                pending += line.dropLast()
                pending.append(UInt8(ascii: " "))
                continue
            }
            let full: ArraySlice<UInt8> = pending.isEmpty ? trimmed(line) : trimmed(ArraySlice(pending + line))
            pending = []
            if full.first == UInt8(ascii: "[") && full.last == UInt8(ascii: "]") {
                inSection = full.elementsEqual(header)
                continue
            }
            guard inSection, let eq = full.firstIndex(of: UInt8(ascii: "=")) else { continue }
            if trimmed(full[..<eq]).elementsEqual(key) { found = trimmed(full[(eq + 1)...]) }
        }
        return found.map { String(decoding: $0, as: UTF8.self) }
    }

    /// systemd's WHITESPACE set (space, tab, newline, carriage return).
    static func isWhitespace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }

    /// systemd's WHITESPACE trimmed off both ends, as `trimmingWhitespace`.
    private static func trimmed(_ s: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var s = s
        while let b = s.first, isWhitespace(b) { s = s.dropFirst() }
        while let b = s.last, isWhitespace(b) { s = s.dropLast() }
        return s
    }
}
