import Foundation
import SosplanCore
import Testing

@testable import SosplanDrivers

/// Every tool step of the three drivers made to fail in turn (a `fail`
/// fault: the kernel step inside the tool returns an errno). Each case ends,
/// after what sosplan does next (the failed sequence's own rollback, then
/// the engine's repair: unnamed instances destroyed, the pool given back),
/// with no CPU offline without an owner, no memory withheld in a co-kernel
/// pool, nothing stranded and no status hazard logged; and once the fault is
/// gone, tearing everything down returns every CPU and byte to Linux.
/// (SIGKILL inside each step: `EnclaveCrashMatrixTests`, in the CLI tests.)
@Suite struct EnclaveFaultMatrixTests {
    enum Phase: String, Sendable { case create, grow, destroy }

    struct Case: CustomTestStringConvertible, Sendable {
        var driver: EnclaveDriverKind
        var phase: Phase
        /// `sosplan-sim fault fail` arguments: tool and action words.
        var fault: [String]
        /// Whether the operation fails (pisces_shutdown goes on to FREE when SHUTDOWN fails).
        var fails = true
        var testDescription: String { "\(driver.rawValue) \(phase.rawValue): \(fault.joined(separator: " "))" }
    }

    static let cases: [Case] =
        ["reserve mem", "reserve cpu", "create"].map { Case(driver: .mckernel, phase: .create, fault: ["ihkconfig"] + $0.words) }
        + ["assign cpu", "assign mem", "load", "kargs", "boot", "get status"].map {
            Case(driver: .mckernel, phase: .create, fault: ["ihkosctl"] + $0.words)
        }
        // destroy is retried on failure: it fails until cleared.
        + ["destroy --count 0", "release cpu", "release mem"].map { Case(driver: .mckernel, phase: .destroy, fault: ["ihkconfig"] + $0.words) }
        + [("pisces_load", "load"), ("pisces_launch", "launch"), ("pisces_ctrl", "add_mem"), ("pisces_ctrl", "add_cpu")].map {
            Case(driver: .pisces, phase: .create, fault: [$0.0, $0.1])
        }
        + ["add_cpu", "add_mem"].map { Case(driver: .pisces, phase: .grow, fault: ["pisces_ctrl", $0]) }
        + ["shutdown", "free", "online"].map { Case(driver: .pisces, phase: .destroy, fault: ["pisces_shutdown", $0], fails: $0 == "free") }
        + ["lwk_config", "offline"].map { Case(driver: .mos, phase: .create, fault: ["lwkctl", $0]) }
        + [Case(driver: .mos, phase: .destroy, fault: ["lwkctl", "lwk_config"])]

    func driver(_ host: SimHost, _ kind: EnclaveDriverKind) -> any EnclaveDriver {
        switch kind {
        case .mckernel: return host.ihk
        case .pisces: return host.pisces
        case .mos: return host.mos
        }
    }

    func request(_ host: SimHost, _ kind: EnclaveDriverKind) throws -> EnclaveRequest {
        switch kind {
        case .mckernel: return EnclaveRequest(name: "e", cpus: CPUSet(2...3), memory: [mib(512)], image: try host.image(), args: "hidos")
        case .pisces: return EnclaveRequest(name: "e", cpus: CPUSet(4...5), memory: [mib(256, node: 1)], image: try host.kittenImage())
        case .mos: return EnclaveRequest(name: "e", cpus: CPUSet(2...3), memory: [mib(256)])
        }
    }

    @Test(arguments: cases)
    func aFailedToolStepLeavesNothingOwnedByNobody(_ c: Case) throws {
        let host = try SimHost()
        let d = driver(host, c.driver)
        if c.phase != .create { _ = try d.create(try request(host, c.driver)) }
        let poolBefore = try d.observeEnclaves().pool
        try host.fault(["fail"] + c.fault)
        let failed: Bool
        do {
            switch c.phase {
            case .create: _ = try d.create(try request(host, c.driver))
            case .grow: _ = try d.grow("e", cpus: CPUSet([6]), memory: [mib(128, node: 1)])
            case .destroy: try d.destroy("e")
            }
            failed = false
        } catch {
            failed = true
        }
        #expect(failed == c.fails, "the operation \(failed ? "failed" : "succeeded")")
        // What the engine does next (undo, repair): unnamed instances go, the pool is given back.
        for orphan in try d.observeEnclaves().instances where orphan.name == nil {
            try d.destroy(instance: orphan.instance)
        }
        _ = try d.releasePool(keeping: poolBefore)
        let problems = try host.accountingProblems() + (try host.audit().filter { $0.hasPrefix("the IHK pool withholds") })
        #expect(problems.isEmpty, "\(c.testDescription): \(problems)")
        // And with the fault gone, nothing is left once the enclave is torn down.
        try host.fault("clear")
        if try d.instance(named: "e") != nil { try d.destroy("e") }
        try host.expectAllReturned()
    }
}

extension String {
    var words: [String] { split(separator: " ").map(String.init) }
}
