import ArgumentParser

/// `--format` for commands that print text or JSON.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    // Listed by raw value: ArgumentParser's generic defaults build key paths
    // at run time (~1M instructions of every command that has the option).
    static var allValueStrings: [String] { allCases.map { $0.rawValue } }
    static var allValueDescriptions: [String: String] { [:] }

    case text, json
}
