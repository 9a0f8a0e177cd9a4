import SosplanDrivers
import Testing

@Suite("unit file syntax")
struct UnitFileTests {
    @Test("render then parse gives back the same sections and entries")
    func roundTrip() {
        let file = UnitFile(header: ["managed", ""], sections: [
            .init("Unit", [.init("Description", "a = b"), .init("X-Sosplan-Managed", "slice")]),
            .init("Slice", [.init("AllowedCPUs", "0-3"), .init("AllowedCPUs", "4")]),
        ])
        let text = file.render()
        #expect(text == "# managed\n#\n\n[Unit]\nDescription=a = b\nX-Sosplan-Managed=slice\n\n[Slice]\nAllowedCPUs=0-3\nAllowedCPUs=4\n")
        #expect(UnitFile.parse(text) == file)
        #expect(UnitFile.parse(text).value("AllowedCPUs", in: "Slice") == "4")
    }

    @Test("parse follows systemd: comments, whitespace, continuation lines, CRLF")
    func parse() {
        let text = "; comment\r\n[Service]\r\n  ExecStart = /bin/a \\\r\n  --flag\r\n# inner\r\nUser=x\r\n\r\n[Install]\nWantedBy=multi-user.target"
        let file = UnitFile.parse(text)
        #expect(file.header == ["comment"])
        #expect(file.sections.map(\.name) == ["Service", "Install"])
        #expect(file.values("ExecStart", in: "Service") == ["/bin/a    --flag"])
        #expect(file.value("User", in: "Service") == "x")
        #expect(file.value("WantedBy", in: "Install") == "multi-user.target")
    }

    @Test("lines outside any section or without '=' are kept visibly")
    func stray() {
        let file = UnitFile.parse("Stray=1\n[Unit]\nno equals sign\n")
        #expect(file.sections.first?.name == "")
        #expect(file.values("", in: "Unit") == ["no equals sign"])
    }
}
