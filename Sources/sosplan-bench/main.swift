// sosplan-bench NAME [ARGS...]: release-build benchmarks (speed targets are
// checked here, not in unit tests). Each benchmark lives in its own file.
import Foundation

let benchmarks: [String: ([String]) throws -> Void] = [
    "observe": ObserveBenchmark.run
]

let arguments = Array(CommandLine.arguments.dropFirst())
guard let name = arguments.first, let benchmark = benchmarks[name] else {
    print("usage: sosplan-bench NAME [ARGS...]; benchmarks: \(benchmarks.keys.sorted().joined(separator: ", "))")
    exit(arguments.isEmpty ? 0 : 1)
}
do {
    try benchmark(Array(arguments.dropFirst()))
} catch {
    FileHandle.standardError.write(Data("sosplan-bench: \(error)\n".utf8))
    exit(1)
}
