
/// `--format` for commands that print text or JSON.
enum OutputFormat: String, CaseIterable {
    case text, json
}
