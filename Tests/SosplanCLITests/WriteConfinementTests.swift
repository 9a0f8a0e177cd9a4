import Foundation
import SosplanCore
import SosplanTestSupport
import Testing

/// Every command, run in the sandbox under strace, writes only into the
/// state directory, the unit and install directories and output files it
/// is given, and the kernel files its plan names (the CPU `online` files
/// of cpu.* steps, `nr_hugepages` of hugepages.* steps, the memory blocks
/// and the page cache and compaction files of enclave steps). What the programs
/// it runs write (the co-kernel tools, which stand for the kernel here) is
/// theirs; the test lists which programs those are.
@Suite(.serialized, .enabled(if: Sandbox.isAvailable && WriteTrace.strace != nil,
                             "\(Sandbox.unavailableReason ?? "strace is not installed")"))
struct WriteConfinementTests {
    /// The kernel files a plan's steps name, under the sandbox's root: the
    /// CPUs' `online` flags, the pools' `nr_hugepages`, and the memory
    /// blocks of the nodes whose memory an enclave step takes or gives back
    /// (Pisces takes memory blocks offline itself; `snapshot` says which).
    static func kernelFiles(_ plan: Plan, snapshot: HostSnapshot, root: String) -> Set<String> {
        var files = Set<String>()
        func blocks(ofNodeIn memory: JSONValue?) {
            for node in (memory?.arrayValue ?? []).compactMap({ $0["node"]?.intValue }) {
                let blocks = snapshot.topology.node(node)?.memoryBlocks
                for b in (blocks?.online ?? CPUSet()).union(blocks?.offline ?? CPUSet()) {
                    files.insert("\(root)/sys/devices/system/memory/memory\(b)/state")
                }
            }
        }
        for step in plan.steps {
            switch step.action {
            case .enclaveCreate, .enclaveGrow, .enclaveShrink, .enclaveDestroy:
                for key in ["memory", "addMemory", "removeMemory"] {
                    blocks(ofNodeIn: step.before[key])
                    blocks(ofNodeIn: step.after[key])
                }
                // Before IHK reserves memory, mcreboot drops the page cache and
                // compacts (IHKDriver.prepareMemory), as the driver does too.
                if step.action == .enclaveCreate || step.action == .enclaveGrow {
                    files.insert("\(root)/proc/sys/vm/drop_caches")
                    files.insert("\(root)/proc/sys/vm/compact_memory")
                }
            case .cpuOffline, .cpuOnline:
                for cpu in step.target.cpus { files.insert("\(root)/sys/devices/system/cpu/cpu\(cpu)/online") }
            case .hugepagesSet:
                if case .hugepages(let h) = step.target {
                    files.insert("\(root)/sys/devices/system/node/node\(h.node)/hugepages/hugepages-\(h.sizeBytes / 1024)kB/nr_hugepages")
                }
            case .memoryOffline, .memoryOnline:
                guard case .memoryBlocks(let blocks) = step.target else { continue }
                for b in blocks {
                    files.insert("\(root)/sys/devices/system/memory/memory\(b)/state")
                    files.insert("\(root)/sys/devices/system/memory/memory\(b)/online")
                }
            default: continue
            }
        }
        return files
    }

