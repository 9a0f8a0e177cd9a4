import SosplanCommandLine
import Testing

@testable import sosplan

/// `Sosplan.command(_:)` maps the paths the parser hands over to the types
/// that run them, beside the spec tree that lists the same commands for the
/// parser, `--help`, completions and the manual page. The two lists are
/// kept equal here: every leaf of the tree runs a command declared by that
/// very spec, and no other path runs anything.
@Suite struct CommandTableTests {
    static func leaves(_ spec: CommandSpec, _ path: [String] = []) -> [(path: String, spec: CommandSpec)] {
        spec.subcommands.isEmpty && !path.isEmpty
            ? [(path.joined(separator: " "), spec)]
            : spec.subcommands.flatMap { leaves($0, path + [$0.name]) }
    }

    @Test func everyLeafOfTheTreeRunsTheCommandItDescribes() {
        let leaves = Self.leaves(Sosplan.spec)
        #expect(leaves.map(\.path) == [
            "validate", "observe", "plan", "apply", "show", "reconcile", "status", "install", "job prolog", "job epilog",
        ])
        for leaf in leaves {
            guard let type = Sosplan.command(leaf.path) else {
                Issue.record("'\(leaf.path)' is in the tree but runs nothing")
                continue
            }
            #expect(type.spec.name == leaf.spec.name && type.spec.abstract == leaf.spec.abstract, "\(leaf.path)")
            #expect(type.spec.options.map(\.key) == leaf.spec.options.map(\.key), "\(leaf.path)")
        }
        for path in ["job", "help", "", "prolog", "observe observe", "Validate"] {
            #expect(Sosplan.command(path) == nil, "'\(path)' is no runnable command")
        }
    }
}
