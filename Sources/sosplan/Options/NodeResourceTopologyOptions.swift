import ArgumentParser
import SosplanCore

/// What `--format nrt` needs beyond the host: the Kubernetes node's name and
/// where the kubelet's pod-resources API is.
struct NodeResourceTopologyOptions: ParsableArguments {
    @Option(name: .customLong("node-name"), help: ArgumentHelp(
        "The Kubernetes node that --format nrt describes (default: the host name in lower case).", valueName: "NAME"))
    var nodeName: String?

    @Option(name: .customLong("pod-resources"), help: ArgumentHelp(
        "With --format nrt: read the kubelet's pod-resources API on this unix socket (through sosplan-kube), so available leaves out what pods hold and the pods' fingerprint is published (the kubelet's: /var/lib/kubelet/pod-resources/kubelet.sock).",
        valueName: "SOCKET"))
    var podResources: String?

    func validate() throws {
        if let podResources, podResources.isEmpty || podResources.unicodeScalars.contains(where: ControlCharacters.isControl) {
            throw ValidationError("--pod-resources must be a socket path without control characters")
        }
    }
}
