import Foundation

/// One benchmark: `prepare` builds its input once (not timed) and returns
/// the work to time; `run` times that work several times and reports the
/// median, which ignores a slow first run and scheduler noise. It also
/// reports the median CPU time of the process, which stays meaningful when
/// other jobs share the machine and preempt the benchmark.
struct Benchmark: Sendable {
    var name: String
    var about: String
    var defaultRuns = 10
    var prepare: @Sendable () -> () -> Void
    /// For benchmarks that compare several ways of doing one thing: runs
    /// `runs` rounds itself and returns its rows (then `prepare` is unused).
    var compare: (@Sendable (_ runs: Int) -> [BenchRow])? = nil

    func run(runs: Int) -> String {
        if let compare { return compare(runs).map(\.text).joined(separator: "\n") }
        let work = prepare()
        work()  // warm-up: page in code and data
        var wall: [Double] = [], cpu: [Double] = []
        for _ in 0..<runs {
            let start = DispatchTime.now().uptimeNanoseconds, cpuStart = Benchmark.cpuTime()
            work()
            cpu.append(Benchmark.cpuTime() - cpuStart)
            wall.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        wall.sort()
        func ms(_ v: Double) -> String { String(format: "%.1f", v) }
        return "\(name): median \(ms(Benchmark.median(wall))) ms over \(runs) runs "
            + "(min \(ms(wall[0])), max \(ms(wall[wall.count - 1])); CPU time median \(ms(Benchmark.median(cpu))) ms)"
    }

    /// Wall-clock samples of the prepared work (after one warm-up run).
    func samples(runs: Int) -> Samples {
        let work = prepare()
        return Samples.time(runs: runs, work)
    }

    static func median(_ values: [Double]) -> Double {
        let v = values.sorted(), n = v.count
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2
    }

    /// CPU time used by this process so far, in milliseconds.
    static func cpuTime() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return Double(t.tv_sec) * 1e3 + Double(t.tv_nsec) / 1e6
    }
}

/// Every benchmark, in the order they run.
enum Benchmarks {
    static let all: [Benchmark] = [
        ValidateBenchmark.benchmark,
    ] + PlanBenchmark.benchmarks + [PlanBenchmark.replan] + PlanFixtureBenchmark.benchmarks
        + [PlacementQualityBenchmark.benchmark, SystemdBenchmark.benchmark, ApplyBenchmark.benchmark]
}

/// Keeps a result alive so the optimizer cannot drop the work that made it.
@inline(never) func consume<T>(_ value: T) { withExtendedLifetime(value) {} }
