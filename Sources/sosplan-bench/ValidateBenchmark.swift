import Foundation
import SosplanCore

/// `validate`: decode and check a layout of about 1 MiB with 5,000 services
/// (about 18 YAML nodes each, under the 100,000-node limit), padded with the
/// kind of comments generated layouts carry. Target: well under a second.
enum ValidateBenchmark {
    static let serviceCount = 5_000
    static let target = 100.0

    static let benchmark = Benchmark(
        name: "validate", about: "decode + static checks of a ~1 MiB layout with \(serviceCount) services"
    ) {
        let bytes = Array(layout().utf8)
        precondition(bytes.count <= YAMLParser.maximumBytes, "benchmark layout is \(bytes.count) bytes")
        let check = LayoutDecoder.decode(bytes, file: "bench.yaml")
        precondition(check.layout?.services.count == serviceCount,
                     "benchmark layout must be valid:\n" + DiagnosticFormatter.text(check.diagnostics))
        FileHandle.standardError.write(Data("validate: \(bytes.count) bytes, \(serviceCount) services\n".utf8))
        return { consume(LayoutDecoder.decode(bytes, file: "bench.yaml")) }
    }

    /// A valid layout: an enclave, hugepages, and services of every shape.
    static func layout() -> String {
        var text = """
            # yaml-language-server: $schema=../Schemas/host-layout.schema.json
            # Generated for the validate benchmark: a large multi-tenant node.
            apiVersion: sosplan/v1
            kind: HostLayout
            metadata:
              name: bench-node
              labels: {generator: sosplan-bench}
            spec:
              policy: {topology: best-effort, smt: whole-cores}
              host: {cpus: 4, memory: 16Gi}
              hugepages:
                - {size: 2Mi, count: 4096, numa: 0}
              enclaves:
                - name: lwk0
                  driver: mckernel
                  args: "hidos ksyslogd=0"
                  cpus: {count: 64, numa: 1, min: 32}
                  memory: [{size: 64Gi, numa: 1}]
              services:

            """
        for i in 0..<serviceCount {
            let id = String(format: "%05d", i)
            text += "    # tenant \(id): shard \(i % 97) of pool \(i % 13), rack r\(i % 40), owner team-\(i % 23), cost centre cc-\(4000 + i % 300)\n"
            switch i % 4 {
            case 0:
                text += "    - name: web-\(id)\n      units: [web-\(id).service]\n      cpus: {count: 2, numa: \(i % 2)}\n      memory: {max: 2Gi}\n"
            case 1:
                text += "    - name: job-\(id)\n      exec: [/usr/bin/worker, --id, \(i)]\n      memory: {high: 1Gi, max: 2Gi}\n"
            case 2:
                text += "    - name: db-\(id)\n      units: [db-\(id).service]\n      cpus: {count: 2, min: 1, max: 4}\n      priority: \(i % 100)\n"
            default:
                text += "    - name: app-\(id)\n      stack: enclave:lwk0\n      exec: [/opt/apps/app, -n, 64]\n      cpus: shared\n"
            }
        }
        return text
    }
}
