import Foundation
import SosplanCore
import SosplanDrivers
import SosplanTestSupport
import Testing

@Suite("sosplan's exec units", .enabled(if: labAvailable, labSkipReason))
struct ExecUnitLabTests {
    /// Arguments that would break a naive ExecStart: specifiers, variables,
    /// quotes, backslashes, a lone `;` (command separator), spaces. bash keeps
    /// them as positional parameters without interpreting them (the *test*
    /// picks bash as the program; sosplan itself never uses a shell), so the
    /// running process's argv can be compared with the request.
    static let nasty = [
        "/bin/bash", "-c", "while :; do /usr/bin/sleep 1000; done", "%n", "$HOME", "${PATH}", "a b", "\"quoted\"",
        "back\\slash", ";", "it's", "-", "100%", "$$", "\\n", "tail\\", "ünï", "",
    ]

    @Test("create runs the argument vector verbatim in its slice: systemd and the kernel report the same argv")
    func create() throws {
        let ctx = try LabContext.shared()
        let slice = ctx.name("batch", "slice")
        let unit = ctx.name("batch", "service")
        _ = try ctx.driver.createSlice(SliceRequest(name: slice))
        let change = try ctx.driver.createUnit(ExecUnitRequest(name: unit, slice: slice, arguments: Self.nasty))
        #expect(change.actions.contains(.wroteFile(ctx.file(unit).path)))
        #expect(change.actions.contains(.started))
        #expect(change.state.activeState == "active")
        #expect(change.state.slice == slice)
        #expect(change.state.managed)
        #expect(change.state.execStart == Self.nasty)
        let pid = try ctx.show("MainPID", unit)
        let cmdline = try ctx.lab.run(["cat", "/proc/\(pid)/cmdline"]).stdout
        #expect(cmdline.split(separator: "\0", omittingEmptySubsequences: false).dropLast().map(String.init) == Self.nasty)
        let text = try String(contentsOf: ctx.file(unit), encoding: .utf8)
        #expect(UnitFile.parse(text).values("ExecStart", in: "Service").count == 1)
        #expect(FileManager.default.fileExists(atPath: ctx.file("multi-user.target.wants/\(unit)").path))
        _ = try ctx.driver.removeUnit(unit)
        _ = try ctx.driver.removeSlice(slice)
    }

    @Test("a second create is a no-op; update restarts only when the file changes; remove cleans up")
    func lifecycle() throws {
        let ctx = try LabContext.shared()
        let slice = ctx.name("life", "slice")
        let other = ctx.name("life2", "slice")
        let unit = ctx.name("life", "service")
        _ = try ctx.driver.applySlices([SliceRequest(name: slice), SliceRequest(name: other)])
        let request = ExecUnitRequest(name: unit, slice: slice, arguments: ["/usr/bin/sleep", "infinity"])
        let first = try ctx.driver.createUnit(request)
        let pid = try ctx.show("MainPID", unit)
        let second = try ctx.driver.createUnit(request)
        #expect(first.changed)
        #expect(!second.changed, "second create did: \(second.actions)")
        #expect(try ctx.show("MainPID", unit) == pid)

        var moved = request
        moved.slice = other
        let update = try ctx.driver.updateUnit(moved)
        #expect(update.actions.contains(.restarted))
        #expect(update.disruption == .restart)
        #expect(update.state.slice == other)
        #expect(update.state.controlGroup?.hasSuffix("/\(other)/\(unit)") == true)

        let removed = try ctx.driver.removeUnit(unit)
        #expect(removed.actions.contains(.stopped))
        #expect(removed.actions.contains(.removedFile(ctx.file(unit).path)))
        #expect(removed.state.loadState == "not-found")
        #expect(!FileManager.default.fileExists(atPath: ctx.file(unit).path))
        #expect(!FileManager.default.fileExists(atPath: ctx.file("multi-user.target.wants/\(unit)").path))
        #expect(!(try ctx.driver.removeUnit(unit)).changed)
        _ = try ctx.driver.removeSlice(slice)
        _ = try ctx.driver.removeSlice(other)
    }

    @Test("a sosplan-named unit file without the marker is never replaced, updated or removed")
    func foreignUnitFile() throws {
        let ctx = try LabContext.shared()
        let unit = ctx.name("imposter", "service")
        let theirs = "[Unit]\nDescription=not sosplan's\n\n[Service]\nExecStart=/usr/bin/sleep 1\n"
        try theirs.write(to: ctx.file(unit), atomically: true, encoding: .utf8)
        let request = ExecUnitRequest(name: unit, slice: ctx.name("x", "slice"), arguments: ["/usr/bin/true"])
        #expect(throws: SystemdError.self) { try ctx.driver.createUnit(request) }
        #expect(throws: SystemdError.self) { try ctx.driver.updateUnit(request) }
        #expect(throws: SystemdError.self) { try ctx.driver.removeUnit(unit) }
        #expect(try String(contentsOf: ctx.file(unit), encoding: .utf8) == theirs)
        try FileManager.default.removeItem(at: ctx.file(unit))
    }

    @Test("a refused request writes nothing and calls nothing")
    func refusedWritesNothing() throws {
        let ctx = try LabContext.shared()
        let unit = ctx.name("refused", "service")
        let bad = [
            ExecUnitRequest(name: unit, slice: ctx.name("x", "slice"), arguments: ["/usr/bin/echo", "a\nExecStartPre=/bin/rm"]),
            ExecUnitRequest(name: unit, slice: ctx.name("x", "slice"), arguments: ["relative/path"]),
            ExecUnitRequest(name: unit, slice: "x.slice\nUser=root", arguments: ["/usr/bin/true"]),
            ExecUnitRequest(name: unit, slice: ctx.name("x", "slice"), arguments: ["/usr/bin/true"], description: "x\n[Service]"),
        ]
        for request in bad {
            #expect(throws: SystemdError.self) { try ctx.driver.createUnit(request) }
        }
        #expect(!FileManager.default.fileExists(atPath: ctx.file(unit).path))
        #expect(try ctx.driver.observeUnit(unit).loadState == "not-found")
    }
}
