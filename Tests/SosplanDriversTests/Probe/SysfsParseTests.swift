import Foundation
import SosplanCore
import SosplanTestSupport
import Testing

@testable import SosplanDrivers

/// The byte-level sysfs parsers agree with Core's CPU-set parsers on every
/// list and mask file of the fixtures, and refuse what Core refuses.
@Suite struct SysfsParseTests {
    func withBytes<T>(_ text: String, _ body: (SysfsParse.Bytes) -> T) -> T {
        var copy = text
        return copy.withUTF8 { body($0) }
    }

    /// A `distance` row: whitespace-separated numbers within the range, all
    /// of them, or nil; what splitting the text and `Int(_:)` gave before.
    @Test func distanceRows() {
        let within = { (text: String) in self.withBytes(text) { SysfsParse.row($0, within: 0...255) } }
        #expect(within("10 21 21 31\n") == [10, 21, 21, 31])
        #expect(within("10\t255  0\n") == [10, 255, 0])
        #expect(within("") == [])
        #expect(within("10 abc\n") == nil)
        #expect(within("10 256") == nil)
        #expect(within("10 -1") == nil)
        #expect(within("10 1e1") == nil)
        #expect(within("99999999999999999999 10") == nil)
        #expect(within("-0 10") == [0, 10])
    }

    @Test(.enabled(if: TopologyFixtures.isAvailable, "\(TopologyFixtures.unavailableReason ?? "")"))
    func listsAndMasksOfEveryFixtureAgreeWithCore() throws {
        var compared = 0
        for name in ["16em64t-4s2c2t-offlines", "256ppc-8n8s4t", "kvm-16c-1n", "128arm-2pa2n8cluster4co"] {
            let base = try TopologyFixtures.load(name).root.appendingPathComponent("sys/devices/system")
            let files = FileManager.default.enumerator(atPath: base.path)!.compactMap { $0 as? String }
            for relative in files {
                let file = (relative as NSString).lastPathComponent
                let isList = file.hasSuffix("_list") || file == "cpulist"
                let isMask = ["cpumap", "thread_siblings", "core_siblings", "shared_cpu_map"].contains(file)
                guard isList || isMask,
                    let data = FileManager.default.contents(atPath: base.appendingPathComponent(relative).path)
                else { continue }
                let text = String(decoding: data.prefix { $0 != 0 }, as: UTF8.self)
                if isList {
                    #expect(withBytes(text, SysfsParse.cpuList) == (try? CPUSet(lenientList: text)), "\(name)/\(relative)")
                } else {
                    #expect(withBytes(text, SysfsParse.hexMask) == CPUSet(hexMask: text), "\(name)/\(relative)")
                }
                compared += 1
            }
        }
        #expect(compared > 1000)
    }

    @Test(arguments: ["0-3,8", "", "\n", "7\n", "1,3,5", "0-1,4-7,12", " 2-3 "])
    func listsLikeCore(_ text: String) {
        #expect(withBytes(text, SysfsParse.cpuList) == (try? CPUSet(lenientList: text)))
    }

    @Test(arguments: ["3-1", "1,,2", "a", "1-", "-2", "0,", "99999999", "1 2"])
    func malformedListsAreRefused(_ text: String) {
        #expect(withBytes(text, SysfsParse.cpuList) == nil)
    }

    @Test func masks() {
        #expect(withBytes("00000000,0000ffff\n", SysfsParse.hexMask) == CPUSet(0...15))
        #expect(withBytes("1,00000000", SysfsParse.hexMask) == CPUSet([32]))
        #expect(withBytes("80000000,00000000,00000001", SysfsParse.hexMask) == CPUSet([0, 95]))
        #expect(withBytes("FF", SysfsParse.hexMask) == CPUSet(0...7))
        #expect(withBytes("", SysfsParse.hexMask) == nil)
        #expect(withBytes("xyz", SysfsParse.hexMask) == nil)
        #expect(withBytes("123456789", SysfsParse.hexMask) == nil, "a word has at most 8 digits")
    }

    @Test func integers() {
        #expect(withBytes("42\n", SysfsParse.int) == 42)
        #expect(withBytes("-1\n", SysfsParse.int) == -1)
        #expect(withBytes(" 7 ", SysfsParse.int) == 7)
        #expect(withBytes("", SysfsParse.int) == nil)
        #expect(withBytes("4x", SysfsParse.int) == nil)
        #expect(withBytes("-", SysfsParse.int) == nil)
        #expect(withBytes("10 21 21 10\n", SysfsParse.ints) == [10, 21, 21, 10])
    }

    @Test func meminfo() {
        let m = Meminfo("Node 0 MemTotal:        4550128 kB\nNode 0 MemFree:  3311012 kB\nHugePages_Total:   4\nbogus\n")
        #expect(m.total == 4550128 * 1024)
        #expect(m.free == 3311012 * 1024)
        #expect(m["HugePages_Total"] == 4)
        #expect(m["bogus"] == nil)
    }
}
