import Foundation
import SosplanCore
import SosplanDrivers
import SosplanTestSupport
import Testing
@testable import SosplanApply

/// The in-memory host with the apply engine on it: `apply` as the CLI runs
/// it, in process, and every event it reports.
final class EngineHost {
    let memory: InMemoryHost
    private(set) var host: ApplyHost!
    /// Every event of every apply, in order.
    private(set) var events: [ApplyEvent] = []

    init() throws {
        memory = try InMemoryHost()
        host = ApplyHost(
            systemd: memory.systemd, root: memory.root.path, enclaves: [memory.enclaves],
            capabilities: EnclaveCapabilities.known.merging([.pisces: memory.enclaves.capabilities]) { _, mine in mine },
            launchers: LauncherPaths(toolsDirectory: nil), stateDirectory: memory.state,
            observe: { [unowned self] names in try self.memory.observe(names) })
        host.unitWatch = .immediate
    }

    func remove() { memory.remove() }

    var systemd: InMemorySystemd { memory.systemd }
    var enclaves: InMemoryEnclaves { memory.enclaves }
    var state: StateDirectory { memory.state }
    var root: URL { memory.root }
    func snapshot() throws -> HostSnapshot { try memory.snapshot() }

    func layout(_ text: String) throws -> HostLayout {
        let decoded = LayoutDecoder.decode(text, file: "engine.yaml")
        return try #require(decoded.layout, "\(DiagnosticFormatter.text(decoded.diagnostics))")
    }

    func reconciler(crash: CrashPoint? = nil) -> Reconciler {
        var crash = crash
        crash?.simulated = true
        return Reconciler(host: host, state: state, options: ApplyOptions(command: "sosplan apply engine.yaml", crashPoint: crash)) {
            [unowned self] event in self.events.append(event)
        }
    }

    /// `sosplan apply --yes LAYOUT`, in process.
    @discardableResult
    func apply(_ text: String, crash: CrashPoint? = nil) throws -> ApplyReport {
        let reconciler = reconciler(crash: crash)
        let prepared = try reconciler.prepare(layout: try layout(text), source: JournalLayout(file: "/etc/sosplan/engine.yaml", text: text))
        return reconciler.apply(prepared)
    }

    /// The plan `apply` would carry out now.
    func plan(_ text: String) throws -> Plan {
        try reconciler().prepare(layout: try layout(text), source: JournalLayout(file: "/etc/sosplan/engine.yaml", text: text)).plan
    }

    /// The journal of an apply that did not finish.
    func interrupted() throws -> JournalContents? { try reconciler().interruptedApply() }

    /// The events whose case is `name` (`planned`, `stepFinished`...).
    func events(_ name: String) -> [ApplyEvent] {
        events.filter { "\($0)".hasPrefix(name + "(") || "\($0)" == name }
    }
}
