import SosplanCore

/// sosplan's drop-in for `irqbalance.service`: `IRQBALANCE_BANNED_CPULIST`
/// (irqbalance 1.8 and later; 1.9 discards the older hex
/// `IRQBALANCE_BANNED_CPUS`, as Debian 12's `irqbalance` prints). A value
/// in `/etc/default/irqbalance` (the unit's `EnvironmentFile=`) overrides
/// `Environment=`, so one set there wins over sosplan's.
public enum IRQBalanceDropIn {
    public static let unit = KernelObject.irqbalanceUnit
    public static let variable = "IRQBALANCE_BANNED_CPULIST"

    public static func file(banning cpus: CPUSet) throws(SystemdError) -> UnitFile {
        let name = try UnitName(unit)
        return UnitFile(header: ManagedUnitFiles.header, sections: [
            UnitFile.Section("Unit", [.init(ManagedUnitFiles.markerKey, ManagedFileKind.irqbalanceBan.rawValue)]),
            UnitFile.Section(name.type.section, [.init("Environment", "\(variable)=\(cpus.description)")]),
        ])
    }

    /// The drop-in's path relative to the unit directory.
    public static var relativePath: String { "\(unit).d/\(ManagedFileKind.irqbalanceBan.dropInName!)" }

    /// The CPUs sosplan's drop-in in `directory` bans; nil when there is none
    /// (or it is not sosplan's).
    public static func ban(in directory: UnitDirectory) -> CPUSet? {
        guard case .managed(_, let text)? = try? directory.state(relativePath) else { return nil }
        return bannedCPUs(in: text)
    }

    /// The banned CPUs a drop-in sosplan wrote gives; nil for anything else.
    public static func bannedCPUs(in text: String) -> CPUSet? {
        guard ManagedUnitFiles.kind(of: text) == .irqbalanceBan else { return nil }
        let parsed = UnitFile.parse(text)
        guard let value = parsed.value("Environment", in: "Service"), value.hasPrefix(variable + "=") else { return nil }
        return try? CPUSet(lenientList: String(value.dropFirst(variable.count + 1)))
    }
}
