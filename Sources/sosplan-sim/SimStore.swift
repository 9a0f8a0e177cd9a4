import Foundation
import SosplanCore

/// Reading and writing `<root>/.sosplan-sim/` and finding the root from
/// the tools directory (`sosplan-sim.json` next to the tool links).
enum SimStore {
    static let directory = "/.sosplan-sim"
    static let configName = "sosplan-sim.json"

    struct SimError: Error, CustomStringConvertible {
        var description: String
    }

    /// The sim root for a tool invoked as `argv0`: the config beside the
    /// link (found through $PATH when argv0 has no slash), else
    /// $SOSPLAN_SIM_ROOT.
    static func root(forTool argv0: String) throws -> String {
        var dirs: [String] = []
        if argv0.contains("/") {
            dirs.append((argv0 as NSString).deletingLastPathComponent)
        } else {
            let search = ProcessInfo.processInfo.environment["PATH"] ?? ""
            dirs += search.split(separator: ":").map(String.init).filter {
                FileManager.default.fileExists(atPath: "\($0)/\(argv0)")
            }
        }
        for dir in dirs {
            let config = "\(dir)/\(configName)"
            if let data = FileManager.default.contents(atPath: config), let value = try? JSONParser.parse(Array(data)),
                let root = value["root"]?.stringValue
            {
                return root
            }
        }
        if let env = ProcessInfo.processInfo.environment["SOSPLAN_SIM_ROOT"] { return env }
        throw SimError(description: "no \(configName) next to \(argv0) and SOSPLAN_SIM_ROOT is not set; run 'sosplan-sim install' first")
    }

    static func loadState(root: String) throws -> SimState {
        let file = root + directory + "/state.json"
        guard let data = FileManager.default.contents(atPath: file) else {
            throw SimError(description: "\(file) is missing: not a simulated host (run 'sosplan-sim install')")
        }
        do { return try JSONValueDecoder().decode(SimState.self, from: try JSONParser.parse(Array(data))) } catch {
            throw SimError(description: "\(file): \(error)")
        }
    }

    static func loadFaults(root: String) -> [SimFault] {
        let file = root + directory + "/faults.json"
        guard let data = FileManager.default.contents(atPath: file), let value = try? JSONParser.parse(Array(data)),
            let decoded = try? JSONValueDecoder().decode(SimFaultFile.self, from: value)
        else { return [] }
        return decoded.faults
    }

    static func writeJSON<T: Encodable>(_ value: T, to file: String) {
        guard let json = try? JSONValueEncoder().encode(value) else { return }
        let tmp = file + ".tmp"
        _ = FileManager.default.createFile(atPath: tmp, contents: Data((JSONWriter.pretty(json) + "\n").utf8))
        _ = rename(tmp, file)
    }

    static func save(_ ctx: SimContext, exitStatus: Int32, log: [String]) {
        let dir = ctx.root + directory
        writeJSON(ctx.state, to: dir + "/state.json")
        writeJSON(SimFaultFile(faults: ctx.faults), to: dir + "/faults.json")
        let call: JSONValue = .object([
            ("tool", .string(ctx.tool)), ("args", .array(ctx.arguments.map { .string($0) })),
            ("exit", .int(Int64(exitStatus & 0xff))),
        ])
        append(JSONWriter.compact(call) + "\n", to: dir + "/calls.log")
        if !log.isEmpty { append(log.joined(separator: "\n") + "\n", to: dir + "/kernel.log") }
    }

    static func append(_ text: String, to file: String) {
        if !FileManager.default.fileExists(atPath: file) { _ = FileManager.default.createFile(atPath: file, contents: nil) }
        guard let handle = FileHandle(forWritingAtPath: file) else { return }
        handle.seekToEndOfFile()
        handle.write(Data(text.utf8))
        handle.closeFile()
    }

    /// Holds an exclusive flock on `<root>/.sosplan-sim/lock` while `body` runs.
    static func locked<T>(root: String, _ body: () throws -> T) throws -> T {
        let lockPath = root + directory + "/lock"
        let fd = open(lockPath, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw SimError(description: "cannot open \(lockPath): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            if errno != EINTR { throw SimError(description: "cannot lock \(lockPath)") }
        }
        defer { _ = flock(fd, LOCK_UN) }
        return try body()
    }
}
