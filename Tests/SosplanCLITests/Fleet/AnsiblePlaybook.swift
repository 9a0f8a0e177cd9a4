import Foundation
import SosplanCore
import SosplanTestSupport

/// Real `ansible-core` (from PyPI, installed by `.ci/run`) driving the
/// collection in `integrations/ansible` against localhost: the playbook's
/// module runs the debug `sosplan` with the sandbox's `SOSPLAN_*` variables.
enum AnsiblePlaybook {
    static var collections: URL { RepositoryPaths.root.appendingPathComponent("integrations/ansible") }
    static var collection: URL { collections.appendingPathComponent("ansible_collections/hpc/sosplan") }
    static var examples: URL { collection.appendingPathComponent("examples") }
    /// Runs the module once and saves its result as JSON (tests/run-module.yml).
    static var runModule: URL { collections.appendingPathComponent("tests/run-module.yml") }

    /// `ansible-playbook` found in `PATH` (pyenv shims included), or nil.
    static let program: URL? = find("ansible-playbook")
    static var isAvailable: Bool { program != nil && find("ansible-doc") != nil }
    static let unavailableReason = "ansible-playbook and ansible-doc are not in PATH (`.ci/run` installs ansible-core with pip)"

    static func find(_ name: String) -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            let url = URL(fileURLWithPath: String(dir)).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return nil
    }

    /// The environment of an Ansible run in `sandbox` (nil: no sandbox):
    /// UTF-8 locale (Ansible refuses others), its temporary files and home
    /// under `scratch`, no colours, the collection found in the repository.
    static func environment(_ sandbox: Sandbox?, scratch: URL) -> [String: String] {
        // Only the SOSPLAN_* exports: the sandbox's PATH line is written for a shell (`...:$PATH`).
        var env = CommandRunner.hostEnvironment((sandbox?.environment ?? [:]).filter { $0.key.hasPrefix("SOSPLAN_") })
        env["LC_ALL"] = "C.UTF-8"
        env["LANG"] = "C.UTF-8"
        env["ANSIBLE_COLLECTIONS_PATH"] = collections.path
        env["ANSIBLE_HOME"] = scratch.appendingPathComponent("ansible-home").path
        env["ANSIBLE_LOCAL_TEMP"] = scratch.appendingPathComponent("ansible-local").path
        env["ANSIBLE_REMOTE_TMP"] = scratch.appendingPathComponent("ansible-remote").path
        env["ANSIBLE_NOCOLOR"] = "1"
        env["ANSIBLE_RETRY_FILES_ENABLED"] = "0"
        env["ANSIBLE_PYTHON_INTERPRETER"] = "auto_silent"
        env["ANSIBLE_DEPRECATION_WARNINGS"] = "0"
        return env
    }

    /// One `run-module.yml` run: ansible-playbook's exit status and output
    /// (for messages) and the module's result as ansible returned it.
    struct ModuleRun {
        var process: CommandResult
        var result: JSONValue?

        var changed: Bool? { result?["changed"]?.boolValue }
        var failed: Bool { result?["failed"]?.boolValue ?? false }
        var message: String { result?["msg"]?.stringValue ?? "" }
        var outcome: String? { result?["outcome"]?.stringValue }
        var rolledBack: Bool? { result?["rolled_back"]?.boolValue }
        var steps: [JSONValue] { result?["steps"]?.arrayValue ?? [] }
        var diff: [JSONValue] { result?["diff"]?.arrayValue ?? [] }
        var stepIDs: [String] { steps.compactMap { $0["id"]?.stringValue } }
        var log: String { process.stdout + process.stderr }

        /// Keys of the result the module's RETURN does not document (and
        /// that are not Ansible's own).
        func undocumentedKeys() throws -> [String] {
            let mine = Set((result?.objectValue ?? []).map(\.0)).subtracting(AnsiblePlaybook.ansibleKeys)
            return mine.subtracting(try AnsiblePlaybook.documentedReturns()).sorted()
        }
    }

    /// What Ansible itself adds to every registered result.
    static let ansibleKeys: Set<String> = [
        "changed", "failed", "msg", "diff", "warnings", "deprecations", "invocation", "skipped", "exception", "skip_reason",
        // ansible-core adds `*_lines` beside every `stdout`/`stderr` a module returns.
        "stdout_lines", "stderr_lines",
    ]

    /// The keys the module's RETURN documents, as ansible-doc reads them (once per run).
    static func documentedReturns() throws -> Set<String> {
        if let known = documented.value { return known }
        let scratch = try ScratchDirectory("ansible-doc")
        defer { scratch.remove() }
        let r = try doc(["--json", "hpc.sosplan.sosplan"], scratch: scratch.url)
        let keys = Set((try JSONParser.parse(r.stdout)["hpc.sosplan.sosplan"]?["return"]?.objectValue ?? []).map(\.0))
        documented.value = keys
        return keys
    }

    private final class Cache: @unchecked Sendable { var value: Set<String>? }
    private static let documented = Cache()

    /// Runs `run-module.yml` in `sandbox` with the variables of `varsFiles`
    /// and then `variables` (later `-e` win), plus `flags` such as `--check --diff`.
    static func runModule(
        _ sandbox: Sandbox?, scratch: URL, variables: [String: JSONValue], varsFiles: [URL] = [], flags: [String] = []
    ) throws -> ModuleRun {
        let resultFile = scratch.appendingPathComponent("result-\(UUID().uuidString.prefix(8)).json")
        var vars = variables
        vars["sosplan_path"] = vars["sosplan_path"] ?? .string(RepositoryPaths.product("sosplan").path)
        vars["result_file"] = .string(resultFile.path)
        // -e with JSON: values keep their types and need no quoting.
        let extra = JSONWriter.compact(.object(vars.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }))
        let arguments = ["-i", "localhost,", runModule.path] + varsFiles.flatMap { ["-e", "@\($0.path)"] } + ["-e", extra] + flags
        let r = try playbook(arguments, sandbox: sandbox, scratch: scratch)
        let text = try? String(contentsOf: resultFile, encoding: .utf8)
        return ModuleRun(process: r, result: try text.map { try JSONParser.parse($0) })
    }

    static func playbook(_ arguments: [String], sandbox: Sandbox?, scratch: URL) throws -> CommandResult {
        guard let program else { throw SystemdLab.Failure(description: unavailableReason) }
        return try CommandRunner.run(program, arguments, replacingEnvironment: environment(sandbox, scratch: scratch))
    }

    static func doc(_ arguments: [String], scratch: URL) throws -> CommandResult {
        guard let program = find("ansible-doc") else { throw SystemdLab.Failure(description: unavailableReason) }
        return try CommandRunner.run(program, arguments, replacingEnvironment: environment(nil, scratch: scratch))
    }
}
