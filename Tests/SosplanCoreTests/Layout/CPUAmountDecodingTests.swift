import SosplanCore
import Testing

/// Every written form of `cpus:` and what it decodes to.
@Suite struct CPUAmountDecodingTests {
    @Test(arguments: [
        ("4", CPUAmount.count(CPURequest(count: 4))),
        ("shared", .shared),
        ("\"shared\"", .shared),
        ("0-3,8", .list(CPUSet([0, 1, 2, 3, 8]), numa: nil)),
        ("\"4-7\"", .list(CPUSet(4...7), numa: nil)),
        ("'12'", .list(CPUSet([12]), numa: nil)),
        ("{count: 4, numa: 1}", .count(CPURequest(count: 4, numa: [1]))),
        ("{count: 4, numa: [0, 1], min: 2, max: 6}", .count(CPURequest(count: 4, numa: [0, 1], min: 2, max: 6))),
        ("{count: 4, min: 0}", .count(CPURequest(count: 4, min: 0))),
        ("{list: \"4-7\"}", .list(CPUSet(4...7), numa: nil)),
        ("{list: 4-7, numa: 0}", .list(CPUSet(4...7), numa: [0])),
        ("{list: 5}", .list(CPUSet([5]), numa: nil)),
        ("{list: \"4-7\", count: 4, min: 4, max: 4}", .list(CPUSet(4...7), numa: nil)),
    ])
    func serviceForms(written: String, expected: CPUAmount) throws {
        #expect(try service("      cpus: \(written)\n").cpus == expected)
    }

    @Test func serviceDefaultsToTheSharedPool() throws {
        #expect(try service("").cpus == .shared)
    }

    @Test func elasticRangeDefaultsToTheCount() throws {
        let cpus = try service("      cpus: {count: 6}\n").cpus
        #expect(cpus.minimum == 6 && cpus.nominal == 6 && cpus.maximum == 6)
        let elastic = try service("      cpus: {count: 6, min: 2, max: 10}\n").cpus
        #expect(elastic.minimum == 2 && elastic.nominal == 6 && elastic.maximum == 10)
    }

    @Test func quotedSingleNumberIsACPUListWithAWarning() {
        let result = LayoutDecoder.decode(
            layoutText("  services:\n    - name: web\n      units: [a.service]\n      cpus: \"4\"\n"), file: "t.yaml")
        #expect(result.layout?.services.first?.cpus == .list(CPUSet([4]), numa: nil))
        #expect(result.diagnostics.map(\.severity) == [.warning])
        #expect(result.diagnostics.first?.mark == SourceMark(line: 9, column: 13))
    }

    @Test func hostAndEnclaveAcceptListsAndMapsButNotShared() throws {
        let layout = try validLayout("""
              host: {cpus: "0-1"}
              enclaves:
                - {name: lwk, driver: pisces, cpus: {count: 8, numa: 1, min: 4}, memory: 8Gi}

            """)
        #expect(layout.host.cpus == .list(CPUSet(0...1), numa: nil))
        #expect(layout.enclaves[0].cpus == .count(CPURequest(count: 8, numa: [1], min: 4)))
        #expect(problems("  host: {cpus: shared}\n").first?.contains("'shared' is only for services") == true)
    }

    @Test func badCPUListPointsIntoTheString() {
        // `cpus: "0-3,x"`: the value starts at column 13, its quote adds one, the bad part is at offset 4.
        #expect(problems("  services:\n    - name: web\n      units: [a.service]\n      cpus: \"0-3,x\"\n")
            == ["t.yaml:9:18: error: spec.services[0].cpus: '0-3,x' is not a valid CPU list: 'x' is not a CPU id or range like 4-7"])
        #expect(problems("  services:\n    - name: web\n      units: [a.service]\n      cpus: 0-3,3\n")
            == ["t.yaml:9:17: error: spec.services[0].cpus: '0-3,3' is not a valid CPU list: '3' is not ascending or repeats a CPU (a list must go up, without duplicates)"])
    }

    @Test func contradictionsInTheMapForm() {
        let base = "  services:\n    - name: web\n      units: [a.service]\n      cpus: "
        #expect(problems(base + "{list: 0-3, count: 2}\n").first?.hasSuffix("count 2 does not match the 4 CPUs of list '0-3'") == true)
        #expect(problems(base + "{list: 0-3, max: 8}\n").first?.hasSuffix("max 8 differs from the 4 CPUs of list '0-3'") == true)
        #expect(problems(base + "{count: 2, min: 3}\n").first?.hasSuffix("min 3 is above count 2") == true)
        #expect(problems(base + "{count: 2, max: 1}\n").first?.hasSuffix("max 1 is below count 2") == true)
        #expect(problems(base + "{numa: 0}\n").first?.hasSuffix("needs 'count' (how many CPUs) or 'list' (which CPUs)") == true)
    }
}
