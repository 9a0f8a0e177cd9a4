import Foundation

/// Runs one simulated tool: finds the root, serves any `stall` fault (a
/// sleep outside the lock), takes the lock, loads the state, runs the
/// tool, saves everything with its calls.log line and prints what the tool
/// printed.
enum SimToolRunner {
    static func run(tool: String, argv0: String, arguments: [String], body: (SimContext, [String]) -> Int32) -> Int32 {
        do {
            let root = try SimStore.root(forTool: argv0)
            let stallAfter = SimStall.serve(root: root, tool: tool, arguments: arguments)
            var status: Int32 = 0
            var out = "", err = ""
            var killed = false
            try SimStore.locked(root: root) {
                let ctx = try SimContext(root: root, tool: tool, arguments: arguments)
                let before = ctx.stateSnapshot
                status = body(ctx, arguments)
                // The action words decide; a state diff covers calls they do not classify.
                let changed = ctx.hostChanged || ctx.stateSnapshot != before
                let mutating = SimCallKind.isMutating(tool: tool, arguments: arguments) ?? changed
                ctx.finish(call: (status, mutating))
                out = ctx.stdout
                err = ctx.stderr
                killed = ctx.hazardFired
            }
            FileHandle.standardOutput.write(Data(out.utf8))
            FileHandle.standardError.write(Data(err.utf8))
            // A `stall --after`: the work is saved, the caller has not seen the result yet.
            SimStall.sleep(stallAfter)
            if killed {
                FileHandle.standardError.write(Data("\(tool) (sosplan-sim): killed: the kernel oopsed in this call (see .sosplan-sim/hazards.log)\n".utf8))
                kill(getpid(), SIGKILL)
            }
            return status
        } catch {
            FileHandle.standardError.write(Data("\(tool) (sosplan-sim): \(error)\n".utf8))
            return 1
        }
    }
}
