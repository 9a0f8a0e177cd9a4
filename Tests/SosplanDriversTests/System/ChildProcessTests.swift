import SosplanDrivers
import Testing

/// `ChildProcess` (posix_spawn) as `ToolRunner` and `UdevControl` use it.
@Suite struct ChildProcessTests {
    @Test func capturesBothStreamsAndTheExitStatus() throws {
        let r = try ChildProcess.run("/bin/sh", ["-c", "printf out; printf err >&2; exit 3"])
        #expect(r.status == 3)
        #expect(r.stdout == Array("out".utf8))
        #expect(r.stderr == Array("err".utf8))
        #expect(!r.timedOut)
    }

    @Test func passesArgumentsWithoutAShell() throws {
        let r = try ChildProcess.run("/bin/echo", ["a b", "$HOME", "'; exit 1"])
        #expect(String(decoding: r.stdout, as: UTF8.self) == "a b $HOME '; exit 1\n")
    }

    @Test func givesTheEnvironmentAskedForAndNoStdin() throws {
        let r = try ChildProcess.run("/bin/sh", ["-c", "echo \"$LC_ALL:$ONLY\"; cat"], environment: ["LC_ALL": "C", "ONLY": "this"])
        #expect(String(decoding: r.stdout, as: UTF8.self) == "C:this\n")
        #expect(r.status == 0)
    }

    @Test func reportsASignalAs128PlusIt() throws {
        let r = try ChildProcess.run("/bin/sh", ["-c", "kill -9 $$"])
        #expect(r.status == 128 + 9)
    }

    @Test func killsAChildPastItsTimeLimitAndKeepsWhatItPrinted() throws {
        let start = ContinuousClock.now
        let r = try ChildProcess.run("/bin/sh", ["-c", "echo started; exec sleep 30"], timeout: 0.3)
        #expect(r.timedOut)
        #expect(String(decoding: r.stdout, as: UTF8.self) == "started\n")
        #expect(r.status == 128 + 15)
        #expect(ContinuousClock.now - start < .seconds(5))
    }

    @Test func aChildIgnoringSIGTERMIsKilled() throws {
        let r = try ChildProcess.run("/bin/sh", ["-c", "trap '' TERM; echo x; while :; do sleep 0.05; done"], timeout: 0.2)
        #expect(r.timedOut)
        #expect(r.status == 128 + 9)
    }

    @Test func discardedOutputIsNotCollected() throws {
        let r = try ChildProcess.run("/bin/sh", ["-c", "echo out; echo err >&2"], stdout: .discard)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr == Array("err\n".utf8))
    }

    @Test func aMissingProgramThrowsWithTheReason() {
        #expect(throws: SystemError(call: "posix_spawn", path: "/nonexistent/tool", errno: 2)) {
            try ChildProcess.run("/nonexistent/tool", [])
        }
    }
}
