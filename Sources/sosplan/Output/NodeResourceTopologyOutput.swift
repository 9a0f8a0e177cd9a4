import SosplanCore

/// `--format nrt`: the NodeResourceTopology object as JSON (kubectl applies
/// JSON as well as YAML), named after the Kubernetes node.
enum NodeResourceTopologyOutput {
    /// The node name: `--node-name`, else the host name in lower case (as
    /// the kubelet names a node).
    static func render(
        _ snapshot: HostSnapshot, applied: NodeResourceTopologyBuilder.Applied?, nodeName: String?
    ) throws -> String {
        guard let name = nodeName ?? snapshot.hostname?.lowercased() else {
            throw Failure.report(
                "the host has no host name to name its NodeResourceTopology after",
                hint: "give the Kubernetes node's name with --node-name NAME")
        }
        guard NodeResourceTopology.isValidNodeName(name) else {
            throw Failure.report(
                "'\(name)' cannot name a Kubernetes node: expected lower-case letters, digits, '-' and '.' (a DNS subdomain)",
                hint: "give the Kubernetes node's name with --node-name NAME")
        }
        return NodeResourceTopologyBuilder(snapshot: snapshot, applied: applied).build(name: name).jsonText()
    }
}
