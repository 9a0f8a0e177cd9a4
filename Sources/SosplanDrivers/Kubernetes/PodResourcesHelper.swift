import FoundationEssentials
import Glibc
import SosplanCore

/// Reads the kubelet's pod-resources API through `sosplan-kube
/// pod-resources`, a separate program so that `sosplan` itself links no
/// gRPC: found beside the running `sosplan` (as installed, and in a build
/// folder), else on `$PATH`, unless `SOSPLAN_KUBE` names it.
public struct PodResourcesHelper: Sendable {
    public static let program = "sosplan-kube"

    public var executable: String
    /// Seconds for the whole run (the helper limits each call itself).
    public var timeout: Double

    public init(executable: String, timeout: Double = 30) {
        self.executable = executable
        self.timeout = timeout
    }

    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var description: String
        public var hint: String?
    }

    /// The helper to run: `SOSPLAN_KUBE`, beside this executable, or on `$PATH`.
    public static func locate(environment: [String: String] = ProcessInfo.processInfo.environment) -> PodResourcesHelper? {
        if let named = environment["SOSPLAN_KUBE"], !named.isEmpty { return PodResourcesHelper(executable: named) }
        let own = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        let beside = own.appendingPathComponent(program).path
        if FileManager.default.isExecutableFile(atPath: beside) { return PodResourcesHelper(executable: beside) }
        for dir in (environment["PATH"] ?? "").split(separator: ":") where !dir.isEmpty {
            let candidate = "\(dir)/\(program)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return PodResourcesHelper(executable: candidate) }
        }
        return nil
    }

    /// What the kubelet at `socket` reports.
    public func read(socket: String) throws(Failure) -> KubeletPodResources {
        let result: ToolResult
        do {
            result = try ToolRunner.launch(
                tool: Self.program, executable: executable, arguments: ["pod-resources", "--socket", socket],
                environment: ProcessInfo.processInfo.environment, timeout: timeout)
        } catch {
            switch error {
            case .cannotRun(let why): throw Failure(description: "cannot run \(executable): \(why)")
            case .timedOut: throw Failure(description: "\(Self.program) did not answer within \(Int(timeout)) s")
            }
        }
        guard result.succeeded else {
            // Its last line, escaped: it may repeat what the kubelet said.
            let last = result.stderr.split(separator: "\n").last.map { String($0) } ?? "exit \(result.exitStatus)"
            let said = ControlCharacters.shown(last, limit: 300)
            throw Failure(
                description: "cannot read the kubelet's pod-resources API (\(socket)): \(said)",
                hint: "is the kubelet running, and is its socket at \(socket)? (--pod-resources SOCKET)")
        }
        do { return try KubeletPodResources.decode(json: result.stdout) } catch {
            throw Failure(description: "\(Self.program) printed no \(KubeletPodResources.schemaID) document: \(error)")
        }
    }
}
