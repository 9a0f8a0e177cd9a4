import Testing
@testable import SosplanCore

@Suite struct ByteSizeTests {
    @Test(arguments: [
        ("512", UInt64(512)), ("4Ki", 4096), ("1Gi", 1 << 30), ("1.5Gi", 3 << 29), ("10G", 10_000_000_000),
        ("2Mi", 2 << 20), ("0", 0), ("1Ti", 1 << 40), ("0.5Ki", 512),
    ])
    func parses(text: String, bytes: UInt64) throws {
        #expect(try ByteSize.parse(text).get() == ByteSize(bytes))
    }

    @Test func rejects() {
        #expect(ByteSize.parse("1.3Ki") == .failure(.notWhole))
        #expect(ByteSize.parse("4GB") == .failure(.unknownSuffix("GB")))
        #expect(ByteSize.parse("-1") == .failure(.notAQuantity))
        #expect(ByteSize.parse("Gi") == .failure(.notAQuantity))
        #expect(ByteSize.parse("99999999999Ti") == .failure(.tooLarge))
    }

    @Test func printsTheLargestExactBinaryUnit() {
        #expect(ByteSize.gib(32).description == "32Gi")
        #expect(ByteSize(1536 << 20).description == "1536Mi")
        #expect(ByteSize(1000).description == "1000")
        #expect(ByteSize(16_700_000_000).humanReadable == "15.6 GiB")
    }
}
