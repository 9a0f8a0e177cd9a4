// sosplan-bench: release-build benchmarks. `sosplan-bench all [--smoke]
// [--write BENCHMARKS.md]` runs every case beside its peer (the README's
// command); `sosplan-bench` runs the in-process ones, `sosplan-bench NAME...` some, `--runs N` to change the count,
// `--list` to see the names. Each prints `NAME: median X ms over N runs`.
// To add one: put a `Benchmark` in its own file and list it in `Benchmarks.all`.

import Foundation

/// Runs a subcommand that takes its own arguments, then exits.
func subcommand(_ name: String, _ body: ([String]) throws -> Void) {
    guard CommandLine.arguments.dropFirst().first == name else { return }
    do {
        try body(Array(CommandLine.arguments.dropFirst(2)))
        exit(0)
    } catch {
        FileHandle.standardError.write(Data("sosplan-bench: \(error)\n".utf8))
        exit(1)
    }
}

// `all` runs every case beside its peer and can write BENCHMARKS.md.
subcommand("all", SideBySide.run)
// `observe` compares with hwloc's lstopo as processes.
subcommand("observe", ObserveBenchmark.run)
// `hotplug` toggles the real CPU 1 under `reconcile --watch` (root, a systemd lab).
subcommand("hotplug", HotplugBenchmark.run)
// `startup` runs the start-up rows of `all` alone (`--version` beside hello-world, `plan --snapshot` as a process).
subcommand("startup", StartupBenchmark.run)
// `plan-memory` runs the peak-memory row of `all` alone (`plan --snapshot` of 4,096 CPUs).
subcommand("plan-memory") { arguments in
    let runs = arguments.first == "--runs" ? arguments.dropFirst().first.flatMap { Int($0) } ?? 5 : 5
    let here = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
    for row in try PlanMemoryBenchmark.rows(runs: runs, sosplan: here.appendingPathComponent("sosplan")) { print(row.text) }
}

var names: [String] = []
var runs: Int?
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch argument {
    case "--runs":
        guard let n = arguments.popFirst().flatMap({ Int($0) }), n > 0 else {
            FileHandle.standardError.write(Data("--runs needs a positive number\n".utf8))
            exit(64)
        }
        runs = n
    case "--list":
        for b in Benchmarks.all { print("\(b.name): \(b.about)") }
        print("observe: sosplan observe vs lstopo on the 256-CPU fixtures (`sosplan-bench observe [--runs N] [FIXTURE...]`)")
        print("hotplug: real CPU 1 offline/online under reconcile --watch (`sosplan-bench hotplug [--transitions N]`)")
        print("plan-memory: peak memory of plan --snapshot, 4,096 CPUs (`sosplan-bench plan-memory [--runs N]`)")
        print("startup: sosplan --version vs a static hello-world, plan --snapshot as a process (`sosplan-bench startup [--runs N]`)")
        exit(0)
    default:
        names.append(argument)
    }
}
let unknown = names.filter { n in !Benchmarks.all.contains { $0.name == n } }
guard unknown.isEmpty else {
    FileHandle.standardError.write(Data("unknown benchmark(s): \(unknown.joined(separator: ", ")); try --list\n".utf8))
    exit(64)
}
for benchmark in Benchmarks.all where names.isEmpty || names.contains(benchmark.name) {
    print(benchmark.run(runs: runs ?? benchmark.defaultRuns))
}
