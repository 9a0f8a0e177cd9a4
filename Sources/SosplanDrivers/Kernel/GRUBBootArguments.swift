import FoundationEssentials
import Glibc
import SosplanCore

/// sosplan's kernel arguments for the next boot, as a drop-in Debian's GRUB
/// reads: `grub-mkconfig` (run by `update-grub`) sources
/// `/etc/default/grub.d/*.cfg` after `/etc/default/grub`, so
/// `/etc/default/grub.d/sosplan.cfg` appends to `GRUB_CMDLINE_LINUX`
/// without touching the administrator's file. A host without
/// `/etc/default/grub` has no place sosplan writes (systemd-boot's
/// `/etc/kernel/cmdline` is one whole line, not a drop-in). On the live
/// root `update-grub` runs after each change; sosplan never reboots.
public struct GRUBBootArguments: Sendable {
    public var root: String

    public init(root: String) { self.root = root }

    public static let dropInPath = "/etc/default/grub.d/sosplan.cfg"
    static let marker = "# Managed by sosplan"
    static let prefix = "GRUB_CMDLINE_LINUX=\"$GRUB_CMDLINE_LINUX "

    var file: String { EnclaveToolConfiguration(root: root).hostPath(Self.dropInPath) }

    /// True when the host boots with GRUB configured in `/etc/default/grub`.
    public var isAvailable: Bool {
        var isDir = false
        return FileManager.default.fileExists(atPath: EnclaveToolConfiguration(root: root).hostPath("/etc/default/grub"), isDirectory: &isDir) && !isDir
    }

    /// The state for the snapshot; nil without GRUB.
    func read(_ reader: SysfsReader, warnings: inout [String]) -> BootArgumentsState? {
        guard isAvailable else { return nil }
        var state = BootArgumentsState(loader: "grub", path: Self.dropInPath)
        guard let text = reader.text(String(Self.dropInPath.dropFirst())) else { return state }
        if let args = Self.parse(text) {
            state.arguments = args
        } else {
            warnings.append("\(Self.dropInPath) is not in the form sosplan writes: read as no arguments (the next apply rewrites it)")
        }
        return state
    }

    /// The arguments of a drop-in sosplan wrote; nil for anything else.
    static func parse(_ text: String) -> [String]? {
        guard text.hasPrefix(marker) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(prefix) && line.hasSuffix("\"") {
            let words = line.dropFirst(prefix.count).dropLast().split(separator: " ").map(String.init)
            guard words.allSatisfy(isSafe) else { return nil }
            return words
        }
        return nil
    }

    /// The file is sourced by a shell: only the characters sosplan's
    /// arguments are made of (names, `=`, CPU lists, flags).
    static func isSafe(_ word: String) -> Bool {
        !word.isEmpty && word.utf8.allSatisfy { c in
            (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c == 95 || c == 61 || c == 44 || c == 45
        }
    }

    static func render(_ arguments: [String]) -> String {
        """
        \(marker): kernel arguments computed for the isolated CPUs of the host layout.
        # grub-mkconfig (update-grub) reads it after /etc/default/grub; rewritten or removed on apply, do not edit.
        \(prefix)\(arguments.joined(separator: " "))"

        """
    }

    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// The arguments the drop-in holds now (empty: no drop-in).
    public func written() -> [String] {
        guard let data = FileManager.default.contents(atPath: file) else { return [] }
        return Self.parse(String(decoding: data.prefix(64 * 1024), as: UTF8.self)) ?? []
    }

    /// Writes the drop-in (or removes it for no arguments), then regenerates
    /// GRUB's configuration on the live root. Returns what it did; nothing
    /// when the drop-in already says this.
    public func write(_ arguments: [String]) throws(Failure) -> [String] {
        guard let bad = arguments.first(where: { !Self.isSafe($0) }) else { return try replace(arguments) }
        throw Failure(description: "refusing to write kernel argument '\(bad)': only letters, digits, '_', '=', ',' and '-' reach the boot configuration")
    }

    private func replace(_ arguments: [String]) throws(Failure) -> [String] {
        let present = FileManager.default.fileExists(atPath: file)
        if present && written() == arguments && !arguments.isEmpty { return [] }
        if !present && arguments.isEmpty { return [] }
        var actions: [String] = []
        do {
            if arguments.isEmpty {
                try FileManager.default.removeItem(atPath: file)
                actions.append("removed \(Self.dropInPath)")
            } else {
                try DurableFile.makeDirectory(PathComponents.directory(file))
                try DurableFile.replace(file, with: Array(Self.render(arguments).utf8))
                actions.append("wrote \(Self.dropInPath): \(arguments.joined(separator: " "))")
            }
        } catch {
            throw Failure(description: "cannot write \(file): \(error)")
        }
        if let runner = updateGRUB() {
            let result: ToolResult
            do { result = try runner.run("update-grub", [], timeout: 600) } catch {
                throw Failure(description: "cannot regenerate GRUB's configuration: \(error)")
            }
            guard result.succeeded else {
                throw Failure(description: "update-grub failed (exit \(result.exitStatus)): \(result.stderr.suffix(400))")
            }
            actions.append("ran update-grub")
        } else {
            actions.append("takes effect once GRUB's configuration is regenerated (update-grub) and the host reboots")
        }
        return actions
    }

    /// `update-grub` on the live root only: a simulated root's changes
    /// never reach this machine's boot configuration.
    func updateGRUB() -> ToolRunner? {
        guard root == "/" || root.isEmpty else { return nil }
        let runner = ToolRunner(configuration: EnclaveToolConfiguration(root: "/"))
        return runner.isInstalled("update-grub") ? runner : nil
    }
}
