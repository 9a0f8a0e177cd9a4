import Foundation
import SosplanCore

/// `<root>/.sosplan-sim/calls.log`: one compact JSON object per line for
/// every tool and launcher invocation, in the order they ran:
///
///     {"tool":"ihkconfig","arguments":["0","reserve","cpu","2-3"],"mutating":true,"status":0,"args":[...]}
///
/// `status` is the exit status (0–255); a launcher that went on to exec its
/// program logs 0 and `"launch":true`. `args` repeats `arguments` for
/// readers of the older format (the driver tests' `SimHost.calls`).
enum SimCallLog {
    static func path(root: String) -> String { root + SimStore.directory + "/calls.log" }

    static func line(tool: String, arguments: [String], mutating: Bool, status: Int32, launch: Bool = false) -> String {
        let args: JSONValue = .array(arguments.map { .string($0) })
        var members: [(String, JSONValue)] = [
            ("tool", .string(tool)), ("arguments", args), ("mutating", .bool(mutating)),
            ("status", .int(Int64(status & 0xff))),
        ]
        if launch { members.append(("launch", .bool(true))) }
        members.append(("args", args))
        return JSONWriter.compact(.object(members))
    }

    /// Appends one call (the caller holds the sim lock).
    static func record(root: String, tool: String, arguments: [String], mutating: Bool, status: Int32, launch: Bool = false) {
        SimStore.append(line(tool: tool, arguments: arguments, mutating: mutating, status: status, launch: launch) + "\n", to: path(root: root))
    }

    /// The recorded lines; with `mutatingOnly`, those whose `mutating` is
    /// true. Lines that do not parse are kept (they are shown, not judged).
    static func lines(root: String, mutatingOnly: Bool) -> [String] {
        let text = (try? String(contentsOfFile: path(root: root), encoding: .utf8)) ?? ""
        let all = text.split(separator: "\n").map(String.init)
        guard mutatingOnly else { return all }
        return all.filter { (try? JSONParser.parse($0))?["mutating"]?.boolValue == true }
    }

    /// `sosplan-sim calls (--root DIR | --tools DIR) [--mutating] [--clear]`:
    /// prints the log (or only the mutating calls), or empties it.
    static func command(_ args: [String]) throws -> Int32 {
        let (root, rest) = try SimCommandLine.rootOption(args)
        var mutatingOnly = false, clear = false
        for word in rest {
            switch word {
            case "--mutating": mutatingOnly = true
            case "--clear": clear = true
            default: throw SimStore.SimError(description: "calls: unknown option '\(word)' (--mutating, --clear)")
            }
        }
        guard FileManager.default.fileExists(atPath: root + SimStore.directory + "/state.json") else {
            throw SimStore.SimError(description: "\(root) is not a simulated host (run 'sosplan-sim install')")
        }
        try SimStore.locked(root: root) {
            if clear {
                _ = FileManager.default.createFile(atPath: path(root: root), contents: Data())
                return
            }
            let text = lines(root: root, mutatingOnly: mutatingOnly).map { $0 + "\n" }.joined()
            FileHandle.standardOutput.write(Data(text.utf8))
        }
        return 0
    }
}
