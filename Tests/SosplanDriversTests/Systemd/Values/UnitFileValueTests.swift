import SosplanCore
import SosplanDrivers
import Testing

@Suite("unit file values")
struct UnitFileValueTests {
    static let tricky = [
        "plain", "a b", "", "%n", "%%", "100%", "$HOME", "${PATH}", "$$", "\"", "'", "\\", "\\n", "tail\\", ";", "-",
        "@x", "+x", "!x", ":x", "x=y", "#comment", "[Service]", "ünï", "a\"b'c\\d%e$f",
    ]

    @Test("each argument is quoted so systemd hands it to the program verbatim", arguments: tricky)
    func execArgument(arg: String) throws {
        let quoted = try UnitFileValue.execArgument(arg, field: "exec[1]")
        #expect(quoted.hasPrefix("\"") && quoted.hasSuffix("\""))
        #expect(SystemdExecLineModel.argv("/bin/x " + quoted) == ["/bin/x", arg])
    }

    @Test("a whole argument vector round-trips through systemd's rules")
    func execCommandLine() throws {
        let argv = ["/usr/bin/worker"] + Self.tricky
        let line = try UnitFileValue.execCommandLine(argv, field: "exec")
        #expect(SystemdExecLineModel.argv(line) == argv)
        #expect(!line.contains("\n"))
    }

    @Test("deterministic fuzz: random arguments from a hostile alphabet round-trip")
    func fuzz() throws {
        var rng = SplitMix64(seed: 0x5053_5053)
        let alphabet = Array(" \"'\\%$;#=[]{}@+!:-abcXYZ09\u{e9}")
        for _ in 0..<500 {
            let argv = ["/bin/prog"] + (0..<Int(rng.next() % 5)).map { _ in
                String((0..<Int(rng.next() % 8)).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] })
            }
            #expect(SystemdExecLineModel.argv(try UnitFileValue.execCommandLine(argv, field: "exec")) == argv)
        }
    }

    @Test("newlines, NUL and other control characters are refused", arguments: [
        "a\nExecStartPre=/bin/rm -rf /", "a\0b", "a\rb", "tab\there", "esc\u{1b}[0m", "del\u{7f}",
    ])
    func controlCharacters(arg: String) {
        #expect(throws: SystemdError.self) { try UnitFileValue.execArgument(arg, field: "exec[1]") }
        #expect(throws: SystemdError.self) { try UnitFileValue.text(arg, field: "description") }
    }

    @Test("the program must be a normalized absolute path (no prefix characters can sneak in)", arguments: [
        "sleep", "-/bin/sleep", "@/bin/sleep", "+/bin/sleep", "./sleep", "/bin//sleep", "/bin/../sleep", "/bin/./sleep",
        "/bin/", "/usr/bin/..", "/opt/$HOME/worker", "/opt/a$$b",
    ])
    func program(path: String) {
        #expect(throws: SystemdError.self) { try UnitFileValue.execCommandLine([path, "x"], field: "exec") }
    }

    @Test("an empty argument vector is refused")
    func emptyVector() {
        #expect(throws: SystemdError.self) { try UnitFileValue.execCommandLine([], field: "exec") }
    }

    @Test("free text escapes % and refuses what systemd would change")
    func text() throws {
        #expect(try UnitFileValue.text("web tier at 100% of node0", field: "d") == "web tier at 100%% of node0")
        #expect(try UnitFileValue.text("a \\ b $x \"q\"", field: "d") == "a \\ b $x \"q\"")
        for bad in ["", " lead", "trail ", "ends with \\", "two\nlines"] {
            #expect(throws: SystemdError.self) { try UnitFileValue.text(bad, field: "description") }
        }
    }

    @Test("numbers are range-checked")
    func numbers() throws {
        #expect(try UnitFileValue.weight(1, field: "w") == "1")
        #expect(try UnitFileValue.weight(10_000, field: "w") == "10000")
        #expect(throws: SystemdError.self) { try UnitFileValue.weight(0, field: "w") }
        #expect(throws: SystemdError.self) { try UnitFileValue.weight(10_001, field: "w") }
        #expect(try UnitFileValue.cpuQuota(perSecondUSec: 500_000, field: "q") == "50%")
        #expect(try UnitFileValue.cpuQuota(perSecondUSec: 2_000_000, field: "q") == "200%")
        #expect(try UnitFileValue.cpuQuota(perSecondUSec: 123_400, field: "q") == "12.34%")
        #expect(try UnitFileValue.cpuQuota(perSecondUSec: 100, field: "q") == "0.01%")
        #expect(try UnitFileValue.cpuQuota(perSecondUSec: 10_500, field: "q") == "1.05%")
        #expect(throws: SystemdError.self) { try UnitFileValue.cpuQuota(perSecondUSec: 0, field: "q") }
        #expect(throws: SystemdError.self) { try UnitFileValue.cpuQuota(perSecondUSec: 150, field: "q") }
        #expect(try UnitFileValue.bytes(.value(1 << 30), field: "m") == "1073741824")
        #expect(try UnitFileValue.bytes(.infinity, field: "m") == "infinity")
        #expect(throws: SystemdError.self) { try UnitFileValue.bytes(.value(UInt64.max), field: "m") }
        #expect(try UnitFileValue.tasks(.value(1), field: "t") == "1")
        #expect(throws: SystemdError.self) { try UnitFileValue.tasks(.value(0), field: "t") }
    }

    @Test("resource settings: empty CPU sets and huge ids are refused")
    func resources() throws {
        #expect(throws: SystemdError.self) { try ResourceControl(allowedCPUs: CPUSet()).unitFileEntries(field: "s") }
        #expect(throws: SystemdError.self) {
            try ResourceControl(allowedMemoryNodes: CPUSet([CPUSet.maximumID + 1])).unitFileEntries(field: "s")
        }
        let entries = try ResourceControl(allowedCPUs: CPUSet([0, 1, 2, 5]), cpuWeight: 100, tasksMax: .infinity)
            .unitFileEntries(field: "s")
        #expect(entries.map(\.0) == ["AllowedCPUs", "CPUWeight", "TasksMax"])
        #expect(entries.map(\.1) == ["0-2,5", "100", "infinity"])
        let bus = try ResourceControl(allowedCPUs: CPUSet([1]), cpuQuotaPerSecUSec: 500_000, memoryMax: .infinity)
            .busProperties(field: "s")
        #expect(bus.map(\.0) == ["AllowedCPUs", "CPUQuotaPerSecUSec", "MemoryMax"])
        #expect(bus.map(\.1) == [.bytes([0x02]), .uint64(500_000), .uint64(UInt64.max)])
    }

    @Test("mismatches compare only managed settings, with infinity as systemd reports it")
    func mismatches() {
        var unit = SystemdUnit(name: "x.slice")
        unit.allowedCPUs = CPUSet([0])
        unit.memoryMax = nil  // UINT64_MAX
        unit.cpuWeight = 100
        let want = ResourceControl(allowedCPUs: CPUSet([0]), cpuWeight: 200, memoryMax: .infinity)
        #expect(want.mismatches(in: unit) == ["CPUWeight"])
        #expect(ResourceControl().mismatches(in: unit).isEmpty)
    }
}

/// A small deterministic generator for fuzz-style tests.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
