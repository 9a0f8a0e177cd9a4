@testable import SosplanDrivers
import SosplanTestSupport
import Testing

/// The marker lookup reads bytes without building the file; it must find
/// exactly what `UnitFile.parse(...).value(...)` finds, or sosplan would
/// take someone else's file for its own (or lose track of its own).
@Suite("unit file lookup without a parse")
struct UnitFileLookupTests {
    /// Pieces of lines that meet every rule of the parser: sections (real,
    /// look-alike, with a combining mark), comments, `\` continuations,
    /// `\r\n`, whitespace around keys and values, invalid UTF-8.
    static let pieces: [[UInt8]] = [
        "[Unit]", "[Service]", "[ Unit ]", "[Unit", "Unit]", "[]", "[", "]", "[Unit]\u{301}", "[\u{301}Unit]",
        "X-Sosplan-Managed=slice", "X-Sosplan-Managed = exec-unit ", " X-Sosplan-Managed=placement",
        "X-Sosplan-Managed=", "X-Sosplan-Managed", "X-Sosplan-Managed=\u{301}slice", "X-Sosplan-Managed==slice",
        "x-sosplan-managed=slice", "X-Sosplan-Managed\t=\tconfinement\t", "Description=a = b", "=slice",
        "# X-Sosplan-Managed=slice", "; comment", "#\u{301}x", "  # indented", "\\", "X-Sosplan-\\", "Managed=slice",
        "Key=value\\", "\t", "", " ", "caf\u{e9}=x",
    ].map { Array($0.utf8) } + [[0xFF], [0xC3], [0xC3, 0x5C], [0x58, 0xE2, 0x82]]
    static let ends: [[UInt8]] = [[0x0A], [0x0D, 0x0A], [0x0D], [0x20, 0x0A], [0x5C, 0x0A]]

    @Test("the same value as a full parse, on generated files")
    func agreesWithParse() {
        var random = SeededRandom(seed: 0x5050_1a4e)
        var found = 0
        for round in 0..<4_000 {
            var bytes: [UInt8] = []
            for _ in 0..<random.int(0...10) {
                let marker = random.chance(0.3) ? Array("X-Sosplan-Managed=slice".utf8) : random.pick(Self.pieces)
                bytes += random.chance(0.2) ? Array("[Unit]".utf8) : marker
                if random.chance(0.9) { bytes += random.pick(Self.ends) }
            }
            let text = String(decoding: bytes, as: UTF8.self)
            let parsed = UnitFile.parse(text).value(ManagedUnitFiles.markerKey, in: "Unit")
            let looked = UnitFile.lastValue(of: ManagedUnitFiles.markerKey, in: "Unit", bytes: bytes)
            #expect(looked == parsed, "round \(round): \(bytes)")
            if parsed != nil { found += 1 }
            #expect(ManagedUnitFiles.kind(of: bytes) == parsed.flatMap(ManagedFileKind.init(rawValue:)))
        }
        // The generator reaches the interesting cases, not only "no marker".
        #expect(found > 500)
    }

    @Test("later assignments win, other sections and comments do not count")
    func examples() {
        func kind(_ text: String) -> ManagedFileKind? { ManagedUnitFiles.kind(of: Array(text.utf8)) }
        #expect(kind("[Unit]\nX-Sosplan-Managed=slice\nX-Sosplan-Managed=placement\n") == .placement)
        #expect(kind("[Unit]\r\nX-Sosplan-Managed = slice \r\n") == .slice)
        #expect(kind("[Service]\nX-Sosplan-Managed=slice\n") == nil)
        #expect(kind("[Unit]\n# X-Sosplan-Managed=slice\n") == nil)
        #expect(kind("[Unit]\nDescription=a \\\nX-Sosplan-Managed=slice\n") == nil)  // one continued line
        #expect(kind("[Unit]\nX-Sosplan-\\\nManaged=slice\n") == nil)  // joined with a space
        #expect(kind("[Unit]\nX-Sosplan-Managed=slice\n[Service]\n[Unit]\n") == .slice)
    }
}
