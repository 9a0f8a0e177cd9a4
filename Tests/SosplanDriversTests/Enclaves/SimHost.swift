import Foundation
import SosplanCore
import SosplanTestSupport
import Testing

@testable import SosplanDrivers

/// A simulated host installed by the built `sosplan-sim` into a fresh
/// temporary directory: the root, the tool links, a state directory and a
/// driver configuration with short timeouts.
final class SimHost: Sendable {
    let base: URL
    let root: String
    let tools: String
    let state: StateDirectory
    let configuration: EnclaveToolConfiguration

    init(cpus: Int = 8, nodes: Int = 2, memory: String = "8Gi", drivers: String = "ihk,pisces,mos", fixture: String? = nil)
        throws
    {
        base = FileManager.default.temporaryDirectory.appendingPathComponent("sosplan-sim-\(UUID().uuidString)")
        root = base.appendingPathComponent("root").path
        tools = base.appendingPathComponent("tools").path
        state = StateDirectory(path: base.appendingPathComponent("state").path)
        configuration = EnclaveToolConfiguration(
            toolsDirectory: tools, root: root,
            timeouts: EnclaveTimeouts(tool: 30, boot: 5, shutdown: 5, pollInterval: 0.01, busyRetries: 3, busyBackoff: 0.01))
        var args = ["install", "--root", root, "--tools", tools, "--drivers", drivers]
        if let fixture {
            args += ["--from-fixture", fixture]
        } else {
            args += ["--cpus", String(cpus), "--nodes", String(nodes), "--memory", memory]
        }
        let r = try sim(args)
        guard r.status == 0 else { throw SimHostError(description: "sosplan-sim install failed: \(r.stderr)") }
    }

    deinit { try? FileManager.default.removeItem(at: base) }

    var ihk: IHKDriver { IHKDriver(configuration: configuration, stateDirectory: state) }
    var pisces: PiscesDriver { PiscesDriver(configuration: configuration, stateDirectory: state) }
    var mos: MOSDriver { MOSDriver(configuration: configuration, stateDirectory: state) }
    var hotplug: LinuxHotplug { LinuxHotplug(root: root) }

    @discardableResult
    func sim(_ args: [String]) throws -> CommandResult {
        try CommandRunner.run(RepositoryPaths.product("sosplan-sim"), args)
    }

    /// `sosplan-sim fault --root ROOT ARGS...`, which must succeed.
    func fault(_ args: String...) throws {
        let r = try sim(["fault", "--root", root] + args)
        guard r.status == 0 else { throw SimHostError(description: "fault \(args) failed: \(r.stderr)") }
    }

    /// A simulated tool run directly (to check the raw tool's behaviour).
    func tool(_ name: String, _ args: String...) throws -> ToolResult {
        try ToolRunner(configuration: configuration).run(name, args)
    }

    /// A file under the simulated root.
    func read(_ path: String) -> String? { try? String(contentsOfFile: root + path, encoding: .utf8) }

    /// Writes a simulated sysfs attribute directly (as the kernel would change it).
    func write(_ path: String, _ text: String) throws { try text.write(toFile: root + path, atomically: false, encoding: .utf8) }

    /// The tool calls recorded by the simulators, in order (`tool action…`).
    func calls(_ tool: String? = nil) -> [[String]] {
        let text = (try? String(contentsOfFile: root + "/.sosplan-sim/calls.log", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line -> [String]? in
            guard let value = try? JSONParser.parse(String(line)), let t = value["tool"]?.stringValue,
                case .array(let args)? = value["args"]
            else { return nil }
            if let tool, t != tool { return nil }
            return [t] + args.compactMap(\.stringValue)
        }
    }

    /// An empty kernel image the simulated tools can "load".
    func image(_ name: String = "mckernel.img") throws -> String {
        let path = base.appendingPathComponent(name).path
        try Data("image".utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Kitten's image with `lwk_init` beside it.
    func kittenImage() throws -> String {
        _ = try image("lwk_init")
        return try image("vmlwk.bin")
    }

    func onlineCPUs() -> CPUSet { hotplug.onlineCPUs() }
}

struct SimHostError: Error, CustomStringConvertible {
    var description: String
}

/// 1 GiB / 512 MiB on a node, for requests.
func gib(_ n: UInt64, node: Int = 0) -> MemoryChunk { MemoryChunk(node: node, bytes: n << 30) }
func mib(_ n: UInt64, node: Int = 0) -> MemoryChunk { MemoryChunk(node: node, bytes: n << 20) }
