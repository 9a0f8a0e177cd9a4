import Foundation

/// The `stall` fault: a call that sleeps before it does its work. The
/// matching and counting run under the sim lock (they update faults.json);
/// the sleep runs after the lock is released and before the tool loads any
/// state, so other tools proceed meanwhile and killing the stalled tool
/// cannot leave a half-written host.
enum SimStall {
    /// Counts this call against the `stall` faults and sleeps as long as
    /// the longest one that fires before its work; returns how long to sleep
    /// after it (a stall with `--after`: the work is done and saved, the
    /// tool has not exited yet). Errors (no state yet) are left to the tool
    /// run that follows.
    static func serve(root: String, tool: String, arguments: [String]) -> Double {
        let (before, after) = (try? SimStore.locked(root: root) { claim(root: root, tool: tool, arguments: arguments) }) ?? (0, 0)
        sleep(before)
        return after
    }

    /// Updates the counters of matching faults; returns the seconds to
    /// sleep before and after the work (0: none).
    static func claim(root: String, tool: String, arguments: [String]) -> (before: Double, after: Double) {
        var faults = SimStore.loadFaults(root: root)
        guard faults.contains(where: { $0.kind == "stall" && $0.tool == tool }) else { return (0, 0) }
        let action = SimCallKind.action(tool: tool, arguments: arguments)
        var before = 0.0, after = 0.0
        var matched = false
        for i in faults.indices where faults[i].kind == "stall" && matches(faults[i], tool: tool, action: action) {
            matched = true
            let seen = (faults[i].seen ?? 0) + 1
            faults[i].seen = seen
            let fired = faults[i].fired ?? 0
            let count = faults[i].count ?? 1
            if seen >= (faults[i].nth ?? 1) && (count == 0 || fired < count) {
                faults[i].fired = fired + 1
                if faults[i].after == true {
                    after = max(after, faults[i].seconds ?? 0)
                } else {
                    before = max(before, faults[i].seconds ?? 0)
                }
            }
        }
        if matched {
            SimStore.writeJSON(SimFaultFile(faults: faults), to: root + SimStore.directory + "/faults.json")
        }
        let what = action.isEmpty ? "its work" : action
        if before > 0 {
            SimStore.append("\(tool): stalled \(before)s before \(what)\n", to: root + SimStore.directory + "/kernel.log")
        }
        if after > 0 {
            SimStore.append("\(tool): will stall \(after)s after \(what)\n", to: root + SimStore.directory + "/kernel.log")
        }
        return (before, after)
    }

    /// `any`, or the fault's action words are the call's first words.
    static func matches(_ fault: SimFault, tool: String, action: String) -> Bool {
        guard fault.tool == tool, let wanted = fault.action else { return false }
        if wanted == "any" { return true }
        let want = wanted.split(separator: " "), have = action.split(separator: " ")
        return !want.isEmpty && have.starts(with: want)
    }

    static func sleep(_ seconds: Double) {
        guard seconds > 0, seconds.isFinite else { return }
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - seconds.rounded(.down)) * 1e9))
        var left = timespec()
        // nanosleep returns early on a signal; sleep the remainder.
        while nanosleep(&request, &left) != 0 && errno == EINTR { request = left }
    }
}
