@testable import SosplanDrivers
import Foundation
import Testing

@Suite("D-Bus error names map to SystemdError")
struct SystemdErrorMappingTests {
    func map(_ name: String, _ message: String, errno: Int32 = 0, properties: [String] = []) -> SystemdError {
        SystemdError.from(DBusError(name: name, message: message, errno: errno), unit: "u.slice", operation: "Op",
                          properties: properties, address: "unix:path=/bus")
    }

    @Test("systemd's and the bus's error names")
    func names() {
        #expect(map("org.freedesktop.systemd1.NoSuchUnit", "Unit u.slice not loaded.") == .noSuchUnit(unit: "u.slice"))
        #expect(map("org.freedesktop.DBus.Error.AccessDenied", "Access denied")
            == .accessDenied(unit: "u.slice", operation: "Op", message: "Access denied"))
        #expect(map("org.freedesktop.DBus.Error.InteractiveAuthorizationRequired", "Interactive authentication required.")
            == .accessDenied(unit: "u.slice", operation: "Op", message: "Interactive authentication required."))
        #expect(map("org.freedesktop.DBus.Error.PropertyReadOnly", "Cannot set property Bogus, or unknown property.",
                    properties: ["CPUWeight", "Bogus"])
            == .unknownProperty(unit: "u.slice", property: "Bogus", message: "Cannot set property Bogus, or unknown property."))
        #expect(map("org.freedesktop.DBus.Error.UnknownProperty", "Unknown interface org.freedesktop.systemd1.Unit or property Foo.")
            == .unknownProperty(unit: "u.slice", property: "Foo", message: "Unknown interface org.freedesktop.systemd1.Unit or property Foo."))
        #expect(map("System.Error.ECONNRESET", "Connection reset by peer", errno: ECONNRESET)
            == .busUnavailable(address: "unix:path=/bus", reason: "Connection reset by peer"))
        #expect(map("org.freedesktop.systemd1.UnitMasked", "Unit u.slice is masked.")
            == .callFailed(unit: "u.slice", operation: "Op", name: "org.freedesktop.systemd1.UnitMasked", message: "Unit u.slice is masked."))
    }
}
