import CSystemd
import Testing

/// CSystemd opens libsystemd.so.0 on first use; a host without it gets a
/// message that names the library and its package, not a crash at exec.
@Suite struct LibsystemdLoaderTests {
    @Test func theInstalledLibraryHasEveryFunctionSosplanCalls() {
        #expect(sosplan_systemd_probe_library("libsystemd.so.0") == nil)
        #expect(sosplan_systemd_load_error() == nil)
    }

    @Test func aMissingLibraryIsNamedWithItsPackage() throws {
        let why = try #require(sosplan_systemd_probe_library("libsystemd-not-here.so.0"))
        let text = String(cString: why)
        #expect(text.hasPrefix("libsystemd-not-here.so.0 could not be loaded ("), "\(text)")
        #expect(text.contains("libsystemd0"), "\(text)")
    }

    @Test func aLibraryWithoutTheFunctionsIsRefused() throws {
        // libc loads but has no sd_bus_new.
        let why = try #require(sosplan_systemd_probe_library("libc.so.6"))
        #expect(String(cString: why) == "libc.so.6 has no sd_bus_new (systemd too old?)")
    }
}
