import Foundation
import SosplanDrivers
import Testing

/// Drivers' replacements for NSString paths and `String(format:)` give what Foundation gave.
@Suite struct FoundationlessTests {
    @Test(arguments: ["/a/b", "/a", "/", "", "a/b", "/a/b/", "/a//b", "//a", "a/b/c.tmp", "/tmp/lock/", "./x", "../x/y"])
    func pathComponentsAreNSStrings(path: String) {
        #expect(PathComponents.directory(path) == (path as NSString).deletingLastPathComponent)
        #expect(PathComponents.last(path) == (path as NSString).lastPathComponent)
    }

    /// A single relative component: swift-corelibs-foundation traps in
    /// `deletingLastPathComponent` here (Apple's Foundation gives "").
    @Test func aBareNameHasNoDirectory() {
        #expect(PathComponents.directory("a") == "")
        #expect(PathComponents.last("a") == "a")
    }

    @Test(arguments: [0.0, 0.125, 0.005, 1.005, 2.675, 9.995, 10.05, 123.456, 1e9 + 0.5, -0.5, 0.1 + 0.2])
    func fixedPointIsStringFormat(x: Double) {
        for digits in 0...3 {
            #expect(FixedPoint.text(x, digits: digits) == String(format: "%.\(digits)f", x))
        }
    }

    @Test func fileErrorsNameTheReasonAndThePath() {
        #expect(throws: (any Error).self) {
            do { try Data("x".utf8).write(to: URL(fileURLWithPath: "/nonexistent-sosplan/x.json"), options: .atomic) } catch {
                #expect(FileErrorText.describe(error) == "No such file or directory: /nonexistent-sosplan/x.json")
                throw error
            }
        }
    }
}
