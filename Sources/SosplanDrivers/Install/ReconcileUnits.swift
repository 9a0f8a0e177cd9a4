import SosplanCore

/// What `sosplan install` asks of systemd once its files are written, and
/// `install --uninstall` before it removes them: the order of
/// daemon-reloads, links and jobs that makes systemd take the reconcile
/// units (or let go of them), over the driver's one connection.
public struct ReconcileUnits {
    public let systemd: SDBusSystemdDriver

    public init(systemd: SDBusSystemdDriver) { self.systemd = systemd }

    /// daemon-reload, enable the path unit and the service, daemon-reload
    /// again, then start the path unit: restarted when its file was
    /// rewritten (a running path unit keeps watching the old layout).
    /// Returns what enabling changed (`symlink A -> B` lines).
    public func enable(pathUnitRewritten: Bool) throws(SystemdError) -> [String] {
        try systemd.reloadDaemon()
        let changes = try systemd.enableUnitFiles([InstallFiles.pathUnitName, InstallFiles.serviceName])
        try systemd.reloadDaemon()
        if pathUnitRewritten {
            try systemd.restartUnit(InstallFiles.pathUnitName)
        } else {
            try systemd.startUnit(InstallFiles.pathUnitName)
        }
        return changes
    }

    /// Stops the path unit (when it was installed) and disables `units`;
    /// returns what disabling changed.
    public func disable(_ units: [String]) throws(SystemdError) -> [String] {
        if units.contains(InstallFiles.pathUnitName) { try systemd.stopUnit(InstallFiles.pathUnitName) }
        return try systemd.disableUnitFiles(units)
    }

    /// daemon-reload once the files are gone.
    public func forgetRemovedFiles() throws(SystemdError) { try systemd.reloadDaemon() }
}
