import Foundation
import SosplanTestSupport
import Testing

/// libsystemd is opened when systemd is first asked (CSystemd's loader), not
/// linked: linking it made every `sosplan` process, `--version` included,
/// map and relocate it and its six libraries at exec (issue 28).
@Suite("libsystemd is loaded on first use")
struct LibsystemdLoadingTests {
    /// What the dynamic loader would load at exec (`ldd`'s way: with
    /// LD_TRACE_LOADED_OBJECTS it lists them and runs nothing).
    static func loadedAtExec(_ binary: URL) throws -> String {
        let r = try CommandRunner.run(binary, [], replacingEnvironment: ["LD_TRACE_LOADED_OBJECTS": "1"])
        #expect(r.status == 0, "\(r.stderr)")
        return r.stdout
    }

    @Test("the sosplan binary does not load libsystemd at exec")
    func notAtExec() throws {
        let listed = try Self.loadedAtExec(RepositoryPaths.product("sosplan"))
        // The list is real: the C library is always on it.
        #expect(listed.contains("libc.so.6"), "\(listed)")
        #expect(!listed.contains("libsystemd"), "\(listed)")
        #expect(!listed.contains("libgcrypt"), "\(listed)")
    }

    /// libnuma is opened the same way (CNuma's loader): only the live
    /// probe's cross-check calls it, so its constructor no longer reads
    /// /proc and sysfs at every exec.
    @Test("the sosplan binary does not load libnuma at exec either")
    func libnumaNotAtExec() throws {
        let listed = try Self.loadedAtExec(RepositoryPaths.product("sosplan"))
        #expect(listed.contains("libc.so.6"), "\(listed)")
        #expect(!listed.contains("libnuma"), "\(listed)")
    }

    @Test("a command that needs systemd still reaches it: --systemd-bus to nowhere is a bus error, not a loader error")
    func busErrorNamesTheBus() throws {
        let scratch = try ScratchDirectory("sosplan-nobus")
        defer { scratch.remove() }
        let r = try CommandRunner.sosplan([
            "observe", "--root", "/", "--state-dir", scratch.url.path,
            "--systemd-bus", "unix:path=\(scratch.url.path)/no-such-socket", "--format", "json",
        ])
        #expect(r.status == 1)
        #expect(r.stderr.contains("cannot reach systemd on the bus unix:path="), "\(r.stderr)")
        #expect(!r.stderr.contains("could not be loaded"), "\(r.stderr)")
    }
}
