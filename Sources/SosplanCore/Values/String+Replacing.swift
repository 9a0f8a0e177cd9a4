extension String {
    /// Every occurrence of `target` replaced, compared scalar by scalar (so a
    /// `\n` inside a `\r\n` pair is found, as Foundation's
    /// `replacingOccurrences(of:with:)` found it), without Foundation.
    public func replacingText(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var scalars = unicodeScalars
        scalars.replace(target.unicodeScalars, with: replacement.unicodeScalars)
        return String(scalars)
    }
}
