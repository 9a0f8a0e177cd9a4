import SosplanCommandLine
import FoundationEssentials
import Glibc
import SosplanCore
import SosplanDrivers

/// `sosplan install --layout PATH`: makes the host keep LAYOUT applied by
/// itself (a oneshot service at boot, a path unit on edits, a udev rule on
/// CPU/memory hotplug), plus completions and the manual page. Every file
/// is recorded in `<state-dir>/installed.json`; `--uninstall` removes
/// exactly those. Exit 0 done, 1 refused or failed.
struct InstallCommand: SosplanCommand {
    static let spec = CommandSpec(
        name: "install",
        abstract: "Install the systemd units and udev rule that keep a layout applied.",
        discussion: """
            Writes sosplan-reconcile.service (runs 'sosplan reconcile LAYOUT' at boot and on demand), \
            sosplan-reconcile.path (starts it when LAYOUT changes) to --unit-dir, 90-sosplan.rules \
            (starts it when a CPU or memory block goes online or offline) to --udev-dir, shell \
            completions for bash, zsh and fish, and the manual page sosplan.1. The host options given \
            here (--root, --systemd-bus, --unit-dir, --state-dir, --tools-dir) are passed on to \
            'reconcile'. Then: systemctl daemon-reload, enable --now sosplan-reconcile.path, enable \
            sosplan-reconcile.service (over the bus; --no-enable skips this) and udevadm control \
            --reload when udev runs.

            The layout must validate. Files are written atomically and recorded with their SHA-256 \
            in the state directory's installed.json; a file that exists and was not written by \
            sosplan install (or was edited since) is not replaced without --force. --uninstall \
            disables the units and removes exactly the recorded files, refusing if one was edited \
            since (--force removes it anyway). --dry-run prints each file and changes nothing.
            """,
        options: [.value("layout", "PATH", help: "The host layout to keep applied.", completion: .file)] + HostOptions.options + [
            .value("udev-dir", "DIR", help: "Where the udev rule goes.", completion: .directory, default: "/etc/udev/rules.d"),
            .value("binary", "PATH", help: "The sosplan the units run (default: this one).", completion: .file),
            .value("completions-dir", "DIR", help: "Put the bash, zsh and fish completions (sosplan, _sosplan, sosplan.fish) in DIR instead of the shells' vendor directories.", completion: .directory),
            .value("man-dir", "DIR", help: "Where the manual page sosplan.1 goes.", completion: .directory, default: "/usr/local/share/man/man1"),
            .value("metrics", "FILE", help: "Have each reconcile write Prometheus textfile metrics to FILE.", completion: .file),
            .flag("dry-run", help: "Print each file's path and content; change nothing."),
            .flag("uninstall", help: "Disable the units and remove the files an earlier install wrote."),
            .flag("no-enable", help: "Write the files only: no daemon-reload, enable or start."),
            .flag("force", help: "Replace (or remove) files sosplan install did not write or that were edited since."),
        ])

    var layout: String?
    var host: HostOptions
    var udevDir: String
    var binary: String?
    var completionsDir: String?
    var manDir: String
    var metrics: String?
    var dryRun: Bool
    var uninstall: Bool
    var noEnable: Bool
    var force: Bool

    init(_ p: ParsedCommand) {
        layout = p.value("layout")
        host = HostOptions(p)
        udevDir = p.valueOrDefault("udev-dir")
        binary = p.value("binary")
        completionsDir = p.value("completions-dir")
        manDir = p.valueOrDefault("man-dir")
        metrics = p.value("metrics")
        dryRun = p.flag("dry-run")
        uninstall = p.flag("uninstall")
        noEnable = p.flag("no-enable")
        force = p.flag("force")
    }

    func validate() throws {
        try host.validate()
        if !uninstall && layout == nil { throw UsageError("install needs --layout PATH (the layout to keep applied)") }
    }

