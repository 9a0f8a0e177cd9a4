import Foundation
import SosplanCore
import SosplanDrivers
import SosplanTestSupport
import Testing

/// The units `sosplan install` renders, read back by a real systemd: the
/// argv it would run and the path it would watch are exactly the hostile
/// paths given, character for character.
@Suite(.enabled(if: labAvailable, labSkipReason))
struct InstallUnitsLabTests {
    @Test func systemdReadsHostilePathsBackExactly() throws {
        let context = try LabContext.shared()
        let binary = "/opt/my tools/100%/$USER/\"q\"/it's\\sosplan"
        let layout = "/etc/sos plan/50%/${HOME}/;/host\\ \"x\".yaml"
        let arguments = ["--state-dir", "/var/lib/sos plan", "--metrics", "/var/lib/a;b/$x.prom", ";"]
        let settings = InstallFiles.Settings(binary: binary, layout: layout, reconcileArguments: arguments)
        let service = context.name("reconcile", "service")
        let path = context.name("reconcile", "path")
        try InstallFiles.service(settings).write(to: context.file(service), atomically: true, encoding: .utf8)
        try InstallFiles.pathUnit(settings).write(to: context.file(path), atomically: true, encoding: .utf8)
        defer {
            try? FileManager.default.removeItem(at: context.file(service))
            try? FileManager.default.removeItem(at: context.file(path))
            _ = try? context.systemctl("daemon-reload")
        }
        try context.driver.reloadDaemon()

        #expect(try context.show("LoadState", service) == "loaded")
        let exec = try context.driver.property("ExecStart", of: service, interface: "org.freedesktop.systemd1.Service")
        let command = try #require(exec.arrayValues?.first?.structureFields, "\(exec)")
        #expect(command[0].stringValue == binary)
        // `$$` reaches the program as `$` when systemd runs it; the property shows the unit file's argv.
        let argv = try #require(command[1].stringArray).map { $0.replacingOccurrences(of: "$$", with: "$") }
        #expect(argv == [binary, "reconcile"] + arguments + [layout])

        let paths = try context.driver.property("Paths", of: path, interface: "org.freedesktop.systemd1.Path")
        let specs = (paths.arrayValues ?? []).compactMap { $0.structureFields.map { ($0[0].stringValue, $0[1].stringValue) } }
        #expect(specs.count == 1)
        #expect(specs.first?.0 == "PathChanged")
        #expect(specs.first?.1 == layout)
    }
}
