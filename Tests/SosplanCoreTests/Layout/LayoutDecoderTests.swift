import SosplanCore
import Testing

/// Value forms, defaults, YAML features and marks through to the model.
@Suite struct LayoutDecoderTests {
    @Test func defaultsOfAnAlmostEmptyLayout() throws {
        let layout = try validLayout("  {}\n")
        #expect(layout.metadata.name == "t")
        #expect(layout.policy == LayoutPolicy(marks: layout.policy.marks))
        #expect(layout.policy.topology == .restricted && layout.policy.smt == .wholeCores && layout.policy.disruption == .defer)
        #expect(layout.host.cpus == .count(CPURequest(count: 1)))
        #expect(layout.host.memory == .zero && layout.host.confine)
        #expect(layout.hugepages.isEmpty && layout.enclaves.isEmpty && layout.services.isEmpty)
    }

    @Test func serviceDefaults() throws {
        let s = try service("")
        #expect(s.stack == .linux && s.slice == "sosplan-web.slice" && s.cpus == .shared && s.priority == 0)
        #expect(s.memory == MemoryLimits() && s.memory.nodes == .local)
        #expect(s.cpuWeight == nil && s.ioWeight == nil && s.tasksMax == nil && s.exec == nil)
    }

    @Test func metadataAndPolicy() throws {
        let text = """
            apiVersion: sosplan/v1
            kind: HostLayout
            metadata: {name: node07, hostname: node07.example.net, labels: {rack: "12", role: hpc}}
            spec:
              policy: {topology: single-numa-node, smt: threads, disruption: allow}
              host: {cpus: 2, memory: 4Gi, confine: False}
            """
        let layout = try #require(LayoutDecoder.decode(text, file: "t.yaml").layout)
        #expect(layout.metadata.hostname == "node07.example.net")
        #expect(layout.metadata.labels == ["rack": "12", "role": "hpc"])
        #expect(layout.policy.topology == .singleNUMANode && layout.policy.smt == .threads && layout.policy.disruption == .allow)
        #expect(layout.host.memory == .gib(4) && !layout.host.confine)
    }

    @Test(arguments: [
        ("512", UInt64(512)), ("4Gi", 4 << 30), ("1.5Gi", 3 << 29), ("10G", 10_000_000_000), ("\"2Mi\"", 2 << 20),
        ("0", 0),
    ])
    func sizes(written: String, bytes: UInt64) throws {
        #expect(try validLayout("  host: {memory: \(written)}\n").host.memory == ByteSize(bytes))
    }

    @Test func memoryLimitsAndNodes() throws {
        let s = try service("      memory: {min: 1Gi, low: 2Gi, high: 3Gi, max: infinity, nodes: [0, 2]}\n")
        #expect(s.memory.min == .value(1 << 30) && s.memory.low == .value(2 << 30))
        #expect(s.memory.high == .value(3 << 30) && s.memory.max == .infinity)
        #expect(s.memory.nodes == .list([0, 2]))
        #expect(try service("      memory: {nodes: any}\n").memory.nodes == .any)
        #expect(try service("      memory: {nodes: 1}\n").memory.nodes == .list([1]))
    }

    @Test func weightsTasksAndPriority() throws {
        let s = try service("      cpuWeight: 1\n      ioWeight: 10000\n      tasksMax: 4096\n      priority: -5\n")
        #expect(s.cpuWeight == 1 && s.ioWeight == 10_000 && s.tasksMax == .value(4096) && s.priority == -5)
        #expect(try service("      tasksMax: infinity\n").tasksMax == .infinity)
    }

    @Test func execTakesScalarsAsWritten() throws {
        let layout = try validLayout("  services:\n    - name: app\n      exec: [/opt/app, -s, 64, true, 1.5]\n      slice: hpc-app.slice\n")
        #expect(layout.services[0].exec == ["/opt/app", "-s", "64", "true", "1.5"])
        #expect(layout.services[0].slice == "hpc-app.slice")
        #expect(layout.services[0].execUnitName == "sosplan-app.service")
    }

