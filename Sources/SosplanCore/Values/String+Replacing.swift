extension String {
    /// Every occurrence of `target` replaced, left to right, compared byte by
    /// byte in UTF-8: a valid UTF-8 target can only match at scalar
    /// boundaries, so this is the scalar-by-scalar comparison (a `\n` inside
    /// a `\r\n` pair is found, as Foundation's `replacingOccurrences(of:with:)`
    /// found it), without Foundation and without a copy when nothing matches.
    public func replacingText(_ target: String, with replacement: String) -> String {
        let target = Array(target.utf8)
        guard let first = target.first, utf8.contains(first) else { return self }
        let bytes = Array(utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            if bytes[i] == first, i + target.count <= bytes.count, bytes[i..<(i + target.count)].elementsEqual(target) {
                out += replacement.utf8
                i += target.count
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
