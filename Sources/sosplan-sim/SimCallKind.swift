/// What one tool invocation is, read from its arguments alone (before it
/// runs, so a `stall` can match it without the lock, and whether or not it
/// then succeeds, so a failed reservation still counts as a mutation).
enum SimCallKind {
    /// The action words of a call, as `fail` and `stall` faults name them:
    /// `reserve cpu`, `create`, `assign mem`, `boot`, `get status` (IHK),
    /// `load`, `launch`, `add`, `shutdown` (Pisces), `create`,
    /// `delete`, `show` (lwkctl), `launch` (the launchers). "" when the
    /// arguments name no action.
    static func action(tool: String, arguments args: [String]) -> String {
        switch tool {
        case "ihkconfig", "ihkosctl":
            guard args.count >= 2 else { return "" }
            // Two-word actions: the verb and its target (`reserve cpu`, `get status`).
            let twoWords = ["reserve", "release", "query", "get", "assign", "set"]
            return twoWords.contains(args[1]) && args.count >= 3 ? "\(args[1]) \(args[2])" : args[1]
        case "pisces_load": return "load"
        case "pisces_launch": return "launch"
        case "pisces_ctrl": return "add"
        case "pisces_shutdown": return "shutdown"
        case "lwkctl":
            let opts = LWKCtlTool.options.parse(args)
            if opts.has("c") { return "create" }
            if opts.has("d") { return "delete" }
            return opts.has("s") ? "show" : ""
        default:
            return SimLauncher.names.contains(tool) ? "launch" : ""
        }
    }

    /// Whether the call changes (or tries to change) the simulated kernels:
    /// true for reservations, creation, assignment, boot, shutdown, launch
    /// of an enclave, partition changes; false for reads and the
    /// launchers; nil when the words do not tell (usage errors, unknown
    /// actions), and the caller then compares the host before and after.
    /// `get status` is a read even though it advances the simulated clock
    /// of an IHK boot or shutdown.
    static func isMutating(tool: String, arguments args: [String]) -> Bool? {
        let verb = action(tool: tool, arguments: args).split(separator: " ").first.map(String.init) ?? ""
        switch tool {
        case "ihkconfig":
            if ["reserve", "release", "create", "destroy"].contains(verb) { return true }
            return ["query", "get"].contains(verb) ? false : nil
        case "ihkosctl":
            let writes = ["assign", "release", "load", "kargs", "boot", "shutdown", "set", "clear_kmsg", "freeze", "thaw"]
            if writes.contains(verb) { return true }
            return ["query", "get", "kmsg", "query_free_mem", "dump"].contains(verb) ? false : nil
        case "pisces_load", "pisces_launch", "pisces_ctrl", "pisces_shutdown":
            return true
        case "lwkctl":
            return verb == "create" || verb == "delete"
        default:
            return SimLauncher.names.contains(tool) ? false : nil
        }
    }
}
