import Foundation
import SosplanCore
import SosplanTestSupport
import Testing

/// Every file of the invalid corpus is rejected with exactly the diagnostics
/// recorded next to it (`SOSPLAN_RECORD=1` re-records them).
@Suite struct InvalidCorpusTests {
    @Test func corpusIsLargeEnoughAndEachFileDeclaresItsSchemaVerdict() throws {
        let files = LayoutCorpus.invalidFiles
        #expect(files.count >= 60)
        for file in files {
            let bytes = try LayoutCorpus.bytes(LayoutCorpus.invalidDirectory.appendingPathComponent(file))
            #expect(["reject", "accept"].contains(LayoutCorpus.schemaExpectation(bytes)), "\(file): first line must be # schema: reject|accept")
        }
    }

    @Test(arguments: LayoutCorpus.invalidFiles)
    func diagnosticsMatchTheGoldenFile(_ file: String) throws {
        let url = LayoutCorpus.invalidDirectory.appendingPathComponent(file)
        let result = LayoutDecoder.decode(try LayoutCorpus.bytes(url), file: "Invalid/" + file)
        #expect(result.layout == nil, "\(file) must be rejected")
        #expect(result.diagnostics.hasErrors)
        for d in result.diagnostics {
            #expect(d.file == "Invalid/" + file)
            #expect(d.mark != nil, "\(file): every layout problem has a position")
        }
        let golden = url.deletingPathExtension().appendingPathExtension("diagnostics")
        let outcome = Golden.check(DiagnosticFormatter.text(result.diagnostics), against: golden)
        #expect(outcome.isMatch, "\(outcome.message)")
    }
}
