import SosplanCore
import Testing

/// The cross-checks as a public API on layouts built in code, and the rules
/// that keep one mistake from being reported twice.
@Suite struct LayoutChecksTests {
    func layout(services: [ServiceSpec], enclaves: [EnclaveSpec] = []) -> HostLayout {
        HostLayout(file: "code", metadata: LayoutMetadata(name: "x"), enclaves: enclaves, services: services)
    }

    @Test func aValidLayoutHasNoProblems() {
        let l = layout(
            services: [ServiceSpec(name: "a", units: ["a.service"]), ServiceSpec(name: "app", stack: .enclave("lwk"), exec: ["/x"], cpus: .count(CPURequest(count: 2)))],
            enclaves: [EnclaveSpec(name: "lwk", driver: .pisces, cpus: .count(CPURequest(count: 4)), memory: [MemoryRequest(size: .gib(1))])])
        #expect(LayoutChecks.diagnose(l).isEmpty)
    }

    @Test func crossChecksOnBuiltLayouts() {
        let l = layout(
            services: [
                ServiceSpec(name: "a", units: ["x.service"]),
                ServiceSpec(name: "b", units: ["x.service"], slice: "sosplan-a.slice"),
                ServiceSpec(name: "c", stack: .enclave("lwk1"), exec: ["/x"]),
                ServiceSpec(name: "d", stack: .enclave("lwk"), exec: ["/x"], cpus: .count(CPURequest(count: 9))),
            ],
            enclaves: [EnclaveSpec(name: "lwk", driver: .pisces, cpus: .count(CPURequest(count: 4)), memory: [MemoryRequest(size: .gib(1))])])
        let messages = LayoutChecks.diagnose(l).map(\.message)
        #expect(messages.contains("spec.services[1].units[0]: unit 'x.service' is already placed by service 'a' (line 0)"))
        #expect(messages.contains { $0.hasPrefix("spec.services[1].slice: slice 'sosplan-a.slice' is already used by service 'a'") })
        #expect(messages.contains("spec.services[2].stack: no enclave named 'lwk1'"))
        #expect(messages.contains("spec.services[3].cpus: asks for 9 CPUs, but enclave 'lwk' has 4 (line 0)"))
        #expect(messages.count == 4)
    }

    @Test func slicesNestByDashes() {
        #expect(UnitNames.parentSlices(of: "sosplan-web-cache.slice") == ["sosplan.slice", "sosplan-web.slice"])
        #expect(UnitNames.parentSlices(of: "web.slice").isEmpty)
        let l = layout(services: [ServiceSpec(name: "web", units: ["a.service"]), ServiceSpec(name: "web-cache", units: ["b.service"])])
        #expect(LayoutChecks.diagnose(l).map(\.message).first?.contains("lies inside 'sosplan-web.slice' of service 'web'") == true)
    }

    /// The innermost-first search gives what the list of parents gives, for
    /// every owner set, including names with empty parts.
    @Test func innermostParentSliceAgreesWithTheParents() {
        let names = ["a-b-c-d.slice", "web.slice", "-a-b.slice", "a-b-.slice", "a--b-c.slice", "sosplan-web-cache.slice", "x.service", "ä-ö-ü.slice"]
        for name in names {
            let parents = UnitNames.parentSlices(of: name)
            for mask in 0..<(1 << max(parents.count, 1)) {
                let owned = Set(parents.enumerated().filter { mask & (1 << $0.offset) != 0 }.map(\.element))
                #expect(UnitNames.innermostParentSlice(of: name, where: owned.contains) == parents.last(where: owned.contains), "\(name) \(owned)")
            }
        }
        #expect(UnitNames.innermostParentSlice(of: "a-b-c.slice") { $0 == "a-b.slice" || $0 == "a.slice" } == "a-b.slice")
    }

    @Test func aBrokenValueIsNotReportedAgainByTheChecks() {
        // The duplicate name is reported once; its units and slice are not
        // reported as taken, and a bad stack is not "an unknown enclave".
        let found = problems("""
              services:
                - {name: web, units: [a.service]}
                - {name: web, units: [a.service], stack: "enclave:"}

            """)
        #expect(found.count == 2, "\(found)")
        #expect(found.contains { $0.contains("'enclave:' needs the enclave's name") })
        #expect(found.contains { $0.contains("service 'web' is already defined at line 7") })
    }

    @Test func overlappingListsAndPolicyConflicts() {
        let found = problems("""
              policy: {topology: single-numa-node}
              host: {cpus: "0-3"}
              enclaves: [{name: lwk, driver: pisces, cpus: "2-9", memory: [{size: 1Gi, numa: 0}, {size: 1Gi, numa: 1}]}]

            """)
        #expect(found == [
            "t.yaml:8:48: error: spec.enclaves[0].cpus: CPUs 2-3 are already given to the host (line 7)",
            "t.yaml:8:55: error: spec.enclaves[0].memory: asks for memory on NUMA nodes 0, 1",
        ])
    }
}