    /// The places given (or the default ones) for each file.
    var installTargets: InstallTargets {
        var targets = InstallTargets(
            unitDir: InstallTargets.absolute(host.unitDir), udevDir: InstallTargets.absolute(udevDir),
            manDir: InstallTargets.absolute(manDir))
        if let dir = completionsDir.map(InstallTargets.absolute) {
            (targets.bashCompletionDir, targets.zshCompletionDir, targets.fishCompletionDir) = (dir, dir, dir)
        }
        return targets
    }

    var manifestPath: String { InstallTargets.absolute(host.stateDir) + "/" + InstallManifest.fileName }

    func run() throws {
        if !dryRun && host.observesLiveMachine && geteuid() != 0 {
            throw Failure.report(
                "install writes systemd units, a udev rule and files under /usr, and needs root",
                hint: "run it with sudo, or look first: sosplan install --dry-run --layout \(layout ?? "LAYOUT")")
        }
        if !dryRun {
            do { try host.stateDirectory.checkWritable() } catch { throw Failure.report(error.description, hint: error.hint) }
        }
        if uninstall { try runUninstall() } else { try runInstall() }
    }

    // MARK: install

    func runInstall() throws {
        let layoutPath = InstallTargets.absolute(layout ?? "")
        _ = try LayoutInput.load(layoutPath)
        let settings = InstallFiles.Settings(
            binary: try executable(), layout: layoutPath, reconcileArguments: reconcileArguments())
        let targets = installTargets
        let files = try targets.files(settings)

        if dryRun {
            for f in files { Terminal.out("# \(f.path)\n" + String(decoding: f.bytes, as: UTF8.self) + "\n") }
            Terminal.out("# records them in \(manifestPath)\n")
            if !noEnable {
                Terminal.out("# then: daemon-reload, enable \(InstallFiles.pathUnitName) \(InstallFiles.serviceName), start \(InstallFiles.pathUnitName)\n")
            }
            return
        }
        // Reach systemd before writing anything, so that a missing bus leaves no half-install.
        let systemd = noEnable ? nil : try connect()
        let report: InstalledFiles.InstallReport
        do {
            report = try InstalledFiles.install(
                files, manifestPath: manifestPath, layout: layoutPath, binary: settings.binary, enabled: systemd != nil, force: force,
                removable: targets.removable)
        } catch {
            throw Failure.report(error.description, hint: error.hint)
        }
        for p in report.written { Terminal.out("wrote \(p)\n") }
        for p in report.unchanged { Terminal.out("unchanged \(p)\n") }
        for p in report.removedStale { Terminal.out("removed \(p) (an earlier install's)\n") }
        for p in report.keptStale { Terminal.err("warning: left \(p): an earlier install wrote it and it was edited since\n") }
        for p in report.outsideStale {
            Terminal.err("warning: left \(p): an earlier install recorded it, but it is not in a place install writes to now; remove it yourself if it is sosplan's\n")
        }
        Terminal.out("recorded in \(manifestPath)\n")

        if let systemd {
            let pathFile = "\(targets.unitDir)/\(InstallFiles.pathUnitName)"
            do {
                let changes = try ReconcileUnits(systemd: systemd).enable(pathUnitRewritten: report.written.contains(pathFile))
                for change in changes { Terminal.out("\(change)\n") }
            } catch {
                throw Failure.report(
                    "the files are installed, but systemd did not take them: \(error)",
                    hint: "check with 'systemctl status \(InstallFiles.pathUnitName)'; --uninstall removes the files")
            }
            Terminal.out("enabled \(InstallFiles.pathUnitName) (started) and \(InstallFiles.serviceName)\n")
            reloadUdev(touched: files.map(\.path))
            Terminal.out("reconcile now with: systemctl start \(InstallFiles.serviceName)\n")
        }
    }

