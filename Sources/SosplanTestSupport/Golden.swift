import Foundation

/// Golden files: compares output with a checked-in file; with
/// `SOSPLAN_RECORD=1` it (re)writes the file instead and the check fails,
/// as argument-parser's snapshot tests do: a recording run compared
/// nothing, so it is never green. Run again without it to check.
public enum Golden {
    public static var recording: Bool {
        ProcessInfo.processInfo.environment["SOSPLAN_RECORD"].map { !$0.isEmpty && $0 != "0" } ?? false
    }

    public enum Outcome: Equatable {
        case matched
        /// Written, not compared: never a match.
        case recorded(path: String)
        case missing(path: String)
        case differs(path: String, diff: String)

        public var isMatch: Bool { self == .matched }

        public var message: String {
            switch self {
            case .matched: return "matched"
            case .recorded(let p): return "recorded \(p) (SOSPLAN_RECORD is set, so nothing was compared); run again without it to check"
            case .missing(let p): return "golden file \(p) is missing; run with SOSPLAN_RECORD=1 to record it"
            case .differs(let p, let d): return "output differs from \(p) (SOSPLAN_RECORD=1 re-records):\n\(d)"
            }
        }
    }

    public static func check(_ actual: String, against url: URL, recording: Bool = Golden.recording) -> Outcome {
        if recording {
            try? FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try? actual.write(to: url, atomically: true, encoding: .utf8)
            return .recorded(path: url.path)
        }
        guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
            return .missing(path: url.path)
        }
        if expected == actual { return .matched }
        return .differs(path: url.path, diff: lineDiff(expected: expected, actual: actual))
    }

    /// The first differing lines, enough to see what changed.
    public static func lineDiff(expected: String, actual: String, limit: Int = 12) -> String {
        let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
        var out: [String] = []
        for i in 0..<max(e.count, a.count) where out.count < limit * 2 {
            let x = i < e.count ? String(e[i]) : "<none>"
            let y = i < a.count ? String(a[i]) : "<none>"
            if x != y {
                out.append("line \(i + 1) expected: \(x)")
                out.append("line \(i + 1)   actual: \(y)")
            }
        }
        return out.joined(separator: "\n")
    }
}
