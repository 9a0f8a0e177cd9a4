import Foundation
import SosplanCore
import SosplanDrivers

/// Enclave sequences through the real drivers against the simulated tools
/// (`sosplan-sim`) on a simulated 8-CPU, 2-node host: create, grow, destroy
/// for IHK/McKernel, Pisces/Kitten and mOS (McKernel and mOS cannot grow
/// a booted enclave: their grow is a recreate). Reported per operation: median time and how many tool
/// processes the driver ran (from the simulators' call log).
enum EnclaveBenchmark {
    static func rows(runs: Int, sim: URL) throws -> [BenchRow] {
        guard FileManager.default.isExecutableFile(atPath: sim.path) else {
            return [.skipped("enclaves", "no \(sim.path) (swift build -c release --product sosplan-sim)")]
        }
        var rows: [BenchRow] = []
        for driverName in ["ihk", "pisces", "mos"] {
            var times: [String: [Double]] = [:], tools: [String: Int] = [:]
            for _ in 0..<runs {
                let host = try SimulatedHost(sim: sim)
                defer { host.remove() }
                let ops = try host.sequence(driverName)
                for (op, body) in ops {
                    let before = host.callCount()
                    let start = DispatchTime.now().uptimeNanoseconds
                    try body()
                    times[op, default: []].append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
                    tools[op] = host.callCount() - before
                }
            }
            for op in ["create", "grow", "destroy"] {
                guard let t = times[op] else { continue }
                let s = Samples(values: t)
                rows.append(BenchRow(
                    name: "enclave: \(driverName) \(op) (simulated tools)", figure: "\(s.ms()), \(tools[op] ?? 0) tool runs", spread: s.spread(),
                    limits: driverName != "pisces" && op == "grow" ? "cannot grow a booted enclave: a recreate (destroy + create)" : "simulated tools: fork+exec per tool run, state in files"))
            }
        }
        return rows
    }

    /// A fresh simulated host installed by `sosplan-sim install`.
    final class SimulatedHost {
        let base: URL, root: String, configuration: EnclaveToolConfiguration, state: StateDirectory

        init(sim: URL) throws {
            base = FileManager.default.temporaryDirectory.appendingPathComponent("sosplan-bench-sim-\(getpid())-\(UUID().uuidString)")
            root = base.appendingPathComponent("root").path
            let tools = base.appendingPathComponent("tools").path
            state = StateDirectory(path: base.appendingPathComponent("state").path)
            configuration = EnclaveToolConfiguration(
                toolsDirectory: tools, root: root,
                timeouts: EnclaveTimeouts(tool: 30, boot: 5, shutdown: 5, pollInterval: 0.01, busyRetries: 3, busyBackoff: 0.01))
            let r = try SystemdBenchmark.run(sim, ["install", "--root", root, "--tools", tools, "--drivers", "ihk,pisces,mos",
                                                   "--cpus", "8", "--nodes", "2", "--memory", "8Gi"])
            guard r.status == 0 else { throw BenchmarkError("sosplan-sim install: \(r.stderr)") }
        }

        func remove() { try? FileManager.default.removeItem(at: base) }

        func callCount() -> Int {
            ((try? String(contentsOfFile: root + "/.sosplan-sim/calls.log", encoding: .utf8)) ?? "").split(separator: "\n").count
        }

        func image(_ name: String) throws -> String {
            let path = base.appendingPathComponent(name).path
            try Data("image".utf8).write(to: URL(fileURLWithPath: path))
            return path
        }

        /// The three operations of one driver, in order.
        func sequence(_ driver: String) throws -> [(String, () throws -> Void)] {
            let mib: (UInt64, Int) -> MemoryChunk = { MemoryChunk(node: $1, bytes: $0 << 20) }
            switch driver {
            case "ihk":
                let d = IHKDriver(configuration: configuration, stateDirectory: state)
                let request = EnclaveRequest(name: "lwk0", cpus: CPUSet(2...3), memory: [mib(512, 0)], image: try image("mckernel.img"), args: "ksyslogd=0")
                var grown = request
                grown.cpus.insert(4)
                return [
                    ("create", { _ = try d.create(request) }), ("grow", { _ = try d.recreate(grown) }),
                    ("destroy", { try d.destroy("lwk0") }),
                ]
            case "pisces":
                let d = PiscesDriver(configuration: configuration, stateDirectory: state)
                _ = try image("lwk_init")
                let request = EnclaveRequest(name: "kitten", cpus: CPUSet(4...5), memory: [mib(256, 1)], image: try image("vmlwk.bin"))
                return [
                    ("create", { _ = try d.create(request) }),
                    ("grow", { _ = try d.grow("kitten", cpus: CPUSet(6...7), memory: [mib(128, 1), mib(128, 0)]) }),
                    ("destroy", { try d.destroy("kitten") }),
                ]
            default:
                let d = MOSDriver(configuration: configuration, stateDirectory: state)
                let request = EnclaveRequest(name: "lwk", cpus: CPUSet([2, 3, 5, 6]), memory: [MemoryChunk(node: 0, bytes: 1 << 30), mib(640, 1)])
                var grown = request
                grown.cpus.insert(7)
                return [
                    ("create", { _ = try d.create(request) }), ("grow", { _ = try d.recreate(grown) }),
                    ("destroy", { try d.destroy("lwk") }),
                ]
            }
        }
    }
}
