import Foundation
import SosplanCore
import SosplanTestSupport
import Testing

/// `integrations/kubernetes/sosplan-daemonset.yaml`: one writer per node,
/// the RBAC the publisher needs, and sosplan command lines whose every
/// option the built CLI accepts (so the manifest breaks a test, not a
/// cluster, when an option is renamed).
@Suite struct KubernetesManifestTests {
    static let file = RepositoryPaths.root.appendingPathComponent("integrations/kubernetes/sosplan-daemonset.yaml")

    static func manifest() throws -> JSONValue {
        let parsed = YAMLParser.parse(try String(contentsOf: file, encoding: .utf8), file: file.path)
        let root = try #require(parsed.root, "\(parsed.diagnostics)")
        return YAMLJSON.json(root)
    }

    static func item(_ kind: String, in manifest: JSONValue) throws -> JSONValue {
        try #require(manifest["items"]?.arrayValue?.first { $0["kind"]?.stringValue == kind }, "no \(kind)")
    }

    /// The `--long` options of `sosplan SUBCOMMAND --help`.
    static func options(of subcommand: String) throws -> Set<String> {
        let help = try CommandRunner.sosplan([subcommand, "--help"])
        #expect(help.status == 0, "\(help.stderr)")
        let words = help.stdout.split(whereSeparator: { " ,\n<>=".contains($0) })
        return Set(words.filter { $0.hasPrefix("--") }.map(String.init))
    }

    @Test func daemonSetRunsOneReconcilerAndOnePublisherPerNode() throws {
        let manifest = try Self.manifest()
        #expect(manifest["kind"]?.stringValue == "List")
        let daemonSet = try Self.item("DaemonSet", in: manifest)
        let pod = try #require(daemonSet["spec"]?["template"]?["spec"])
        #expect(pod["hostPID"]?.boolValue == true && pod["hostNetwork"]?.boolValue == true)
        let containers = pod["containers"]?.arrayValue ?? []
        #expect(containers.count == 2)

        let reconcile = try #require(containers.first { $0["name"]?.stringValue == "reconcile" })
        let command = (reconcile["command"]?.arrayValue ?? []).compactMap(\.stringValue)
        #expect(Array(command.prefix(3)) == ["sosplan", "reconcile", "--watch"])
        #expect(reconcile["securityContext"]?["privileged"]?.boolValue == true)
        let reconcileOptions = try Self.options(of: "reconcile")
        for option in command where option.hasPrefix("--") {
            #expect(reconcileOptions.contains(option), "reconcile has no \(option)")
        }

        let publisher = try #require(containers.first { $0["name"]?.stringValue == "publish-nrt" })
        let env = publisher["env"]?.arrayValue?.first { $0["name"]?.stringValue == "NODE_NAME" }
        #expect(env?["valueFrom"]?["fieldRef"]?["fieldPath"]?.stringValue == "spec.nodeName")
        let script = (publisher["command"]?.arrayValue ?? []).compactMap(\.stringValue).last ?? ""
        #expect(script.contains("sosplan status --format nrt --node-name \"$NODE_NAME\""))
        #expect(script.contains("kubectl apply --server-side --field-manager=sosplan -f"))
        // The kubelet's own numbers: its pod-resources API and configuration, from the host.
        #expect(script.contains("--pod-resources /var/lib/kubelet/pod-resources/kubelet.sock"))
        #expect(script.contains("--kubelet-config /var/lib/kubelet/config.yaml"))
        let volumes = pod["volumes"]?.arrayValue ?? []
        #expect(volumes.contains { $0["name"]?.stringValue == "kubelet" && $0["hostPath"]?["path"]?.stringValue == "/var/lib/kubelet" })
        for container in containers {
            let mounts = container["volumeMounts"]?.arrayValue ?? []
            #expect(mounts.contains { $0["name"]?.stringValue == "kubelet" && $0["mountPath"]?.stringValue == "/var/lib/kubelet" },
                    "\(container["name"]?.stringValue ?? "?") sees the kubelet's files")
        }
        #expect(!script.contains("--force-conflicts"), "one writer: a conflict must stop the publisher, not win")
        // The options of the status command line (it spans lines ending in a backslash).
        let statusLine = script.components(separatedBy: "sosplan status").dropFirst().first?
            .components(separatedBy: ">").first ?? ""
        let used = statusLine.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\\" }).filter { $0.hasPrefix("--") }
        #expect(used.count >= 6)
        let statusOptions = try Self.options(of: "status")
        for option in used { #expect(statusOptions.contains(String(option)), "status has no \(option)") }
    }

    @Test func publisherMayWriteNodeResourceTopologiesOnly() throws {
        let manifest = try Self.manifest()
        let role = try Self.item("ClusterRole", in: manifest)
        let rules = role["rules"]?.arrayValue ?? []
        #expect(rules.count == 1)
        #expect(rules.first?["apiGroups"] == .array([.string("topology.node.k8s.io")]))
        #expect(rules.first?["resources"] == .array([.string("noderesourcetopologies")]))
        let verbs = Set((rules.first?["verbs"]?.arrayValue ?? []).compactMap(\.stringValue))
        #expect(verbs.isSuperset(of: ["create", "patch"]) && !verbs.contains("delete") && !verbs.contains("*"))
        let binding = try Self.item("ClusterRoleBinding", in: manifest)
        let account = try Self.item("ServiceAccount", in: manifest)
        let daemonSet = try Self.item("DaemonSet", in: manifest)
        #expect(binding["roleRef"]?["name"] == role["metadata"]?["name"])
        #expect(binding["subjects"]?.arrayValue?.first?["name"] == account["metadata"]?["name"])
        #expect(daemonSet["spec"]?["template"]?["spec"]?["serviceAccountName"] == account["metadata"]?["name"])
    }
}