    @Test func everyCommandWritesOnlyWhereItIsToldTo() throws {
        let sandbox = try Sandbox.up()
        defer { sandbox.down() }
        let out = sandbox.directory.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let traces = sandbox.directory.appendingPathComponent("traces")
        let root = URL(fileURLWithPath: sandbox.root.path).standardizedFileURL.path
        let empty = try ApplyFixture.empty(sandbox)
        let planFile = out.appendingPathComponent("plan.json").path
        #expect(try sandbox.sosplan(["plan", ApplyFixture.full, "-o", planFile]).status == 2)
        let plan = try SavedPlanReader.read(String(contentsOfFile: planFile, encoding: .utf8))
        let installDirs = ["--udev-dir", out.appendingPathComponent("udev").path, "--completions-dir",
                           out.appendingPathComponent("completions").path, "--man-dir", out.appendingPathComponent("man").path]

        // The commands, in an order that applies and takes back every kind of step.
        var kernel = Self.kernelFiles(plan, snapshot: try #require(plan.priorSnapshot), root: root)
        let commands: [[String]] = [
            ["validate", ApplyFixture.full],
            ["observe", "-o", out.appendingPathComponent("snapshot.json").path],
            ["plan", ApplyFixture.full, "-o", out.appendingPathComponent("again.json").path],
            ["show", ApplyFixture.full, "--svg", out.appendingPathComponent("picture.svg").path],
            ["apply", planFile],
            ["status", "--metrics", out.appendingPathComponent("sosplan.prom").path],
            ["install", "--layout", ApplyFixture.full, "--no-enable", "--binary", RepositoryPaths.product("sosplan").path] + installDirs,
            ["install", "--uninstall", "--no-enable"] + installDirs,
        ]
        var executed = Set<String>()
        var written = Set<String>()
        for command in commands {
            let (r, trace) = try WriteTrace.run(command, environment: sandbox.environment, in: traces)
            #expect(r.status == 0 || (command[0] == "plan" && r.status == 2), "\(command): \(r.stdout)\(r.stderr)")
            check(trace, command, allowed: allowed(sandbox, out: out.path, kernel: kernel))
            executed.formUnion(trace.executed)
            written.formUnion(trace.writes.map(\.path))
        }
        // The trace sees what the commands write: the journal, a unit file, a kernel file, each output.
        let state = sandbox.stateDirectory.standardizedFileURL.path
        #expect(written.contains("\(state)/last-apply.jsonl") && written.contains("\(state)/applied.json"), "\(written.sorted())")
        #expect(written.contains { $0.hasPrefix(sandbox.unitDirectory.standardizedFileURL.path + "/sosplan-") })
        #expect(!written.isDisjoint(with: kernel), "\(kernel.sorted())")
        for file in ["snapshot.json", "again.json", "picture.svg", "sosplan.prom", "udev/90-sosplan.rules"] {
            #expect(written.contains(out.appendingPathComponent(file).path), "\(file)")
        }
        // Back to where it started: the plan of the empty layout names the files it writes back.
        let undo = try #require(try ApplyFixture.plan(sandbox, empty).plan)
        kernel = Self.kernelFiles(undo, snapshot: try sandbox.snapshot(), root: root)
        let (r, trace) = try WriteTrace.run(["apply", empty, "--yes"], environment: sandbox.environment, in: traces)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        check(trace, ["apply", empty], allowed: allowed(sandbox, out: out.path, kernel: kernel))
        executed.formUnion(trace.executed)
        // The only programs run were the co-kernel tools.
        let tools = sandbox.toolsDirectory.standardizedFileURL.path
        #expect(executed.allSatisfy { $0.hasPrefix(tools + "/") }, "\(executed.sorted())")
        #expect(!executed.isEmpty, "the enclave steps ran their tools")
    }

    func allowed(_ sandbox: Sandbox, out: String, kernel: Set<String>) -> (String) -> Bool {
        let prefixes = [sandbox.stateDirectory, sandbox.unitDirectory].map { $0.standardizedFileURL.path } + [out]
        return { path in
            prefixes.contains { path == $0 || path.hasPrefix($0 + "/") } || kernel.contains(path) || path == "/dev/null"
        }
    }

    func check(_ trace: WriteTrace, _ command: [String], allowed: (String) -> Bool) {
        let outside = trace.writes.filter { !allowed($0.path) }.map { "\($0.call) \($0.path)" }
        #expect(outside.isEmpty, "sosplan \(command.joined(separator: " ")) wrote outside its places:\n\(outside.joined(separator: "\n"))")
    }
}
