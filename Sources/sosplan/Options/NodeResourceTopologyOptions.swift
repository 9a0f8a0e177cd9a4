import SosplanCommandLine
import SosplanCore

/// What `--format nrt` needs beyond the host: the Kubernetes node's name and
/// where the kubelet's pod-resources API is.
struct NodeResourceTopologyOptions {
    static let options: [OptionSpec] = [
        .value("node-name", "NAME", help: "The Kubernetes node that --format nrt describes (default: the host name in lower case)."),
        .value("pod-resources", "SOCKET", help: "With --format nrt: read the kubelet's pod-resources API on this unix socket (through sosplan-kube), so available leaves out what pods hold and the pods' fingerprint is published (the kubelet's: /var/lib/kubelet/pod-resources/kubelet.sock).", completion: .file),
    ]

    var nodeName: String?
    var podResources: String?

    init(_ p: ParsedCommand) {
        nodeName = p.value("node-name")
        podResources = p.value("pod-resources")
    }

    func validate() throws {
        if let podResources, podResources.isEmpty || podResources.unicodeScalars.contains(where: ControlCharacters.isControl) {
            throw UsageError("--pod-resources must be a socket path without control characters")
        }
    }
}
