import Foundation
import SosplanDrivers
import Testing

@Suite("the unit directory")
struct UnitDirectoryTests {
    let root: URL
    let dir: UnitDirectory

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("sosplan-unitdir-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        dir = UnitDirectory(url: root)
    }

    let mine = "[Unit]\nX-Sosplan-Managed=slice\n"

    @Test("writes atomically with mode 0644, reports whether the file changed, leaves no temporary files")
    func write() throws {
        defer { try? FileManager.default.removeItem(at: root) }
        #expect(try dir.write(mine, to: "a.slice.d/40-sosplan-properties.conf", unit: "a.slice"))
        #expect(try !dir.write(mine, to: "a.slice.d/40-sosplan-properties.conf", unit: "a.slice"))
        #expect(try dir.write(mine + "\n", to: "a.slice.d/40-sosplan-properties.conf", unit: "a.slice"))
        let path = root.appendingPathComponent("a.slice.d/40-sosplan-properties.conf").path
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o644)
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("a.slice.d").path)
            == ["40-sosplan-properties.conf"])
        #expect(try dir.state("a.slice.d/40-sosplan-properties.conf") == .managed(.slice, text: mine + "\n"))
    }

    @Test("never replaces or removes a file without the marker, nor follows a symlink")
    func foreign() throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let theirs = "[Slice]\nCPUWeight=1\n"
        try theirs.write(to: root.appendingPathComponent("b.slice"), atomically: true, encoding: .utf8)
        #expect(try dir.state("b.slice") == .foreign)
        #expect(throws: SystemdError.self) { try dir.write(mine, to: "b.slice", unit: "b.slice") }
        #expect(throws: SystemdError.self) { try dir.remove("b.slice", unit: "b.slice") }
        #expect(try String(contentsOf: root.appendingPathComponent("b.slice"), encoding: .utf8) == theirs)
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("c.slice").path, withDestinationPath: "b.slice")
        #expect(try dir.state("c.slice") == .foreign)
        #expect(throws: SystemdError.self) { try dir.write(mine, to: "c.slice", unit: "c.slice") }
    }

    @Test("removes its own file and the emptied drop-in directory; missing is not an error")
    func remove() throws {
        defer { try? FileManager.default.removeItem(at: root) }
        _ = try dir.write(mine, to: "d.service.d/40-sosplan-placement.conf", unit: "d.service")
        #expect(try dir.remove("d.service.d/40-sosplan-placement.conf", unit: "d.service"))
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("d.service.d").path))
        #expect(try !dir.remove("d.service.d/40-sosplan-placement.conf", unit: "d.service"))
    }

    @Test("lists only marked files")
    func managedFiles() throws {
        defer { try? FileManager.default.removeItem(at: root) }
        _ = try dir.write(mine, to: "sosplan-a.slice", unit: "sosplan-a.slice")
        _ = try dir.write("[Unit]\nX-Sosplan-Managed=placement\n", to: "n.service.d/40-sosplan-placement.conf", unit: "n.service")
        try "[Unit]\n".write(to: root.appendingPathComponent("other.service"), atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(at: root.appendingPathComponent("n.service.d"), withIntermediateDirectories: true)
        try "[Service]\nNice=5\n".write(to: root.appendingPathComponent("n.service.d/override.conf"), atomically: true, encoding: .utf8)
        let found = try dir.managedFiles()
        #expect(found.map(\.unit) == ["n.service", "sosplan-a.slice"])
        #expect(found.map(\.kind) == [.placement, .slice])
    }

    @Test("enable links to sosplan's file; disable removes only that link")
    func enable() throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let unit = try UnitName("sosplan-x.service")
        #expect(try dir.enable(unit))
        #expect(try !dir.enable(unit))
        let link = root.appendingPathComponent("multi-user.target.wants/sosplan-x.service").path
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == "../sosplan-x.service")
        #expect(dir.disable(unit))
        #expect(!dir.disable(unit))
        try FileManager.default.createDirectory(at: root.appendingPathComponent("multi-user.target.wants"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "/lib/systemd/system/other.service")
        #expect(throws: SystemdError.self) { try dir.enable(unit) }
        #expect(!dir.disable(unit))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == "/lib/systemd/system/other.service")
    }
}
