import SosplanCore
import SosplanDrivers

/// `--format nrt`: the NodeResourceTopology object as JSON (kubectl applies
/// JSON as well as YAML), named after the Kubernetes node.
enum NodeResourceTopologyOutput {
    /// The node name: `--node-name`, else the host name in lower case (as
    /// the kubelet names a node). The pods come from the kubelet's
    /// pod-resources API when `--pod-resources` names its socket.
    static func render(
        _ snapshot: HostSnapshot, applied: NodeResourceTopologyBuilder.Applied?, options: NodeResourceTopologyOptions
    ) throws -> String {
        guard let name = options.nodeName ?? snapshot.hostname?.lowercased() else {
            throw Failure.report(
                "the host has no host name to name its NodeResourceTopology after",
                hint: "give the Kubernetes node's name with --node-name NAME")
        }
        guard NodeResourceTopology.isValidNodeName(name) else {
            throw Failure.report(
                "'\(name)' cannot name a Kubernetes node: expected lower-case letters, digits, '-' and '.' (a DNS subdomain)",
                hint: "give the Kubernetes node's name with --node-name NAME")
        }
        // A kubelet configuration that is there but does not read: publishing
        // the kubelet's defaults instead would tell the scheduler a policy it does not run.
        if let kubelet = snapshot.kubelet, let file = kubelet.configFile, kubelet.configuration == nil {
            throw Failure.report(
                "cannot read the kubelet's configuration \(file): the NodeResourceTopology must carry its Topology Manager policy",
                hint: snapshot.warnings.first { $0.contains(file) } ?? "name the file with --kubelet-config FILE")
        }
        var pods: KubeletPodResources?
        if let socket = options.podResources {
            guard let helper = PodResourcesHelper.locate() else {
                throw Failure.report(
                    "--pod-resources needs \(PodResourcesHelper.program), which is neither beside sosplan nor on $PATH",
                    hint: "install it with sosplan, or name it with SOSPLAN_KUBE=PATH")
            }
            do { pods = try helper.read(socket: socket) } catch {
                throw Failure.report(error.description, hint: error.hint)
            }
        }
        return NodeResourceTopologyBuilder(snapshot: snapshot, applied: applied, podResources: pods).build(name: name).jsonText()
    }
}
