import Foundation
import SosplanCore
import SosplanTestSupport
import Testing

/// sosplan's XXH64 and pod fingerprint against an independent peer: the
/// `xxhash` package from PyPI (the reference C implementation) driven by
/// `Tests/Kubernetes/podfingerprint.py`, which follows
/// k8stopologyawareschedwg/podfingerprint step by step. (That script gives
/// upstream's own test vector, `pfp0v001e477a4e3b2fc0ec6` for its
/// testdata/pods.json, which is not copied here.)
@Suite(.enabled(if: XXHashPeer.unavailableReason == nil, "\(XXHashPeer.unavailableReason ?? "")"))
struct PodFingerprintTests {
    static let script = RepositoryPaths.tests.appendingPathComponent("Kubernetes/podfingerprint.py")

    static func peer(_ mode: String, _ input: JSONValue) throws -> [String] {
        let r = try CommandRunner.run(
            URL(fileURLWithPath: "/usr/bin/env"), ["python3", script.path, mode], stdin: JSONWriter.compact(input))
        try #require(r.status == 0, "\(r.stderr)")
        return r.stdout.split(separator: "\n").map(String.init)
    }

    /// Every length through the 32-byte stripes, the 8- and 4-byte tails and
    /// single bytes, with seeds that use all 64 bits.
    @Test func xxh64MatchesTheReferenceImplementation() throws {
        var rng = SeededRandom(seed: 29)
        var cases: [(bytes: [UInt8], seed: UInt64)] = []
        for length in Array(0...70) + [100, 255, 1000] {
            let bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            cases.append((bytes, [0, 1, rng.next(), UInt64.max][length % 4]))
        }
        let input = JSONValue.array(cases.map { c in
            .array([.string(c.bytes.map { String(format: "%02x", $0) }.joined()), .uint(c.seed)])
        })
        let expected = try Self.peer("xxh64", input)
        #expect(expected.count == cases.count)
        for (c, want) in zip(cases, expected) {
            #expect(String(XXHash64.hash(c.bytes, seed: c.seed)) == want, "\(c.bytes.count) bytes, seed \(c.seed)")
        }
    }

    @Test(arguments: [0, 1, 2, 17, 110])
    func fingerprintMatchesThePeerInAnyOrder(pods count: Int) throws {
        var rng = SeededRandom(seed: UInt64(count) + 1)
        let pods = (0..<count).map { i in
            (namespace: ["default", "kube-system", "hpc-\(rng.next() % 7)"][i % 3], name: "pod-\(i)-\(rng.next() % 100_000)")
        }
        let want = try Self.peer("sign", .array(pods.map { .array([.string($0.namespace), .string($0.name)]) }))
        #expect(PodFingerprint(pods: pods).sign == want.first)
        #expect(PodFingerprint(pods: pods.reversed()).sign == want.first, "the order pods come in does not matter")
        if count > 1 {
            #expect(PodFingerprint(pods: pods.dropLast()).sign != want.first, "a pod less is another fingerprint")
        }
    }
}

/// Python's `xxhash` package, the peer the fingerprint tests compare with.
enum XXHashPeer {
    static let unavailableReason: String? = {
        let r = try? CommandRunner.run(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", "import xxhash"])
        return r?.status == 0 ? nil : "python3 cannot import xxhash (python3 -m pip install xxhash; .ci/run does)"
    }()
}
