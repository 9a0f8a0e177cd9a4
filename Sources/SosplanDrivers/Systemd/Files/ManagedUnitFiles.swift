import SosplanCore

/// What a file sosplan wrote is for; the raw value is the value of the
/// `X-Sosplan-Managed=` marker key in its `[Unit]` section (systemd ignores
/// `X-` keys), which is how sosplan recognises its own files.
public enum ManagedFileKind: String, Sendable, CaseIterable {
    /// A slice unit file sosplan created: `<slice>`.
    case slice
    /// Settings on a slice defined elsewhere: `<slice>.d/40-sosplan-properties.conf`.
    case sliceProperties = "slice-properties"
    /// `Slice=` for an existing unit: `<unit>.d/40-sosplan-placement.conf`.
    case placement
    /// The unit file of an `exec:` service: `sosplan-<name>.service`.
    case execUnit = "exec-unit"
    /// The unit file of a `container:` service (podman): `sosplan-<name>.service`.
    case containerUnit = "container-unit"
    /// `AllowedCPUs=` on a host slice: `<unit>.d/40-sosplan-confine.conf`.
    case confinement
    /// irqbalance's banned CPUs: `irqbalance.service.d/40-sosplan-irqbalance.conf`.
    case irqbalanceBan = "irqbalance-ban"

    /// The drop-in file name, or nil for whole unit files. The `40-` prefix
    /// sorts before `50-` (`systemctl set-property`) and `override.conf`, so
    /// an operator's explicit override is never masked by sosplan; observe
    /// then shows the effective value and the plan the drift.
    public var dropInName: String? {
        switch self {
        case .slice, .execUnit, .containerUnit: return nil
        case .sliceProperties: return "40-sosplan-properties.conf"
        case .placement: return "40-sosplan-placement.conf"
        case .confinement: return "40-sosplan-confine.conf"
        case .irqbalanceBan: return "40-sosplan-irqbalance.conf"
        }
    }

    /// The path of this kind of file for `unit`, relative to the unit directory.
    public func relativePath(for unit: UnitName) -> String {
        dropInName.map { "\(unit.rawValue).d/\($0)" } ?? unit.rawValue
    }
}

/// Renders every file sosplan writes. All names are validated `UnitName`s
/// and all values go through `UnitFileValue`, so nothing reaches a unit file
/// by string pasting.
public enum ManagedUnitFiles {
    public static let markerKey = "X-Sosplan-Managed"

    static let header = [
        "Managed by sosplan (X-Sosplan-Managed=): rewritten or removed on apply; do not edit.",
        "Override settings in a later drop-in (e.g. override.conf) instead.",
    ]

    /// The marker kind of a file's text, or nil if sosplan did not write it.
    public static func kind(of text: String) -> ManagedFileKind? { kind(of: text.utf8) }

    /// The marker kind of a file's bytes, as `UnitFile.parse` would find it.
    public static func kind<Bytes: Collection<UInt8>>(of bytes: Bytes) -> ManagedFileKind? {
        UnitFile.lastValue(of: markerKey, in: "Unit", bytes: bytes).flatMap(ManagedFileKind.init(rawValue:))
    }

    private static func unitSection(_ kind: ManagedFileKind, description: String? = nil) throws(SystemdError) -> UnitFile.Section {
        var entries: [UnitFile.Entry] = []
        if let description { entries.append(.init("Description", try UnitFileValue.text(description, field: "description"))) }
        entries.append(.init(markerKey, kind.rawValue))
        return UnitFile.Section("Unit", entries)
    }

    /// A slice unit file (`kind == .slice`) or a drop-in on a slice defined
    /// elsewhere (`kind == .sliceProperties`, no description).
    public static func slice(_ request: SliceRequest, kind: ManagedFileKind) throws(SystemdError) -> UnitFile {
        let name = try sliceName(request.name, field: "slice")
        let description = kind == .slice ? (request.description ?? "sosplan slice \(shortName(name))") : nil
        let settings = try request.resources.unitFileEntries(field: "slice \(name)")
        return UnitFile(header: header, sections: [
            try unitSection(kind, description: description),
            UnitFile.Section("Slice", settings.map { UnitFile.Entry($0.0, $0.1) }),
        ])
    }

    /// The drop-in that moves an existing unit into `slice`.
    public static func placement(unit: UnitName, slice: UnitName) throws(SystemdError) -> UnitFile {
        UnitFile(header: header, sections: [
            try unitSection(.placement),
            UnitFile.Section(unit.type.section, [.init("Slice", slice.rawValue)]),
        ])
    }

