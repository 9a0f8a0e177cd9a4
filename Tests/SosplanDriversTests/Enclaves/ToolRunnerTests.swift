import Foundation
import Testing

@testable import SosplanDrivers

@Suite struct ToolRunnerTests {
    /// A tools directory with links to a few system programs.
    func tools(_ names: [String: String]) throws -> (EnclaveToolConfiguration, URL) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sosplan-tools-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for (name, target) in names {
            try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent(name).path, withDestinationPath: target)
        }
        return (EnclaveToolConfiguration(toolsDirectory: dir.path, root: "/"), dir)
    }

    @Test func toolsAreFoundOnlyAsExecutableFiles() throws {
        let (config, dir) = try tools(["ihkconfig": "/bin/true"])
        defer { try? FileManager.default.removeItem(at: dir) }
        // A directory or a plain file under a tool's name is not the tool.
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("lwkctl"), withIntermediateDirectories: false)
        FileManager.default.createFile(atPath: dir.appendingPathComponent("ihkosctl").path, contents: Data("#!/bin/sh\n".utf8))
        #expect(config.locate("ihkconfig") == dir.appendingPathComponent("ihkconfig").path)
        #expect(config.locate("lwkctl") == nil)
        #expect(config.locate("ihkosctl") == nil)
        // A trailing slash on the tools directory does not double the separator.
        let slashed = EnclaveToolConfiguration(toolsDirectory: dir.path + "/", root: "/")
        #expect(slashed.locate("ihkconfig") == dir.appendingPathComponent("ihkconfig").path)
        #expect(EnclaveToolConfiguration(toolsDirectory: "/", root: "/").locate("no-such-sosplan-tool") == nil)
    }

    @Test func argumentsReachTheToolVerbatim() throws {
        let (config, dir) = try tools(["echo": "/bin/echo"])
        defer { try? FileManager.default.removeItem(at: dir) }
        let args = ["a b", "$(reboot)", "; rm -rf /", "'quoted'", ""]
        let r = try ToolRunner(configuration: config).run("echo", args)
        #expect(r.succeeded)
        #expect(r.stdout == args.joined(separator: " ") + "\n")
        #expect(r.arguments == args)
        #expect(r.commandLine == #"echo 'a b' '$(reboot)' '; rm -rf /' ''\''quoted'\''' ''"#)
    }

    @Test func exitStatusAndStderrAreKept() throws {
        let (config, dir) = try tools(["ls": "/bin/ls"])
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try ToolRunner(configuration: config).run("ls", ["/nonexistent-sosplan"])
        #expect(r.exitStatus == 2)
        #expect(r.stderr.contains("No such file or directory"))
        let e = EnclaveError.toolFailed(r)
        #expect(e.description.contains("exit status: 2"))
        #expect(e.description.contains("cannot access '/nonexistent-sosplan'"))
    }

    @Test func aHungToolIsStoppedAtTheTimeout() throws {
        let (config, dir) = try tools(["sleep": "/bin/sleep"])
        defer { try? FileManager.default.removeItem(at: dir) }
        let start = Date()
        let error = #expect(throws: EnclaveError.self) { _ = try ToolRunner(configuration: config).run("sleep", ["30"], timeout: 0.3) }
        #expect(error?.kind == .timeout)
        #expect(Date().timeIntervalSince(start) < 10)
    }

    @Test func aMissingToolIsReportedNotRun() throws {
        let (config, dir) = try tools([:])
        defer { try? FileManager.default.removeItem(at: dir) }
        let error = #expect(throws: EnclaveError.self) { _ = try ToolRunner(configuration: config).run("ihkconfig", ["0", "query", "cpu"]) }
        #expect(error?.kind == .toolMissing)
        #expect(error?.message.contains("ihkconfig is not installed in \(dir.path)") == true)
    }

    @Test func hostPathsAreUnderTheRoot() {
        #expect(EnclaveToolConfiguration(root: "/").hostPath("/sys/kernel/mOS") == "/sys/kernel/mOS")
        #expect(EnclaveToolConfiguration(root: "/tmp/x/").hostPath("/sys/kernel/mOS") == "/tmp/x/sys/kernel/mOS")
    }
}
