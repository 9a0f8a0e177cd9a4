import Foundation
import SosplanCommandLine
import SosplanCore
import SosplanKubernetes

/// `sosplan-kube`: sosplan's Kubernetes helper, kept apart from `sosplan`
/// so that gRPC and NIO are linked here only. `sosplan observe|status
/// --format nrt --pod-resources SOCKET` runs it; it can be run by hand too.
@main
enum SosplanKube {
    static let spec = CommandSpec(
        name: "sosplan-kube",
        abstract: "sosplan's Kubernetes helper: reads the kubelet's pod-resources API.",
        subcommands: [PodResourcesCommand.spec],
        version: "0.1.0")

    /// Usage errors exit 64 with the usage line, as `sosplan`'s do.
    static func main() async {
        let request: CommandLineRequest
        do {
            request = try CommandLineParser.parse(Array(CommandLine.arguments.dropFirst()), root: spec)
        } catch {
            say(HelpText.failure(error.error, path: error.path), to: .standardError)
            exit(UsageError.exitCode)
        }
        switch request {
        case .version(let v): say(v + "\n", to: .standardOutput)
        case .help(let path): say(HelpText.render(path), to: .standardOutput)
        case .run(let parsed):
            do {
                let command = try PodResourcesCommand(parsed)
                exit(await command.run())
            } catch {
                say(HelpText.failure(error, path: parsed.specs), to: .standardError)
                exit(UsageError.exitCode)
            }
        }
    }

    /// Everything said is escaped for the terminal: words from the command
    /// line and the kubelet's own may be in it.
    static func say(_ text: String, to handle: FileHandle) {
        handle.write(Data(ControlCharacters.escaped(text, keepingNewlines: true).utf8))
    }
}

/// `sosplan-kube pod-resources`: what the kubelet may hand out and what its
/// pods hold, as the `sosplan.podresources/v1` JSON.
struct PodResourcesCommand {
    static let spec = CommandSpec(
        name: "pod-resources",
        abstract: "Print the kubelet's allocatable CPUs and memory and its pods' exclusive resources as JSON.",
        discussion: """
            Calls GetAllocatableResources and List of the kubelet's pod-resources API (v1, gRPC over \
            its unix socket) and prints the answer as sosplan.podresources/v1 JSON. Exit 0 printed, \
            1 the kubelet did not answer (nothing is printed).
            """,
        options: [
            .value("socket", "PATH", help: "The kubelet's pod-resources socket.", completion: .file, default: PodResourcesClient.defaultSocket),
            .value("timeout", "SECONDS", help: "Seconds each call may take.", default: "10"),
        ])

    var socket: String
    var timeout: Double

    /// The values, typed and checked.
    init(_ p: ParsedCommand) throws(UsageError) {
        socket = p.valueOrDefault("socket")
        timeout = try p.double("timeout")
        guard timeout > 0, timeout <= 600 else { throw UsageError("--timeout must be more than 0 and at most 600 seconds") }
        guard !socket.isEmpty, !socket.unicodeScalars.contains(where: ControlCharacters.isControl) else {
            throw UsageError("--socket must be a path without control characters")
        }
    }

    /// The exit code: 0 printed, 1 the kubelet did not answer.
    func run() async -> Int32 {
        let client = PodResourcesClient(socket: socket, timeout: .milliseconds(Int64(timeout * 1000)))
        do {
            let resources = try await client.read()
            print(resources.jsonText())
            return 0
        } catch {
            SosplanKube.say("sosplan-kube: error: \(error)\n", to: .standardError)
            return 1
        }
    }
}