    /// The unit file of an `exec:` service.
    public static func execUnit(_ request: ExecUnitRequest) throws(SystemdError) -> UnitFile {
        let name = try execUnitName(request.name)
        let slice = try sliceName(request.slice, field: "\(name).slice")
        let command = try UnitFileValue.execCommandLine(request.arguments, field: "\(name).exec")
        let settings = try request.resources.unitFileEntries(field: "\(name)")
        // A launcher that returns once its job runs elsewhere (pisces_run) is a
        // oneshot that stays active: active means launched.
        var service: [UnitFile.Entry] = request.returnsAtLaunch
            ? [.init("Type", "oneshot"), .init("RemainAfterExit", "yes")]
            : [.init("Type", "exec")]
        service += [
            .init("ExecStart", command),
            .init("Slice", slice.rawValue),
            .init("Restart", "on-failure"),
        ]
        service += settings.map { UnitFile.Entry($0.0, $0.1) }
        // Typed values only: a policy name of systemd's and a node list ("0-3,8").
        if let policy = request.numaPolicy {
            service.append(.init("NUMAPolicy", policy.kind.rawValue))
            if !policy.nodes.isEmpty { service.append(.init("NUMAMask", policy.nodes.description)) }
        }
        return UnitFile(header: header, sections: [
            try unitSection(.execUnit, description: request.description ?? "sosplan service \(shortName(name))"),
            UnitFile.Section("Service", service),
            UnitFile.Section("Install", [.init("WantedBy", "multi-user.target")]),
        ])
    }

    /// The unit file of a `container:` service, in the shape Quadlet
    /// generates: podman starts the container and leaves, conmon (its
    /// monitor) is the main process and tells systemd when it runs
    /// (`Type=notify`); the container's processes live below the unit's
    /// cgroup (`--cgroups=split`, `Delegate=yes`); stopping the unit removes
    /// the container. Every argument is quoted for `ExecStart=` (no `%`
    /// specifier or `$` expansion, no shell).
    public static func containerUnit(_ request: ContainerUnitRequest) throws(SystemdError) -> UnitFile {
        let name = try execUnitName(request.name)
        let slice = try sliceName(request.slice, field: "\(name).slice")
        guard ContainerSpec.isContainerName(request.containerName) else {
            throw .invalidName(field: "\(name).container", name: request.containerName, reason: "a container name is sosplan-<service>")
        }
        let command = try UnitFileValue.execCommandLine(request.arguments, field: "\(name).exec")
        let podman = request.arguments[0]
        let stop = try UnitFileValue.execCommandLine([podman, "rm", "--force", "--ignore", "--time=10", request.containerName], field: "\(name).stop")
        let cleanup = try UnitFileValue.execCommandLine([podman, "rm", "--force", "--ignore", request.containerName], field: "\(name).stop")
        var service: [UnitFile.Entry] = [
            .init("Type", "notify"),
            .init("NotifyAccess", "all"),
            .init("Delegate", "yes"),
            .init("KillMode", "mixed"),
            .init("Environment", try UnitFileValue.environment("PODMAN_SYSTEMD_UNIT", name.rawValue, field: "\(name).environment")),
        ]
        for (key, value) in request.environment {
            service.append(.init("Environment", try UnitFileValue.environment(key, value, field: "\(name).environment")))
        }
        service += [
            .init("ExecStart", command),
            .init("ExecStop", stop),
            // "-": a container that is already gone is no failure.
            .init("ExecStopPost", "-" + cleanup),
            .init("Slice", slice.rawValue),
            .init("Restart", "on-failure"),
        ]
        return UnitFile(header: header, sections: [
            try unitSection(.containerUnit, description: request.description ?? "sosplan container \(shortName(name))"),
            UnitFile.Section("Service", service),
            UnitFile.Section("Install", [.init("WantedBy", "multi-user.target")]),
        ])
    }

    /// The drop-in that confines a host unit to `cpus`.
    public static func confinement(unit: UnitName, cpus: CPUSet) throws(SystemdError) -> UnitFile {
        let settings = try ResourceControl(allowedCPUs: cpus).unitFileEntries(field: "host.confine \(unit)")
        return UnitFile(header: header, sections: [
            try unitSection(.confinement),
            UnitFile.Section(unit.type.section, settings.map { UnitFile.Entry($0.0, $0.1) }),
        ])
    }

    /// `sosplan-web.slice` -> `web` (for default descriptions).
    static func shortName(_ unit: UnitName) -> String {
        var s = Substring(unit.rawValue.dropLast(unit.type.rawValue.count + 1))
        if s.hasPrefix("sosplan-") { s = s.dropFirst("sosplan-".count) }
        return String(s)
    }

    /// A slice name sosplan may create or fill: valid, `.slice`, not a host slice.
    public static func sliceName(_ name: String, field: String) throws(SystemdError) -> UnitName {
        let unit = try UnitName(name, field: field)
        guard unit.type == .slice else { throw .invalidName(field: field, name: name, reason: "a slice name must end in .slice") }
        if HostUnits.reservedSlices.contains(name) {
            throw .invalidName(field: field, name: name, reason: "\(name) belongs to the host; sosplan confines it with host.confine but never uses it for a service")
        }
        return unit
    }

    /// A unit name sosplan may create for an `exec:` service.
    public static func execUnitName(_ name: String) throws(SystemdError) -> UnitName {
        let unit = try UnitName(name, field: "unit")
        guard unit.type == .service, name.hasPrefix("sosplan-") else {
            throw .invalidName(field: "unit", name: name, reason: "units sosplan creates are named sosplan-<service>.service")
        }
        return unit
    }
}
