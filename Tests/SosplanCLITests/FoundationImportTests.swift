import Foundation
import SosplanTestSupport
import Testing

/// The `sosplan` binary links FoundationEssentials only (issue 28: start-up
/// and size; full Foundation brings ICU's data and thousands of protocol
/// conformances every process pays for). One `import Foundation` in any of
/// its modules would link it all back.
@Suite("the sosplan binary's modules")
struct FoundationImportTests {
    static let binaryModules = ["SosplanCore", "SosplanDrivers", "SosplanApply", "SosplanReact", "sosplan"]

    @Test("no source file of the binary's modules imports full Foundation")
    func noFullFoundation() throws {
        var offenders: [String] = []
        var scanned = 0
        for module in Self.binaryModules {
            let dir = RepositoryPaths.root.appendingPathComponent("Sources/\(module)")
            let files = try #require(FileManager.default.enumerator(atPath: dir.path)).compactMap { $0 as? String }
            for file in files where file.hasSuffix(".swift") {
                scanned += 1
                let text = try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8)
                for line in text.split(separator: "\n") where Self.importsFullFoundation(line) {
                    offenders.append("Sources/\(module)/\(file): \(line)")
                }
            }
        }
        #expect(scanned > 100, "found only \(scanned) source files: is the repository root right?")
        #expect(offenders.isEmpty, "use FoundationEssentials and Glibc instead:\n\(offenders.joined(separator: "\n"))")
    }

    @Test("the check sees every spelling of the import")
    func spellings() {
        #expect(Self.importsFullFoundation("import Foundation"))
        #expect(Self.importsFullFoundation("@preconcurrency import Foundation"))
        #expect(Self.importsFullFoundation("import struct Foundation.Date"))
        #expect(Self.importsFullFoundation("@_exported import Foundation"))
        #expect(!Self.importsFullFoundation("import FoundationEssentials"))
        #expect(!Self.importsFullFoundation("// import Foundation would link ICU"))
    }

    static func importsFullFoundation(_ line: Substring) -> Bool {
        let words = line.split(separator: " ").filter { !$0.hasPrefix("@") }
        guard words.first == "import" else { return false }
        let module = words.last.map { $0.split(separator: ".").first.map(String.init) ?? "" } ?? ""
        return module == "Foundation"
    }
}
