import Foundation
import SosplanCore
import SosplanTestSupport
import Testing

/// The shipped examples decode cleanly: no errors and no warnings.
@Suite struct ExampleLayoutTests {
    @Test func thereAreAtLeastFiveExamples() {
        #expect(LayoutCorpus.examples.count >= 5)
    }

    @Test(arguments: LayoutCorpus.examples)
    func exampleIsValidWithoutWarnings(_ file: String) throws {
        let url = RepositoryPaths.examples.appendingPathComponent(file)
        let bytes = try LayoutCorpus.bytes(url)
        let result = LayoutDecoder.decode(bytes, file: "Examples/" + file)
        #expect(result.diagnostics.isEmpty, "\(DiagnosticFormatter.text(result.diagnostics))")
        let layout = try #require(result.layout)
        #expect(!layout.metadata.name.isEmpty)
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasPrefix("# yaml-language-server: $schema=../Schemas/host-layout.schema.json\n"))
    }
}
