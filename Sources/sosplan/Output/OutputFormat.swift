import ArgumentParser

/// `--format` for commands that print text or JSON.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}
