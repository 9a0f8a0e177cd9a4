import SosplanCore
import Testing

/// `metadata.hostname` names and globs: what they match and what the
/// pattern parser refuses.
@Suite struct HostnamePatternTests {
    func pattern(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> HostnamePattern {
        do { return try HostnamePattern(text) } catch {
            Issue.record("'\(text)' was refused: \(error)", sourceLocation: sourceLocation)
            throw error
        }
    }

    func refusal(_ text: String) -> HostnamePattern.PatternError? {
        do {
            _ = try HostnamePattern(text)
            return nil
        } catch { return error }
    }

    // MARK: Matching

    @Test func literalNameMatchesItselfIgnoringCaseAndItsFirstLabel() throws {
        let p = try pattern("cn042")
        #expect(p.isLiteral)
        #expect(p.description == "cn042" && p.text == "cn042")
        #expect(p.matches("cn042"))
        #expect(p.matches("CN042"))
        #expect(p.matches("cn042.cluster.example"))
        #expect(!p.matches("cn0421"))
        #expect(!p.matches("cn04"))
        #expect(!p.matches("xcn042"))
        #expect(!p.matches("cn043.cluster.example"))
        // The first label only: a later label equal to the pattern is not the host.
        #expect(!p.matches("login.cn042"))
    }

    @Test func upperCasePatternMatchesLowerCaseHost() throws {
        let p = try pattern("CN[A-C]*")
        #expect(p.text == "CN[A-C]*", "the text is kept as written")
        #expect(p.matches("cnb7"))
        #expect(p.matches("CNA"))
        #expect(!p.matches("cnd7"))
    }

    @Test func patternWithADotMatchesTheWholeNameOnly() throws {
        let p = try pattern("cn042.cluster")
        #expect(p.matches("cn042.cluster"))
        #expect(p.matches("CN042.Cluster"))
        #expect(!p.matches("cn042"))
        #expect(!p.matches("cn042.cluster.example"), "a pattern with a dot is not compared to the first label")
        let g = try pattern("cn0?.cluster")
        #expect(g.matches("cn07.cluster"))
        #expect(!g.matches("cn07.cluster.example"))
        #expect(!g.matches("cn07"))
    }

    @Test func starMatchesAnyRunIncludingNothing() throws {
        let p = try pattern("cn*")
        #expect(!p.isLiteral)
        for host in ["cn", "cn0", "cn042", "CN042", "cn042.cluster.example", "cn-gpu-7"] {
            #expect(p.matches(host), "\(host)")
        }
        for host in ["c", "gpu01", "xcn042", "login.cn042"] {
            #expect(!p.matches(host), "\(host)")
        }
        let all = try pattern("*")
        #expect(all.matches("anything.at.all") && all.matches("x"))
        let suffix = try pattern("gpu-*.cluster")
        #expect(suffix.matches("gpu-a100-3.cluster"))
        #expect(!suffix.matches("gpu-a100-3.other"))
    }

    @Test func starsBacktrack() throws {
        let p = try pattern("*a*b")
        #expect(p.matches("xaxxb"))
        #expect(p.matches("ab"))
        #expect(p.matches("aaab"))
        #expect(!p.matches("xbxa"))
        #expect(!p.matches("xaxxbc"))
        let q = try pattern("n**1")
        #expect(q.matches("n1") && q.matches("node-11") && !q.matches("node-12"))
        let r = try pattern("*-*-*")
        #expect(r.matches("a-b-c") && r.matches("--") && !r.matches("a-b"))
    }

    @Test func questionMarkIsExactlyOneCharacter() throws {
        let p = try pattern("cn0?")
        #expect(p.matches("cn01"))
        #expect(p.matches("cn0x"))
        #expect(!p.matches("cn0"))
        #expect(!p.matches("cn012"))
        #expect(p.matches("cn01.cluster"), "first label")
        let two = try pattern("??")
        #expect(two.matches("ab") && !two.matches("a") && !two.matches("abc"))
    }

    @Test func setsMatchOneCharacterOfTheSet() throws {
        let p = try pattern("node[a-c]")
        #expect(p.matches("nodea") && p.matches("nodeb") && p.matches("nodec"))
        #expect(p.matches("NODEB"))
        #expect(!p.matches("noded"))
        #expect(!p.matches("node"))
        #expect(!p.matches("nodeab"))

        let digits = try pattern("cn0[0-4]?")
        #expect(digits.matches("cn042"))
        #expect(digits.matches("cn000.cluster.example"))
        #expect(!digits.matches("cn052"))
        #expect(!digits.matches("cn04"))

        let list = try pattern("rack[137x]")
        #expect(list.matches("rack1") && list.matches("rack7") && list.matches("rackx"))
        #expect(!list.matches("rack2"))

        let mixed = try pattern("n[a-c0-2]")
        #expect(mixed.matches("nb") && mixed.matches("n2"))
        #expect(!mixed.matches("nd") && !mixed.matches("n3"))
    }

    @Test func reversedRangeIsTheSameRange() throws {
        let p = try pattern("n[c-a]")
        #expect(p.matches("na") && p.matches("nb") && p.matches("nc"))
        #expect(!p.matches("nd"))
    }

    @Test func dashBeforeTheClosingBracketIsLiteral() throws {
        let p = try pattern("n[a-]")
        #expect(p.matches("na"))
        #expect(p.matches("n-"))
        #expect(!p.matches("nb"))
    }

    @Test func negatedSetsMatchAnyOtherCharacter() throws {
        for text in ["cn[!0]1", "cn[^0]1"] {
            let p = try pattern(text)
            #expect(p.matches("cn11"), "\(text)")
            #expect(p.matches("cnx1"), "\(text)")
            #expect(!p.matches("cn01"), "\(text)")
            #expect(!p.matches("cn1"), "\(text): a negated set still takes one character")
        }
        let range = try pattern("gpu[!0-4]")
        #expect(range.matches("gpu5") && range.matches("gpu9"))
        #expect(!range.matches("gpu0") && !range.matches("gpu4"))
        // Case-insensitive negation: 'A' is 'a', so it is excluded too.
        let letter = try pattern("x[!a]")
        #expect(!letter.matches("xA"))
        #expect(letter.matches("xb"))
    }

    // MARK: Refusals

    @Test func emptyPatternIsRefused() {
        #expect(refusal("") == .empty)
    }

    @Test func patternsLongerThanAHostNameAreRefused() throws {
        #expect(refusal(String(repeating: "a", count: 254)) == .tooLong)
        let longest = try pattern(String(repeating: "a", count: 253))
        #expect(longest.matches(String(repeating: "A", count: 253)))
    }

    @Test func unclosedSetIsRefused() {
        #expect(refusal("cn[") == .unclosedSet)
        #expect(refusal("cn[0-4") == .unclosedSet)
        #expect(refusal("cn[!") == .unclosedSet)
    }

    @Test func emptySetIsRefused() {
        #expect(refusal("cn[]") == .emptySet)
        #expect(refusal("cn[!]") == .emptySet)
    }

    @Test(arguments: [("cn_01", Character("_")), ("cn 01", " "), ("cn]", "]"), ("cn[_]", "_"), ("cn[a-_]", "_"), ("cn/1", "/"), ("cné", "é")])
    func charactersOutsideHostNamesAreRefused(text: String, bad: Character) {
        #expect(refusal(text) == .invalidCharacter(bad))
    }

    @Test func errorsDescribeTheProblem() {
        #expect(HostnamePattern.PatternError.invalidCharacter("_").description.contains("'_'"))
        #expect(HostnamePattern.PatternError.unclosedSet.description.contains("']'"))
        #expect(HostnamePattern.PatternError.emptySet.description.contains("empty"))
        #expect(HostnamePattern.PatternError.empty.description.contains("empty"))
        #expect(HostnamePattern.PatternError.tooLong.description.contains("253"))
    }

    @Test func validPatternsAreAccepted() throws {
        for text in ["cn042", "cn*", "gpu-*.cluster", "cn0[0-4]?", "node[!x]", "a.b.c", "*", "?"] {
            #expect(refusal(text) == nil, "\(text)")
        }
    }

    // MARK: In a layout

    func decode(hostname: String) -> LayoutDecodingResult {
        let text = "apiVersion: sosplan/v1\nkind: HostLayout\nmetadata:\n  name: t\n  hostname: \(hostname)\nspec:\n  host: {cpus: 2}\n"
        return LayoutDecoder.decode(text, file: "t.yaml")
    }

    @Test func layoutAcceptsAGlobHostname() throws {
        let result = decode(hostname: "\"cn*\"")
        #expect(!result.diagnostics.hasErrors, "\(DiagnosticFormatter.text(result.diagnostics))")
        let layout = try #require(result.layout)
        #expect(layout.metadata.hostname == "cn*")
        let p = try HostnamePattern(try #require(layout.metadata.hostname))
        #expect(p.matches("cn042.cluster.example"))
    }

    @Test func layoutAcceptsASetGlobHostname() throws {
        let layout = try #require(decode(hostname: "\"cn0[0-4]?\"").layout)
        #expect(layout.metadata.hostname == "cn0[0-4]?")
    }

    @Test func layoutRefusesAMalformedGlobAtItsPosition() {
        let result = decode(hostname: "\"cn[\"")
        #expect(result.layout == nil)
        #expect(result.diagnostics.hasErrors)
        let lines = result.diagnostics.map { DiagnosticFormatter.text($0).split(separator: "\n")[0].description }
        #expect(lines == ["t.yaml:5:13: error: metadata.hostname: 'cn[' is not a host name or pattern: \(HostnamePattern.PatternError.unclosedSet)"])
    }

    @Test func layoutRefusesAnEmptySetAtItsPosition() {
        let lines = decode(hostname: "\"cn[]1\"").diagnostics.map { DiagnosticFormatter.text($0).split(separator: "\n")[0].description }
        #expect(lines.count == 1)
        #expect(lines.first?.hasPrefix("t.yaml:5:13: error: metadata.hostname: 'cn[]1'") == true)
    }

    @Test func layoutRefusesALiteralNameThatIsNotAHostName() {
        // Only host-name characters, but not a valid name: a label starts with '-'.
        let lines = decode(hostname: "-cn042").diagnostics.map { DiagnosticFormatter.text($0).split(separator: "\n")[0].description }
        #expect(lines == ["t.yaml:5:13: error: metadata.hostname: '-cn042' is not a valid host name"])
    }

    @Test func layoutRefusesANameWithAnUnderscoreAsAnInvalidHostName() {
        let lines = decode(hostname: "node_07.example.net").diagnostics.map { DiagnosticFormatter.text($0).split(separator: "\n")[0].description }
        #expect(lines == ["t.yaml:5:13: error: metadata.hostname: 'node_07.example.net' is not a valid host name"])
    }

    @Test func layoutRefusesAGlobWithABadCharacterAsAPattern() {
        let lines = decode(hostname: "\"cn_*\"").diagnostics.map { DiagnosticFormatter.text($0).split(separator: "\n")[0].description }
        #expect(lines == ["t.yaml:5:13: error: metadata.hostname: 'cn_*' is not a host name or pattern: \(HostnamePattern.PatternError.invalidCharacter("_"))"])
    }
}
