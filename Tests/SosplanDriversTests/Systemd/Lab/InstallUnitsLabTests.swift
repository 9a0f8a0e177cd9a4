import Foundation
import SosplanCore
import SosplanDrivers
import SosplanTestSupport
import Testing

/// The units `sosplan install` renders, read by a real systemd: the program
/// the service runs receives exactly the arguments given, and the path unit
/// watches exactly the layout's path, hostile characters included.
@Suite(.enabled(if: labAvailable, labSkipReason))
struct InstallUnitsLabTests {
    @Test func theServiceRunsTheExactArgumentsAndThePathUnitWatchesTheExactPath() throws {
        let context = try LabContext.shared()
        let scratch = try ScratchDirectory("install-lab")
        defer { scratch.remove() }
        // A stand-in for sosplan, in a directory whose name needs quoting and a specifier escape:
        // it writes each argument it receives, NUL-terminated.
        let tools = scratch.path("my tools/100%")
        try FileManager.default.createDirectory(at: tools, withIntermediateDirectories: true)
        let output = scratch.path("argv")
        let binary = tools.appendingPathComponent("sosplan")
        try "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\0' \"$a\"; done > '\(output.path)'\n"
            .write(to: binary, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: binary.path)

        let layout = "/etc/sos plan/50%/${HOME}/$USER/;/host\\ \"x\" 'y'.yaml"
        let arguments = ["--state-dir", "/var/lib/sos plan", "--metrics", "/var/lib/a;b/$x.prom", ";", "", "%n"]
        let settings = InstallFiles.Settings(binary: binary.path, layout: layout, reconcileArguments: arguments)
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
        #expect(try context.show("LoadState", path) == "loaded")

        try context.driver.startUnit(service)
        let received = try Data(contentsOf: output).split(separator: 0, omittingEmptySubsequences: false).dropLast()
            .map { String(decoding: $0, as: UTF8.self) }
        #expect(received == ["reconcile"] + arguments + [layout])

        let paths = try context.driver.property("Paths", of: path, interface: "org.freedesktop.systemd1.Path")
        let specs = (paths.arrayValues ?? []).compactMap { $0.structureFields.map { ($0[0].stringValue, $0[1].stringValue) } }
        #expect(specs.count == 1)
        #expect(specs.first?.0 == "PathChanged")
        #expect(specs.first?.1 == layout)
    }

    @Test func enableAndDisableCreateAndRemoveTheInstallSymlinks() throws {
        let context = try LabContext.shared()
        let service = context.name("enable", "service")
        try "[Unit]\nDescription=t\n\n[Service]\nType=oneshot\nExecStart=/bin/true\n\n[Install]\nWantedBy=multi-user.target\n"
            .write(to: context.file(service), atomically: true, encoding: .utf8)
        defer {
            try? FileManager.default.removeItem(at: context.file(service))
            try? FileManager.default.removeItem(at: context.file("multi-user.target.wants/\(service)"))
            _ = try? context.systemctl("daemon-reload")
        }
        try context.driver.reloadDaemon()
        let enabled = try context.driver.enableUnitFiles([service])
        #expect(enabled.count == 1 && enabled[0].hasPrefix("symlink ") && enabled[0].contains("multi-user.target.wants/\(service)"), "\(enabled)")
        #expect(try context.driver.unitFileState(service) == "enabled")
        #expect(try context.driver.enableUnitFiles([service]) == [], "enabling twice changes nothing")
        let disabled = try context.driver.disableUnitFiles([service])
        #expect(disabled.count == 1 && disabled[0].hasPrefix("unlink "), "\(disabled)")
        #expect(!FileManager.default.fileExists(atPath: context.file("multi-user.target.wants/\(service)").path))
        #expect(throws: SystemdError.self) { _ = try context.driver.enableUnitFiles(["bad/name.service"]) }
    }
}
