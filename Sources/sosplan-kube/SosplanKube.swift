import ArgumentParser
import Foundation
import SosplanCore
import SosplanKubernetes

/// `sosplan-kube`: sosplan's Kubernetes helper, kept apart from `sosplan`
/// so that gRPC and NIO are linked here only. `sosplan observe|status
/// --format nrt --pod-resources SOCKET` runs it; it can be run by hand too.
@main
struct SosplanKube: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sosplan-kube",
        abstract: "sosplan's Kubernetes helper: reads the kubelet's pod-resources API.",
        version: "0.1.0",
        subcommands: [PodResourcesCommand.self])
}

/// `sosplan-kube pod-resources`: what the kubelet may hand out and what its
/// pods hold, as the `sosplan.podresources/v1` JSON.
struct PodResourcesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pod-resources",
        abstract: "Print the kubelet's allocatable CPUs and memory and its pods' exclusive resources as JSON.",
        discussion: """
            Calls GetAllocatableResources and List of the kubelet's pod-resources API (v1, gRPC over \
            its unix socket) and prints the answer as sosplan.podresources/v1 JSON. Exit 0 printed, \
            1 the kubelet did not answer (nothing is printed).
            """)

    @Option(name: .long, help: ArgumentHelp("The kubelet's pod-resources socket (default: \(PodResourcesClient.defaultSocket)).", valueName: "PATH"))
    var socket: String = PodResourcesClient.defaultSocket

    @Option(name: .long, help: ArgumentHelp("Seconds each call may take.", valueName: "SECONDS"))
    var timeout: Double = 10

    func validate() throws {
        guard timeout > 0, timeout <= 600 else { throw ValidationError("--timeout must be more than 0 and at most 600 seconds") }
        guard !socket.isEmpty, !socket.unicodeScalars.contains(where: ControlCharacters.isControl) else {
            throw ValidationError("--socket must be a path without control characters")
        }
    }

    func run() async throws {
        let client = PodResourcesClient(socket: socket, timeout: .milliseconds(Int64(timeout * 1000)))
        do {
            let resources = try await client.read()
            print(resources.jsonText())
        } catch {
            // The kubelet's own words may be in it: escaped for the terminal.
            FileHandle.standardError.write(Data("sosplan-kube: error: \(ControlCharacters.escaped("\(error)"))\n".utf8))
            throw ExitCode(1)
        }
    }
}
