import Foundation
import SosplanCore
import SosplanDrivers
import SosplanTestSupport
import Testing
@testable import SosplanApply
@testable import SosplanReact

/// The in-memory host with a layout file, a reconcile pass over it, and a
/// datagram socket standing in for the kernel's uevents.
final class ReactHost: @unchecked Sendable {
    let memory: InMemoryHost
    let host: ApplyHost
    let pass: ReconcilePass
    let layoutPath: String
    let socketPath: String
    private let lock = NSLock()
    private var lines: [LogLine] = []
    private var seqnum: UInt64 = 100

    init(layout: String) throws {
        memory = try InMemoryHost()
        let memory = self.memory
        host = ApplyHost(
            systemd: memory.systemd, root: memory.root.path, enclaves: [memory.enclaves], capabilities: EnclaveCapabilities.known,
            launchers: LauncherPaths(toolsDirectory: nil), observe: { names in try memory.observe(names) })
        host.unitWatch = .immediate
        layoutPath = memory.scratch.path("host.yaml").path
        socketPath = memory.scratch.path("uevents").path
        try layout.write(toFile: layoutPath, atomically: true, encoding: .utf8)
        let reconciler = Reconciler(
            host: host, state: memory.state, options: ApplyOptions(command: "sosplan reconcile host.yaml", trigger: "auto"), events: { _ in })
        pass = ReconcilePass(layoutPath: layoutPath, reconciler: reconciler, log: { _ in })
        pass.log = { [unowned self] line in self.lock.withLock { self.lines.append(line) } }
    }

    func remove() { memory.remove() }

    var log: [LogLine] { lock.withLock { lines } }

    /// Sends the uevent the kernel sends when `cpu` goes online or offline.
    func send(cpu: Int, _ kind: HotplugChange.Kind, seqnum given: UInt64? = nil) {
        let seq: UInt64 = lock.withLock {
            if let given { seqnum = given } else { seqnum += 1 }
            return seqnum
        }
        let event = Uevent(
            action: kind.rawValue, devpath: "/devices/system/cpu/cpu\(cpu)", subsystem: "cpu", seqnum: seq)
        #expect(UeventSocket.send(event, to: socketPath), "nobody listens on \(socketPath)")
    }

    /// Sends an event the watcher does not plan for (it wakes it up).
    func nudge(seqnum given: UInt64? = nil) {
        let seq: UInt64 = lock.withLock {
            if let given { seqnum = given } else { seqnum += 1 }
            return seqnum
        }
        UeventSocket.send(Uevent(action: "change", devpath: "/devices/virtual/misc/nudge", subsystem: "misc", seqnum: seq), to: socketPath)
    }
}

/// The watch loop on its own thread, stopped by the test.
final class RunningWatch: @unchecked Sendable {
    let loop: WatchLoop
    private let lock = NSLock()
    private var stop = false
    private var outcomes: [ReconcilePass.Outcome] = []
    private let passDone = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)

    init(_ react: ReactHost, settings: WatchLoop.Settings) throws {
        let socket = try UeventSocket.listening(at: react.socketPath)
        loop = WatchLoop(pass: react.pass, uevents: socket, layoutWatch: nil, settings: settings, log: react.pass.log)
        loop.stopWhen = { [unowned self] in self.lock.withLock { self.stop } }
        loop.afterPass = { [unowned self] outcome in
            self.lock.withLock { self.outcomes.append(outcome) }
            self.passDone.signal()
        }
        Thread.detachNewThread { [self] in
            _ = loop.run()
            finished.signal()
        }
    }

    var passes: [ReconcilePass.Outcome] { lock.withLock { outcomes } }

    /// Waits for the next pass to end; false after `timeout` seconds.
    func nextPass(timeout: Double = 10) -> Bool { passDone.wait(timeout: .now() + timeout) == .success }

    /// Stops the loop (waking it with `nudge`) and waits for it.
    func stop(_ react: ReactHost) -> Bool {
        lock.withLock { stop = true }
        react.nudge()
        return finished.wait(timeout: .now() + 5) == .success
    }
}
