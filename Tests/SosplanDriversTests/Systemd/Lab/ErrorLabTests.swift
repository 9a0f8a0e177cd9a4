import Foundation
import SosplanCore
import SosplanDrivers
import SosplanTestSupport
import Testing

@Suite("systemd errors are clear")
struct ErrorLabTests {
    @Test("a missing bus: busUnavailable names the address and the reason")
    func missingBus() throws {
        let address = "unix:path=/var/empty/sosplan-no-such-bus/socket"
        let failure = systemdError { () throws(SystemdError) in
            _ = try SDBusSystemdDriver(busAddress: address, unitDirectory: URL(fileURLWithPath: "/var/empty"))
        }
        let e = try #require(failure, "connected to a bus that does not exist")
        guard case .busUnavailable(let a, let reason) = e else { Issue.record("wrong error \(e)"); return }
        #expect(a == address)
        #expect(reason.contains("No such file or directory"))
        #expect(e.description.contains("cannot reach systemd on the bus \(address)"))
        #expect(e.description.contains("hint:"))
    }

    /// Only where no default bus exists (these VMs: PID 1 is not systemd and
    /// there is no system dbus-daemon): the default is tried and reported.
    @Test("without a system bus, the default connection is reported as unavailable",
          .enabled(if: ProcessInfo.processInfo.environment["DBUS_SYSTEM_BUS_ADDRESS"] == nil
                   && !FileManager.default.fileExists(atPath: "/run/dbus/system_bus_socket")
                   && !FileManager.default.fileExists(atPath: "/run/systemd/private")))
    func noDefaultBus() throws {
        let failure = systemdError { () throws(SystemdError) in
            _ = try SDBusSystemdDriver(busAddress: nil, unitDirectory: URL(fileURLWithPath: "/var/empty"))
        }
        #expect(failure == .busUnavailable(address: "unix:path=/run/dbus/system_bus_socket", reason: "No such file or directory (errno 2)"))
    }

    @Test("a malformed bus address is refused as unavailable")
    func badAddress() throws {
        #expect(throws: SystemdError.self) {
            _ = try SDBusSystemdDriver(busAddress: "bogus:nothing", unitDirectory: URL(fileURLWithPath: "/var/empty"))
        }
    }

    @Test("PID 1's private socket from outside the lab's pid namespace fails as unavailable, not as a crash",
          .enabled(if: labAvailable, labSkipReason))
    func privateSocketFromHost() throws {
        let lab = try SystemdLab.shared()
        let socket = "/proc/\(lab.pid)/root/run/systemd/private"
        #expect(FileManager.default.fileExists(atPath: socket))
        let failure = systemdError { () throws(SystemdError) in
            let driver = try SDBusSystemdDriver(busAddress: "unix:path=\(socket)", unitDirectory: lab.unitDirectory)
            _ = try driver.observeUnit("init.scope")
        }
        let e = try #require(failure, "the private socket answered across pid namespaces")
        guard case .busUnavailable = e else { Issue.record("wrong error \(e)"); return }
    }

    @Test("no such unit: observe reports not-found; operations needing the unit fail with noSuchUnit",
          .enabled(if: labAvailable, labSkipReason))
    func noSuchUnit() throws {
        let ctx = try LabContext.shared()
        let missing = "ghost-\(ctx.tag).service"
        let observed = try ctx.driver.observeUnit(missing)
        #expect(observed.loadState == "not-found")
        #expect(observed.slice == nil && observed.controlGroup == nil && observed.cpuWeight == nil)
        let thrown = systemdError { () throws(SystemdError) in
            _ = try ctx.driver.setRuntimeResources(missing, ResourceControl(cpuWeight: 10))
        }
        #expect(thrown == .noSuchUnit(unit: missing))
        #expect(thrown?.description == "systemd has no unit \(missing) (no unit file or it is not loaded)")
    }

    @Test("a property the running systemd does not know: unknownProperty names it, for Set and Get",
          .enabled(if: labAvailable, labSkipReason))
    func unknownProperty() throws {
        let ctx = try LabContext.shared()
        let slice = ctx.name("bogus", "slice")
        _ = try ctx.driver.createSlice(SliceRequest(name: slice))
        let setFailure = systemdError { () throws(SystemdError) in
            try ctx.driver.setProperties(slice, runtime: true, [("CPUWeight", .uint64(5)), ("BogusProperty", .uint64(1))])
        }
        if case .unknownProperty(let unit, let property, let message)? = setFailure {
            #expect(unit == slice && property == "BogusProperty")
            #expect(message.contains("BogusProperty"))
            #expect(setFailure!.description.hasPrefix("the running systemd does not know property 'BogusProperty' on \(slice)"))
        } else {
            Issue.record("expected unknownProperty, got \(String(describing: setFailure))")
        }
        let getFailure = systemdError { () throws(SystemdError) in
            _ = try ctx.driver.property("NoSuchThing", of: slice)
        }
        if case .unknownProperty(_, let property, _)? = getFailure {
            #expect(property == "NoSuchThing")
        } else {
            Issue.record("expected unknownProperty, got \(String(describing: getFailure))")
        }
        #expect(try ctx.driver.property("CPUWeight", of: slice).uint64Value == UInt64.max)
        _ = try ctx.driver.removeSlice(slice)
    }

    /// systemd itself refuses changes from a non-root caller ("Access denied",
    /// org.freedesktop.DBus.Error.AccessDenied). Producing that needs the driver
    /// in a process with another uid: setresuid in this test process would
    /// change every thread's credentials (glibc broadcasts set*id), and a
    /// socket connected by a helper cannot be reused because sd-bus
    /// authenticates with its own euid. So the lab's bus refuses Reload and
    /// SetUnitProperties to everyone (a mandatory dbus-daemon policy): the
    /// same error name reaches the driver through the real bus.
    @Test("permission denied by the bus policy: accessDenied names the operation and the unit",
          .enabled(if: labAvailable, labSkipReason))
    func accessDenied() throws {
        let lab = try SystemdLab.start(prefix: "deny", deny: ["Reload", "SetUnitProperties"])
        defer { lab.stop() }
        let ctx = try LabContext(lab: lab)
        let setFailure = systemdError { () throws(SystemdError) in
            _ = try ctx.driver.setRuntimeResources("system.slice", ResourceControl(cpuWeight: 77))
        }
        if case .accessDenied(let unit, let op, _)? = setFailure {
            #expect(unit == "system.slice" && op == "SetUnitProperties")
            #expect(setFailure!.description.hasPrefix("permission denied: systemd refused SetUnitProperties on system.slice"))
        } else {
            Issue.record("expected accessDenied, got \(String(describing: setFailure))")
        }
        let reloadFailure = systemdError { () throws(SystemdError) in
            _ = try ctx.driver.createSlice(SliceRequest(name: ctx.name("denied", "slice")))
        }
        if case .accessDenied(_, let op, _)? = reloadFailure {
            #expect(op == "Reload")
        } else {
            Issue.record("expected accessDenied, got \(String(describing: reloadFailure))")
        }
    }
}

/// The `SystemdError` `body` throws, or nil.
func systemdError(_ body: () throws(SystemdError) -> Void) -> SystemdError? {
    do {
        try body()
        return nil
    } catch {
        return error
    }
}
