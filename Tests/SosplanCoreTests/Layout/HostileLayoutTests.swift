import Foundation
import SosplanCore
import SosplanTestSupport
import Testing

/// Hostile layouts, family by family: each is refused with a located,
/// readable error (or read as a defined value), never crashes, never
/// expands without bound. Speed is measured by the fuzzer and
/// sosplan-bench, not here; inputs are sized so that a regression to
/// exponential or quadratic work would stall the suite.
@Suite struct HostileLayoutTests {
    static func decode(_ text: String) -> LayoutDecodingResult { LayoutDecoder.decode(text, file: "t.yaml") }

    static func errors(_ text: String) -> [Diagnostic] { decode(text).diagnostics.filter { $0.severity == .error } }

    // MARK: aliases and merge keys

    @Test func mergeKeyBombIsStopped() {
        // Each level merges the previous one ten times over: 10^7 keys if expanded.
        var doc = "a0: &a0 {k0: 1, k1: 2, k2: 3, k3: 4, k4: 5, k5: 6, k6: 7, k7: 8, k8: 9, k9: 10}\n"
        for i in 1...7 {
            let merges = (0..<10).map { _ in "*a\(i - 1)" }.joined(separator: ", ")
            doc += "a\(i): &a\(i) {<<: [\(merges)], x\(i): [" + (0..<10).map { _ in "*a\(i - 1)" }.joined(separator: ", ") + "]}\n"
        }
        let e = Self.errors(doc)
        #expect(e.count == 1)
        #expect(e.first?.message.contains("100000 nodes") == true, "\(e)")
        #expect(e.first?.mark != nil)
    }

    @Test func aliasesThatNestDeeperThanTheLimitAreStopped() {
        // 70 lines of one alias each: shallow text, a tree 70 levels deep.
        var doc = "l0: &l0 [x]\n"
        for i in 1...70 { doc += "l\(i): &l\(i) [*l\(i - 1)]\n" }
        let e = Self.errors(doc)
        #expect(e.count == 1)
        #expect(e.first?.message.contains("nested more than \(YAMLParser.maximumDepth) levels") == true, "\(e)")
        // l63 holds 64 levels; inside the top mapping and its own list, *l62 is one too many.
        #expect(e.first?.mark?.line == YAMLParser.maximumDepth, "the alias that goes too deep")
    }

    // MARK: deep nesting

    @Test(arguments: ["[", "{a: ", "- "])
    func deepNestingIsRefusedWithItsPosition(_ opener: String) {
        let depth = 100_000
        let text = opener == "- "
            ? (0..<200).map { String(repeating: "  ", count: $0) + "- " }.joined(separator: "\n") + "x\n"
            : String(repeating: opener, count: depth)
        let e = Self.errors(text)
        #expect(e.count == 1, "\(e.map(\.message))")
        #expect(e.first?.message.contains("nested more than 64 levels deep") == true, "\(e.map(\.message))")
        #expect(e.first?.mark != nil)
    }

    // MARK: long scalars and files

