import Foundation

/// One line of the side-by-side table (`sosplan-bench all`): a figure of
/// sosplan's, the peer measured in the same run, their ratio, the target and
/// what limits the figure.
struct BenchRow: Codable {
    var name: String
    var figure: String
    var spread = ""
    var peer = ""
    var ratio = ""
    var target = ""
    /// Nil when the row has no target (or was skipped).
    var met: Bool? = nil
    var limits = ""

    var status: String { met.map { $0 ? "met" : "**missed**" } ?? "" }

    /// One line for the terminal.
    var text: String {
        var parts = ["\(name): \(figure)"]
        if !spread.isEmpty { parts[0] += " (\(spread))" }
        if !peer.isEmpty { parts.append("peer \(peer)") }
        if !ratio.isEmpty { parts.append("ratio \(ratio)") }
        if !target.isEmpty { parts.append("target \(target)\(met == false ? ", MISSED" : met == true ? ", met" : "")") }
        if !limits.isEmpty { parts.append(limits) }
        return parts.joined(separator: "; ")
    }

    static let header = "| case | sosplan | spread | peer, same run | ratio | target | status | what limits it |\n|---|---|---|---|---|---|---|---|"

    var markdown: String {
        func cell(_ s: String) -> String { s.replacingOccurrences(of: "|", with: "\\|") }
        return "| " + [name, figure, spread, peer, ratio, target, status, limits].map(cell).joined(separator: " | ") + " |"
    }

    static func skipped(_ name: String, _ why: String) -> BenchRow { BenchRow(name: name, figure: "skipped", limits: why) }
}

/// Repeated measurements of one thing, in milliseconds (or any unit).
struct Samples {
    var values: [Double]

    var median: Double { Benchmark.median(values) }
    var min: Double { values.min() ?? 0 }
    var max: Double { values.max() ?? 0 }

    func ms(_ digits: Int = 1) -> String { Samples.ms(median, digits) }
    func spread(_ digits: Int = 1) -> String { "\(Samples.ms(min, digits))–\(Samples.ms(max, digits))" }

    static func ms(_ v: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f ms", v) }
    static func ratio(_ v: Double) -> String { String(format: "%.2f×", v) }

    /// Times in-process work `runs` times (after one untimed warm-up run):
    /// the CPU time of this process in ms. The work is single-threaded, so
    /// this is its wall-clock time without the moments other jobs on the
    /// machine preempt it (2 cores shared with builds: wall times swing 2x).
    static func time(runs: Int, warmUp: Bool = true, _ body: () throws -> Void) rethrows -> Samples {
        if warmUp { try body() }
        var out: [Double] = []
        for _ in 0..<runs {
            let start = Benchmark.cpuTime()
            try body()
            out.append(Benchmark.cpuTime() - start)
        }
        return Samples(values: out)
    }
}
