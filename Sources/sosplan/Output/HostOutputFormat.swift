import ArgumentParser

/// `--format` for the commands that describe the host (`observe`,
/// `status`): text, their JSON, or a Kubernetes NodeResourceTopology.
enum HostOutputFormat: String, ExpressibleByArgument, CaseIterable {
    // Listed by raw value: ArgumentParser's generic defaults build key paths
    // at run time (~1M instructions of every command that has the option).
    static var allValueStrings: [String] { allCases.map { $0.rawValue } }
    static var allValueDescriptions: [String: String] { [:] }

    case text, json, nrt
}