    /// `reconcile`'s options: the state directory always, the other host
    /// options when given (here or in SOSPLAN_* variables), and --metrics.
    func reconcileArguments() -> [String] {
        var args = ["--state-dir", InstallTargets.absolute(host.stateDir)]
        if let root = host.root { args += ["--root", InstallTargets.absolute(root)] }
        if let bus = host.systemdBus { args += ["--systemd-bus", bus] }
        if host.noSystemd { args.append("--no-systemd") }
        if host.unitDir != "/etc/systemd/system" { args += ["--unit-dir", InstallTargets.absolute(host.unitDir)] }
        if let tools = host.toolsDir { args += ["--tools-dir", InstallTargets.absolute(tools)] }
        if let metrics { args += ["--metrics", InstallTargets.absolute(metrics)] }
        return args
    }

    /// `--binary`, or the executable running now with symbolic links resolved.
    func executable() throws -> String {
        let path: String
        if let binary {
            path = InstallTargets.absolute(binary)
        } else {
            guard let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else {
                throw Failure.report("cannot tell where this sosplan is", hint: "pass --binary PATH")
            }
            path = exe
        }
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw Failure.report("\(path) is not an executable file", hint: "--binary names the sosplan the units run")
        }
        return path
    }

    // MARK: uninstall

    func runUninstall() throws {
        let manifest: InstallManifest
        do {
            guard let m = try InstalledFiles.readManifest(manifestPath) else {
                Terminal.out("nothing to uninstall: no \(manifestPath)\n")
                return
            }
            manifest = m
        } catch {
            throw Failure.report(error.description, hint: error.hint)
        }
        let removable = installTargets.removable
        let check = InstalledFiles.uninstallCheck(manifest, force: force, removable: removable)
        if dryRun {
            for p in check.remove { Terminal.out("would remove \(p)\n") }
            for p in check.missing { Terminal.out("already gone: \(p)\n") }
            for r in check.refused { Terminal.out("refuses: \(r)\n") }
            return
        }
        if !check.refused.isEmpty {
            throw Failure.report(
                "not uninstalling: " + check.refused.joined(separator: "; "),
                hint: InstalledFiles.refusalHint(outside: !check.outside.isEmpty))
        }
        let units = [InstallFiles.pathUnitName, InstallFiles.serviceName].filter { name in
            manifest.files.contains { $0.path.hasSuffix("/" + name) }
        }
        let systemd = noEnable || units.isEmpty || manifest.enabled == false ? nil : try connect()
        if let systemd {
            do {
                for change in try ReconcileUnits(systemd: systemd).disable(units) { Terminal.out("\(change)\n") }
            } catch {
                throw Failure.report("cannot disable \(units.joined(separator: ", ")): \(error)", hint: "nothing was removed")
            }
        }
        let report: InstalledFiles.UninstallReport
        do {
            report = try InstalledFiles.uninstall(manifest, manifestPath: manifestPath, force: force, removable: removable)
        } catch {
            throw Failure.report(error.description, hint: error.hint)
        }
        for p in report.removed { Terminal.out("removed \(p)\n") }
        for p in report.missing { Terminal.out("already gone: \(p)\n") }
        if let systemd {
            do { try ReconcileUnits(systemd: systemd).forgetRemovedFiles() } catch {
                Terminal.err("warning: daemon-reload failed: \(error)\n")
            }
        }
        reloadUdev(touched: report.removed)
    }

    // MARK: systemd and udev

    func connect() throws -> SDBusSystemdDriver {
        do {
            return try SDBusSystemdDriver(busAddress: host.systemdBus, unitDirectory: URL(fileURLWithPath: host.unitDir))
        } catch {
            throw Failure.report(
                "cannot reach systemd, so nothing was changed: \(error)",
                hint: "--no-enable writes (or removes) the files only; --systemd-bus ADDRESS names another systemd")
        }
    }

    func reloadUdev(touched paths: [String]) {
        switch UdevControl.reloadIfRulesChanged(paths) {
        case .noRule: break
        case .notRunning(let rule): Terminal.out("udev is not running here; it reads \(rule) when it starts\n")
        case .reloaded: Terminal.out("reloaded udev's rules\n")
        case .failed(let problem): Terminal.err("warning: \(problem)\n")
        }
    }
}
