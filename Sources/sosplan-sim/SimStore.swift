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

    /// Replaces `file` atomically: the JSON goes to a temporary file beside
    /// it, which is renamed over `file` only when completely written. A
    /// tool killed at any point leaves either the old or the new file
    /// (plus, at worst, a stray temporary file).
    static func writeJSON<T: Encodable>(_ value: T, to file: String) {
        guard let json = try? JSONValueEncoder().encode(value) else { return }
        let tmp = "\(file).tmp-\(getpid())"
        let bytes = Array((JSONWriter.pretty(json) + "\n").utf8)
        let fd = open(tmp, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return }
        var done = 0
        while done < bytes.count {
            let n = bytes[done...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            done += n
        }
        close(fd)
        if done != bytes.count || rename(tmp, file) != 0 { unlink(tmp) }
    }

    /// Saves what a tool run changed: state, faults, the kernel log and,
    /// for a tool (not `sosplan-sim` itself), its line in calls.log.
    static func save(_ ctx: SimContext, call: (status: Int32, mutating: Bool)?, log: [String]) {
        let dir = ctx.root + directory
        writeJSON(ctx.state, to: dir + "/state.json")
        writeJSON(SimFaultFile(faults: ctx.faults), to: dir + "/faults.json")
        if let call {
            SimCallLog.record(root: ctx.root, tool: ctx.tool, arguments: ctx.arguments, mutating: call.mutating, status: call.status)
        }
        if !log.isEmpty { append(log.joined(separator: "\n") + "\n", to: dir + "/kernel.log") }
    }

    /// Appends with one write(2) on an O_APPEND descriptor, so a line is
    /// never interleaved with another writer's or cut by a kill.
    static func append(_ text: String, to file: String) {
        let fd = open(file, O_CREAT | O_WRONLY | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
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
