import SosplanCore
import Testing

@Suite struct UnitNamesTests {
    @Test(arguments: [
        "nginx.service", "postgresql@15-main.service", "dev-sda1.swap", "home.mount", "a\\x2db.mount", "sshd.socket",
        "user@1000.service", "systemd-journald.service",
    ])
    func validNames(_ name: String) {
        #expect(UnitNames.problem(name) == nil)
    }

    @Test(arguments: [
        ("", "the unit name is empty"), ("nginx", "has no unit type suffix"), ("a.servic", "unknown unit type '.servic'"),
        ("a b.service", "contains a space"), ("getty@.service", "is a template"), ("a@b@c.service", "more than one '@'"),
        (".service", "empty name before '.service'"), ("@x.service", "nothing before '@'"), ("é.service", "contains 'é'"),
    ])
    func invalidNames(_ name: String, _ fragment: String) throws {
        let problem = try #require(UnitNames.problem(name))
        #expect(problem.message.contains(fragment), "\(problem.message)")
    }

    @Test func tooLongNames() throws {
        #expect(UnitNames.problem(String(repeating: "a", count: 247) + ".service") == nil)
        #expect(try #require(UnitNames.problem(String(repeating: "a", count: 248) + ".service")).message.contains("at most 255"))
    }

    @Test func sliceNames() throws {
        #expect(UnitNames.sliceProblem("sosplan-web.slice") == nil)
        #expect(try #require(UnitNames.sliceProblem("user.slice")).message.contains("belongs to systemd"))
        #expect(try #require(UnitNames.sliceProblem("-web.slice")).message.contains("not a valid slice path"))
        #expect(try #require(UnitNames.sliceProblem("web.service")).message.contains("is not a slice"))
    }

    @Test func hugepageSizes() throws {
        for size in [ByteSize.mib(2), .gib(1), .kib(64), .mib(1), .gib(16)] { #expect(HugepageSizes.problem(size) == nil) }
        #expect(try #require(HugepageSizes.problem(.mib(4))).message == "no Linux architecture has 4Mi hugepages")
        #expect(try #require(HugepageSizes.problem(ByteSize(2_000_000))).hints == ["hugepage sizes are binary: write 2Mi"])
        #expect(try #require(HugepageSizes.problem(.mib(3))).message.contains("not a power of two"))
    }
}
