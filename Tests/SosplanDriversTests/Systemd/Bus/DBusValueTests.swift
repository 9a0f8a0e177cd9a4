import SosplanDrivers
import Testing

@Suite("D-Bus values and errors")
struct DBusValueTests {
    @Test("signatures of systemd's argument shapes")
    func signatures() {
        #expect(DBusValue.properties([("AllowedCPUs", .bytes([2])), ("MemoryMax", .uint64(1))]).signature == "a(sv)")
        #expect(DBusValue.properties([]).signature == "a(sv)")
        #expect(DBusValue.array(element: "(sa(sv))", []).signature == "a(sa(sv))")
        #expect(DBusValue.array(element: "{sv}", [.dictEntry(.string("a"), .variant(.bool(true)))]).signature == "a{sv}")
        #expect(DBusValue.structure([.string("x"), .strings(["a"]), .bool(false), .uint64(0)]).signature == "(sasbt)")
    }

    @Test("accessors see through variants")
    func accessors() {
        let dict = DBusValue.array(element: "{sv}", [
            .dictEntry(.string("CPUWeight"), .variant(.uint64(100))),
            .dictEntry(.string("AllowedCPUs"), .variant(.bytes([3]))),
            .dictEntry(.string("Slice"), .variant(.string("system.slice"))),
        ])
        let p = dict.propertyDictionary
        #expect(p?["CPUWeight"]?.uint64Value == 100)
        #expect(p?["AllowedCPUs"]?.bytesValue == [3])
        #expect(p?["Slice"]?.stringValue == "system.slice")
        #expect(DBusValue.variant(.variant(.bool(true))).boolValue == true)
        #expect(DBusValue.array(element: "y", [.byte(1), .byte(2)]).bytesValue == [1, 2])
    }

    @Test("error messages say what to do", arguments: [
        (SystemdError.busUnavailable(address: "unix:path=/x", reason: "No such file or directory (errno 2)"),
         "cannot reach systemd on the bus unix:path=/x: No such file or directory (errno 2)\nhint: is systemd (and dbus-daemon) running? pass --systemd-bus ADDRESS, or --no-systemd to plan without it"),
        (.accessDenied(unit: "a.slice", operation: "SetUnitProperties", message: "Access denied"),
         "permission denied: systemd refused SetUnitProperties on a.slice: Access denied\nhint: run sosplan as root, or allow it in the bus/polkit policy"),
        (.invalidName(field: "units[0]", name: "a\nb.service", reason: "bad"), "units[0]: 'a\\nb.service' is not a valid systemd unit name: bad"),
        (.jobFailed(unit: "x.service", operation: "restart", result: "failed"),
         "systemd could not restart x.service: the job ended with 'failed'\nhint: see `journalctl -u x.service` or `systemctl status x.service`"),
    ])
    func descriptions(error: SystemdError, text: String) {
        #expect(error.description == text)
    }
}
