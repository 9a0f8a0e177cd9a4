import SosplanCore

/// What one driver operation did to one unit, and the unit's state observed
/// afterwards. An operation that found everything as requested has no
/// actions (`changed == false`), so a second identical call reports a no-op.
public struct SystemdChange: Sendable, Hashable {
    public enum Action: Sendable, Hashable, CustomStringConvertible {
        case wroteFile(String)
        case removedFile(String)
        case enabled(String)
        case disabled(String)
        /// `Reload` (daemon-reload) after file changes.
        case reloaded
        /// `SetUnitProperties(runtime=true)` of these properties.
        case setRuntime([String])
        /// `SetUnitProperties(runtime=false)` of these properties.
        case setPersistent([String])
        case started
        case restarted
        case stopped

        public var description: String {
            switch self {
            case .wroteFile(let p): return "wrote \(p)"
            case .removedFile(let p): return "removed \(p)"
            case .enabled(let p): return "linked \(p)"
            case .disabled(let p): return "unlinked \(p)"
            case .reloaded: return "reloaded systemd"
            case .setRuntime(let names): return "set \(names.joined(separator: ", ")) (runtime)"
            case .setPersistent(let names): return "set \(names.joined(separator: ", "))"
            case .started: return "started"
            case .restarted: return "restarted"
            case .stopped: return "stopped"
            }
        }
    }

    public var unit: String
    public var actions: [Action]
    /// The disruption that actually happened: `none` for a no-op, `live` for
    /// cgroup settings applied to running units, `restart` when the unit was
    /// restarted or stopped.
    public var disruption: Disruption
    /// The unit as systemd reports it after the change.
    public var state: SystemdUnit

    public init(unit: String, actions: [Action] = [], disruption: Disruption = .none, state: SystemdUnit) {
        self.unit = unit
        self.actions = actions
        self.disruption = disruption
        self.state = state
    }

    public var changed: Bool { !actions.isEmpty }
}
