import Foundation
import SosplanTestSupport
import Testing

/// Golden files: a match, a difference, a missing file; and a recording
/// run, which writes the file and fails, so that it is never green.
@Suite struct GoldenTests {
    @Test func recordingWritesTheFileAndIsNeverAMatch() throws {
        let dir = try ScratchDirectory("golden")
        defer { dir.remove() }
        let url = dir.path("a/out.txt")
        let recorded = Golden.check("new\n", against: url, recording: true)
        #expect(recorded == .recorded(path: url.path))
        #expect(!recorded.isMatch, "a recording run compared nothing")
        #expect(recorded.message.contains("run again without it"))
        #expect(try String(contentsOf: url, encoding: .utf8) == "new\n")
        #expect(Golden.check("new\n", against: url, recording: false).isMatch)
    }

    @Test func aDifferenceAndAMissingFileFail() throws {
        let dir = try ScratchDirectory("golden")
        defer { dir.remove() }
        let url = dir.path("out.txt")
        #expect(Golden.check("x\n", against: url, recording: false) == .missing(path: url.path))
        try "one\ntwo\n".write(to: url, atomically: true, encoding: .utf8)
        let differs = Golden.check("one\nthree\n", against: url, recording: false)
        #expect(!differs.isMatch)
        #expect(differs == .differs(path: url.path, diff: "line 2 expected: two\nline 2   actual: three"))
    }
}
