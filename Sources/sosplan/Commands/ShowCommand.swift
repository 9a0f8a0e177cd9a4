import ArgumentParser
import Foundation
import SosplanCore

/// `sosplan show`: a picture of who owns which CPU and memory, for a
/// terminal (colours unless NO_COLOR, --no-color or a pipe) and as SVG.
struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Draw who owns which CPU and memory: terminal colours, or an SVG file.",
        discussion: """
            Packages, NUMA nodes, cores and hardware threads, each thread marked with its owner \
            (host, shared pool, service, enclave, co-kernel pool, offline). Without colours every \
            CPU still carries its owner's code; the legend explains the codes.
            """)

    @Argument(help: ArgumentHelp("A host layout (its placement view arrives with the plan command).", valueName: "LAYOUT"))
    var layout: String?

    @OptionGroup var host: HostOptions

    @Option(name: .long, help: ArgumentHelp("Draw a saved snapshot (observe -o) instead of observing.", valueName: "FILE"))
    var snapshot: String?

    @Option(name: .long, help: ArgumentHelp("Also write the picture as SVG to FILE.", valueName: "FILE"))
    var svg: String?

    @Flag(name: .long, help: "Do not colour the terminal picture.")
    var noColor = false

    func validate() throws {
        if snapshot != nil && host.root != nil {
            throw ValidationError("--snapshot and --root both say where the host comes from; give one")
        }
    }

    func run() throws {
        if let layout {
            guard FileManager.default.isReadableFile(atPath: layout) else {
                throw Failure.report("cannot read the layout '\(layout)'")
            }
            Terminal.err("note: the placement view of '\(layout)' arrives with the plan command; showing the observed state\n")
        }
        let state = try loadSnapshot()
        let picture = OwnershipPicture(snapshot: state, ownership: CPUOwnership.observed(state))
        if let svg {
            do {
                try Data(OwnershipSVGRenderer.render(picture).utf8).write(to: URL(fileURLWithPath: svg), options: .atomic)
            } catch {
                throw Failure.report("cannot write the SVG to '\(svg)': \(error.localizedDescription)")
            }
        }
        let colors = !noColor && Terminal.colorsEnabled()
        Terminal.out(OwnershipTextRenderer.render(picture, colors: colors, width: Terminal.width))
    }

    private func loadSnapshot() throws -> HostSnapshot {
        guard let snapshot else {
            do {
                return try host.makeObserver().observe()
            } catch {
                throw Failure.report("\(error)")
            }
        }
        guard let data = FileManager.default.contents(atPath: snapshot) else {
            throw Failure.report("cannot read the snapshot '\(snapshot)'")
        }
        do {
            return try HostSnapshot.decode(json: String(decoding: data, as: UTF8.self))
        } catch let error as JSONParser.Failure {
            throw Failure.report("\(snapshot):\(error.mark.line):\(error.mark.column): \(error.message)")
        } catch {
            throw Failure.report("\(snapshot): \(JSONValueDecoder.describe(error))")
        }
    }
}