    @Test func enclaveMemoryForms() throws {
        let layout = try validLayout("""
              enclaves:
                - {name: a, driver: pisces, cpus: 2, memory: 8Gi, priority: 7}
                - {name: b, driver: mos, cpus: 2, memory: {size: 4Gi, numa: 1}}
                - {name: c, driver: mckernel, args: "hidos", image: /opt/mck.img, cpus: 2, memory: [{size: 4Gi, numa: 0}, 2Gi]}

            """)
        #expect(layout.enclaves[0].memory == [MemoryRequest(size: .gib(8))] && layout.enclaves[0].priority == 7)
        #expect(layout.enclaves[1].memory == [MemoryRequest(size: .gib(4), numa: 1)] && layout.enclaves[1].driver == .mos)
        #expect(layout.enclaves[2].memory == [MemoryRequest(size: .gib(4), numa: 0), MemoryRequest(size: .gib(2))])
        #expect(layout.enclaves[2].totalMemory == .gib(6) && layout.enclaves[2].args == "hidos" && layout.enclaves[2].image == "/opt/mck.img")
    }

    @Test func stackNamesAnEnclave() throws {
        let layout = try validLayout("""
              enclaves: [{name: lwk0, driver: pisces, cpus: 8, memory: 8Gi}]
              services:
                - {name: app, stack: "enclave:lwk0", exec: [/opt/app], cpus: 4}

            """)
        #expect(layout.services[0].stack == .enclave("lwk0"))
        #expect(layout.services[0].stack.enclaveName == "lwk0")
    }

    @Test func hugepages() throws {
        let layout = try validLayout("  hugepages:\n    - {size: 2Mi, count: 512, numa: 0}\n    - {size: 1Gi, count: 4}\n")
        #expect(layout.hugepages.map(\.size) == [.mib(2), .gib(1)])
        #expect(layout.hugepages.map(\.count) == [512, 4])
        #expect(layout.hugepages.map(\.numa) == [0, nil])
    }

    @Test func nullSectionsReadAsEmpty() throws {
        let layout = try validLayout("  policy:\n  hugepages:\n  enclaves:\n  services:\n")
        #expect(layout.services.isEmpty && layout.hugepages.isEmpty)
    }

    @Test func aliasesAndMergeKeysReachTheModel() throws {
        let layout = try validLayout("""
              services:
                - name: a
                  units: [a.service]
                  <<: &common
                    memory: {max: 2Gi}
                    cpuWeight: 300
                  cpus: &four {count: 4, numa: 0}
                - name: b
                  <<: *common
                  units: [b.service]
                  cpuWeight: 50
                  cpus: *four

            """)
        let b = layout.services[1]
        #expect(b.memory.max == .value(2 << 30))
        #expect(b.cpuWeight == 50, "a key written in the mapping wins over the merged one")
        #expect(b.cpus == .count(CPURequest(count: 4, numa: [0])))
    }

    @Test func coreSchemaBooleansAndQuotedNumbers() {
        #expect(problems("  host: {confine: TRUE}\n").isEmpty)
        #expect(problems("  host: {confine: on}\n") == ["t.yaml:6:19: error: spec.host.confine: expected true or false, found the string 'on'"])
        #expect(problems("  hugepages: [{size: 2Mi, count: \"4\"}]\n")
            == ["t.yaml:6:34: error: spec.hugepages[0].count: expected an integer, found the quoted string \"4\""])
    }

    @Test func allProblemsAreReportedInFileOrder() {
        let found = problems("  host: {cpus: 0}\n  services:\n    - {name: X, units: [a]}\n  policy: {smt: all}\n")
        #expect(found.count == 4)
        #expect(found.map { $0.split(separator: ":")[1] } == ["6", "8", "8", "9"])
    }
}
