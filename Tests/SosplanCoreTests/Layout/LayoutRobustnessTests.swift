import Foundation
import SosplanCore
import SosplanTestSupport
import Testing

/// Bad input never crashes the decoder: every example, mutated thousands of
/// ways (bytes deleted, replaced, lines duplicated or dropped), decodes to
/// either a layout without errors or errors without a layout.
@Suite struct LayoutRobustnessTests {
    /// A fixed-seed generator, so a failure is reproducible.
    struct Generator {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(max(bound, 1)))
        }
    }

    static let alphabet = Array(" -:,[]{}\"'#&*<>|!0129aZ\n\t.".utf8)

    @Test(arguments: LayoutCorpus.examples)
    func mutatedExamplesNeverCrash(_ file: String) throws {
        let original = try LayoutCorpus.bytes(RepositoryPaths.examples.appendingPathComponent(file))
        var rng = Generator(state: UInt64(file.utf8.count) &* 7919)
        var rejected = 0
        for _ in 0..<400 {
            var bytes = original
            for _ in 0...rng.next(3) {
                let at = rng.next(bytes.count)
                switch rng.next(4) {
                case 0: bytes.remove(at: at)
                case 1: bytes[at] = Self.alphabet[rng.next(Self.alphabet.count)]
                case 2: bytes.insert(Self.alphabet[rng.next(Self.alphabet.count)], at: at)
                default:
                    let lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
                    var copy = Array(lines)
                    let line = rng.next(copy.count)
                    if rng.next(2) == 0 { copy.insert(copy[line], at: line) } else { copy.remove(at: line) }
                    bytes = Array(copy.joined(separator: [0x0A]))
                }
                if bytes.isEmpty { break }
            }
            let result = LayoutDecoder.decode(bytes, file: "m.yaml")
            #expect((result.layout == nil) == result.diagnostics.hasErrors)
            if result.layout == nil { rejected += 1 }
            for d in result.diagnostics where d.severity == .error { #expect(d.mark != nil && !d.message.isEmpty) }
        }
        #expect(rejected > 100, "the mutations should break most files")
    }

    @Test func hugeNumbersAreRefusedNotOverflowed() {
        let s = "  services:\n    - name: a\n      stack: enclave:e\n      exec: [/x]\n      cpus: {count: 60000, min: 60000}\n"
            + "    - name: b\n      stack: enclave:e\n      exec: [/x]\n      cpus: {count: 60000, min: 60000}\n"
            + "  enclaves: [{name: e, driver: pisces, cpus: 65536, memory: [{size: 1024Ti, numa: 0}, {size: 1024Ti, numa: 1}]}]\n"
        let found = problems(s)
        #expect(found.count == 1 && found[0].contains("need at least 120000 CPUs together"), "\(found)")
        #expect(problems("  host: {cpus: 65537}\n") == ["t.yaml:6:16: error: spec.host.cpus: 65537 CPUs is more than any host has (at most 65536)"])
        #expect(problems("  host: {memory: 2Pi}\n").first?.contains("unknown unit 'Pi'") == true)
        #expect(problems("  host: {memory: 2048Ti}\n") == ["t.yaml:6:18: error: spec.host.memory: 2048Ti is more memory than any host has (at most 1Pi)"])
        #expect(problems("  hugepages: [{size: 1Gi, count: 9223372036854775807}]\n").first?.contains("more memory than any host has") == true)
    }
}