    @Test func aLongScalarIsNamedShortly() throws {
        let name = String(repeating: "n", count: 300_000)
        let e = Self.errors(layoutText("  services: [{name: \(name), units: [a.service]}]\n"))
        let first = try #require(e.first)
        // Located on the name: where it passes the 63 characters a name may have.
        #expect(first.mark?.line == 6 && (22...(22 + 300_000)).contains(first.mark?.column ?? 0), "\(String(describing: first.mark))")
        #expect(first.message.count < 400, "\(first.message.prefix(500))")
        #expect(first.message.contains("characters) is not a valid service name: it has 300000 characters"))
        for d in e { #expect(d.message.count <= 1000 && d.hints.allSatisfy { $0.count <= 1000 }) }
    }

    @Test func aKeyLongerThanYAMLAllowsIsExplained() throws {
        let key = String(repeating: "k", count: 200_000)
        let e = Self.errors(layoutText("  \(key): 1\n"))
        let first = try #require(e.first)
        #expect(e.count == 1)
        #expect(first.mark?.line == 6)
        #expect(first.message.count < 400)
        #expect(first.hints == ["YAML keys are at most 1024 characters long; is a key here that long?"])
    }

    @Test func aLongUnknownKeyGetsNoSuggestionAndAShortMessage() throws {
        let key = String(repeating: "k", count: 1000)
        let e = Self.errors(layoutText("  \(key): 1\n"))
        let first = try #require(e.first)
        #expect(first.mark == SourceMark(line: 6, column: 3))
        #expect(first.message.count < 400, "\(first.message)")
        #expect(first.hints.allSatisfy { !$0.contains("did you mean") && $0.count < 400 })
    }

    @Test func aFileOfExactlyTheLimitIsReadAndOneByteMoreIsNot() {
        let frame = layoutText("  host: {cpus: 4}\n")
        let padded = frame + "#" + String(repeating: "x", count: YAMLParser.maximumBytes - frame.utf8.count - 2) + "\n"
        #expect(padded.utf8.count == YAMLParser.maximumBytes)
        #expect(Self.errors(padded).isEmpty)
        let e = Self.errors(padded + "\n")
        #expect(e.count == 1 && e[0].message.contains("a layout may be at most 1 MiB"))
        #expect(e[0].mark == SourceMark(line: 1, column: 1))
    }

    // MARK: numbers

    /// Every YAML numeric form in every kind of numeric field: refused with
    /// its position and what was expected, or read as the value YAML 1.2 gives it.
    static let numericForms: [(field: String, value: String, problem: String?)] = [
        ("cpuWeight", "18446744073709551616", "integer 18446744073709551616 is too large: cpuWeight must be between 1 and 10000"),
        ("cpuWeight", "-9223372036854775809", "integer -9223372036854775809 is too small: cpuWeight must be between 1 and 10000"),
        ("cpuWeight", "1e400", "expected an integer, found the number 1e400"),
        ("cpuWeight", ".inf", "expected an integer, found the number .inf"),
        ("cpuWeight", "-.Inf", "expected an integer, found the number -.Inf"),
        ("cpuWeight", ".NaN", "expected an integer, found the number .NaN"),
        ("cpuWeight", "-0", "0 is out of range: cpuWeight must be between 1 and 10000"),
        ("cpuWeight", "0x10", nil),
        ("cpuWeight", "0o17", nil),
        ("cpuWeight", "0x", "expected an integer, found the string '0x'"),
        ("cpuWeight", "1_000", "expected an integer, found the string '1_000'"),
        ("cpuWeight", "1e3", "expected an integer, found the number 1e3"),
        ("tasksMax", "18446744073709551616", "too large"),
        ("tasksMax", ".nan", "found the number .nan"),
        ("priority", "18446744073709551616", "integer 18446744073709551616 is too large: a priority must be between -1000000 and 1000000"),
        ("priority", "-1000001", "-1000001 is out of range: a priority must be between -1000000 and 1000000"),
        ("priority", "0o7", nil),
        ("memory", "{nodes: [18446744073709551616]}", "a NUMA node id must be between 0 and 1023"),
        ("memory", "{nodes: [.inf]}", "expected an integer, found the number .inf"),
        ("memory", "{nodes: [0x3]}", nil),
        ("cpus", "1e400", "found the number 1e400"),
        ("cpus", "-0", "a CPU count must be at least 1, found 0"),
        ("cpus", "\"0-4294967295\"", "'0-4294967295' is not a valid CPU list"),
        ("cpus", "0x10", nil),
    ]

    @Test(arguments: numericForms)
    func numericFormsInServiceFields(_ form: (field: String, value: String, problem: String?)) {
        let text = layoutText("  services:\n    - name: a\n      units: [a.service]\n      \(form.field): \(form.value)\n")
        let e = Self.errors(text)
        guard let problem = form.problem else {
            #expect(e.isEmpty, "\(e.map(\.message))")
            return
        }
        #expect(e.count == 1, "\(e.map(\.message))")
        #expect(e.first?.message.contains(problem) == true, "\(e.map(\.message))")
        #expect(e.first?.mark?.line == 9, "located on the field's line")
    }

    static let sizeForms: [(value: String, problem: String?)] = [
        ("18446744073709551616", "18446744073709551616 bytes is too large"),
        ("1e400", "found the number 1e400"),
        ("1e3", "exponents are not sizes"),
        (".inf", "found the number .inf"),
        (".nan", "found the number .nan"),
        ("-1", "a size cannot be negative"),
        ("-0", nil),
        ("0x10", nil),
        ("1.5Gi", nil),
        ("1e3Gi", "unknown unit 'e3Gi'"),
    ]

    @Test(arguments: sizeForms)
    func numericFormsInSizes(_ form: (value: String, problem: String?)) {
        for spec in ["  host: {memory: \(form.value)}\n", "  enclaves: [{name: e, driver: pisces, cpus: 2, memory: \(form.value)}]\n"] {
            let e = Self.errors(layoutText(spec))
            if let problem = form.problem {
                let text = e.first.map { ([$0.message] + $0.hints).joined(separator: "\n") } ?? ""
                #expect(text.contains(problem), "\(spec): \(text)")
                #expect(e.first?.mark?.line == 6)
            } else {
                #expect(!e.contains { $0.message.contains("size") }, "\(spec): \(e.map(\.message))")
            }
        }
    }

    @Test func hexAndOctalAreTheValuesYAMLGivesThem() throws {
        let layout = try validLayout("  services:\n    - name: a\n      units: [a.service]\n      cpuWeight: 0x10\n      ioWeight: 0o17\n")
        #expect(layout.services[0].cpuWeight == 16)
        #expect(layout.services[0].ioWeight == 15)
    }

    // MARK: line endings

    @Test func crlfFilesKeepTheirColumns() {
        let lf = layoutText("  services:\n    - name: a\n      units: [a.service]\n      cpuWeight: 0\n      bogus: 1\n")
        let crlf = lf.replacingOccurrences(of: "\n", with: "\r\n")
        let a = Self.decode(lf).diagnostics, b = Self.decode(crlf).diagnostics
        #expect(!a.isEmpty)
        #expect(a.map(\.mark) == b.map(\.mark))
        #expect(a.map(\.message) == b.map(\.message))
        #expect(b.first?.mark == SourceMark(line: 9, column: 18))
        // A lone CR ends a line for YAML too.
        let cr = lf.replacingOccurrences(of: "\n", with: "\r")
        #expect(Self.decode(cr).diagnostics.map(\.mark) == a.map(\.mark))
    }
}
