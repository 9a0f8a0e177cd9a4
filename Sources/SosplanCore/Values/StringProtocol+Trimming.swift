extension StringProtocol {
    /// Trims Unicode white space (spaces, tabs, line breaks, no-break and
    /// other spaces) from both ends, as Foundation's
    /// `trimmingCharacters(in: .whitespacesAndNewlines)` did, without Foundation.
    public func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let end = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(String.UnicodeScalarView(scalars[start...end]))
    }
}
