
/// `--format` for the commands that describe the host (`observe`,
/// `status`): text, their JSON, or a Kubernetes NodeResourceTopology.
enum HostOutputFormat: String, CaseIterable {
    case text, json, nrt
}
