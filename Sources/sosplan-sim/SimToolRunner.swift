import Foundation

/// Runs one simulated tool: finds the root, takes the lock, loads the
/// state, runs the tool, saves everything and prints what the tool printed.
enum SimToolRunner {
    static func run(tool: String, argv0: String, arguments: [String], body: (SimContext, [String]) -> Int32) -> Int32 {
        do {
            let root = try SimStore.root(forTool: argv0)
            var status: Int32 = 0
            var out = "", err = ""
            try SimStore.locked(root: root) {
                let ctx = try SimContext(root: root, tool: tool, arguments: arguments)
                status = body(ctx, arguments)
                ctx.finish(exitStatus: status)
                out = ctx.stdout
                err = ctx.stderr
            }
            FileHandle.standardOutput.write(Data(out.utf8))
            FileHandle.standardError.write(Data(err.utf8))
            return status
        } catch {
            FileHandle.standardError.write(Data("\(tool) (sosplan-sim): \(error)\n".utf8))
            return 1
        }
    }
}
