// Release-build benchmarks: `swift run -c release sosplan-bench [name]`.
let args = Array(CommandLine.arguments.dropFirst())
PlanBenchmark.run(arguments: args)
