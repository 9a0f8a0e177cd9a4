import SosplanTestSupport
import Testing
@testable import SosplanCore

/// The fingerprint and the JSON of a snapshot come from one encoding
/// (`HostSnapshot+Encoding.swift`); they must be what encoding afresh gives.
@Suite struct SnapshotEncodingTests {
    /// A snapshot with everything the fingerprint leaves out or rewrites: a
    /// hostname, warnings, effective IRQ affinities and a running irqbalance.
    static func busy() -> HostSnapshot {
        var s = KernelTestHost.snapshot()
        s.kernel?.irqbalance = IRQBalanceState(running: true, bannedCPUs: CPUSet([1]), sosplanBan: CPUSet([2, 3]))
        s.warnings = ["cpufreq: not readable"]
        s.hostname = "node-7"
        s.refreshFingerprint()
        return s
    }

    @Test func fingerprintFromTheSharedEncodingIsTheOneOfTheBlankedCopy() {
        for s in [Self.busy(), KernelTestHost.snapshot(), SyntheticHost.snapshot(packages: 2, coresPerNode: 8, threadsPerCore: 2)] {
            #expect(s.fingerprint == s.computeFingerprint())
            #expect(s.fingerprint.hasPrefix("sha256:"))
        }
    }

    @Test func hostnameWarningsAndEffectiveAffinityDoNotChangeTheFingerprint() {
        let a = Self.busy()
        var b = a
        b.hostname = "other"
        b.warnings = []
        b.kernel?.irqs[0].effective = CPUSet([9])
        b.kernel?.irqbalance?.running = false
        b.refreshFingerprint()
        #expect(b.fingerprint == a.fingerprint)
        b.kernel?.irqs[0].affinity = CPUSet([9])
        b.refreshFingerprint()
        #expect(b.fingerprint != a.fingerprint)
    }

    @Test func keptJSONIsAFreshEncodingWithTheFingerprint() throws {
        let s = Self.busy()
        let fresh = try JSONValueEncoder().encode(s)
        #expect(JSONWriter.pretty(s.jsonValue()) == JSONWriter.pretty(fresh))
        #expect(s.jsonValue()["fingerprint"]?.stringValue == s.fingerprint)
        #expect(s.jsonValue()["hostname"]?.stringValue == "node-7")
    }

    @Test func changingAPropertyDropsTheKeptJSON() throws {
        var s = Self.busy()
        s.warnings.append("added later")
        s.topology.cpus[0].online = false
        let text = JSONWriter.pretty(s.jsonValue())
        #expect(text == JSONWriter.pretty(try JSONValueEncoder().encode(s)))
        #expect(text.contains("added later"))
    }

    @Test func theKeptJSONIsNoPartOfTheValue() throws {
        let observed = Self.busy()
        let decoded = try HostSnapshot.decode(json: observed.jsonText())
        #expect(decoded == observed)
        #expect(decoded.hashValue == observed.hashValue)
        #expect(decoded.jsonText() == observed.jsonText())
    }
    /// A record that carries a snapshot (the journal's header, applied.json)
    /// takes its kept tree, which must be what encoding it afresh gives,
    /// also after a change dropped the tree.
    @Test func aSnapshotInsideAnotherValueEncodesAsItself() throws {
        struct Record: Encodable {
            var before: HostSnapshot
            var after: [HostSnapshot]
        }
        var changed = Self.busy()
        changed.warnings.append("changed after the fingerprint")
        let kept = Self.busy()
        let record = Record(before: kept, after: [changed, kept])
        let encoded = try JSONValueEncoder().encode(record)
        let keptAlone = try JSONValueEncoder().encode(HostSnapshot.decode(json: kept.jsonText()))
        let changedAlone = try JSONValueEncoder().encode(HostSnapshot.decode(json: JSONWriter.pretty(try JSONValueEncoder().encode(changed))))
        #expect(JSONWriter.pretty(encoded["before"] ?? .null) == JSONWriter.pretty(keptAlone))
        #expect(JSONWriter.pretty(encoded["after"]?.arrayValue?[0] ?? .null) == JSONWriter.pretty(changedAlone))
        #expect(encoded["after"]?.arrayValue?[0]["warnings"]?.arrayValue?.count == changed.warnings.count)
    }
}
