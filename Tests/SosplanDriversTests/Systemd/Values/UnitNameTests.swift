import SosplanDrivers
import Testing

@Suite("unit names")
struct UnitNameTests {
    @Test("valid names keep their text and type", arguments: [
        ("nginx.service", UnitType.service), ("sosplan-web.slice", .slice), ("getty@tty1.service", .service),
        ("init.scope", .scope), ("-.slice", .slice), ("dev-sda1.device", .device), ("a:b_c.d-e.socket", .socket),
        ("tmp.mount", .mount), ("system-getty.slice", .slice),
    ])
    func valid(name: String, type: UnitType) throws {
        let unit = try UnitName(name)
        #expect(unit.rawValue == name)
        #expect(unit.type == type)
    }

    @Test("invalid names are refused with the reason", arguments: [
        ("", "empty"),
        ("nginx", "needs a type suffix"),
        ("nginx.exe", "'.exe' is not a unit type"),
        ("../etc/passwd.service", "path separator"),
        ("a/b.service", "path separator"),
        ("a..b.service", "'..'"),
        ("..slice", "'..'"),
        ("web..service", "'..'"),
        (".hidden.service", "starts with '.'"),
        ("-x.service", "starts with '-'"),
        ("foo\\x2dbar.service", "escapes"),
        ("web server.service", "outside systemd's alphabet"),
        ("web\n[Service].service", "outside systemd's alphabet"),
        ("nul\0.service", "outside systemd's alphabet"),
        ("caf\u{e9}.service", "outside systemd's alphabet"),
        ("a%n.service", "outside systemd's alphabet"),
        ("a$HOME.service", "outside systemd's alphabet"),
        ("getty@.service", "is a template"),
        ("@x.service", "needs a name before '@'"),
        ("a@b@c.service", "more than one '@'"),
        ("web-.slice", "cannot end in '-'"),
        ("web--db.slice", "cannot end in '-' or contain '--'"),
        ("a-b--.slice", "cannot end in '-' or contain '--'"),
        ("a@b.slice", "cannot contain '@'"),
        (".service", "needs a type suffix"),
    ])
    func invalid(name: String, reason: String) {
        do {
            _ = try UnitName(name, field: "services[0].units[1]")
            Issue.record("accepted '\(name)'")
        } catch {
            #expect(error.description.contains(reason), "\(error.description)")
            #expect(error.description.hasPrefix("services[0].units[1]: '"))
            #expect(!error.description.contains("\n"), "a message must not carry a raw newline")
        }
    }

    @Test("at most 255 bytes")
    func length() throws {
        let ok = String(repeating: "a", count: 255 - ".service".count) + ".service"
        #expect(try UnitName(ok).rawValue.utf8.count == 255)
        #expect(throws: SystemdError.self) { try UnitName("a" + ok) }
    }

    @Test("slice cgroup paths follow the dashes", arguments: [
        ("-.slice", "/"), ("system.slice", "/system.slice"), ("sosplan-web.slice", "/sosplan.slice/sosplan-web.slice"),
        ("a-b-c.slice", "/a.slice/a-b.slice/a-b-c.slice"),
    ])
    func cgroupPath(name: String, path: String) throws {
        #expect(try UnitName(name).sliceCgroupPath == path)
        #expect(try UnitName("x.service").sliceCgroupPath == nil)
    }

    @Test("types know their D-Bus interface and unit file section")
    func types() {
        #expect(UnitType.service.interface == "org.freedesktop.systemd1.Service")
        #expect(UnitType.slice.section == "Slice")
        #expect(UnitType.scope.hasResourceControl && !UnitType.target.hasResourceControl)
        #expect(UnitType.service.canBePlaced && !UnitType.scope.canBePlaced && !UnitType.slice.canBePlaced)
    }
}
