/// What `sosplan install` writes to make a host reconcile by itself: a
/// oneshot service that runs `sosplan reconcile LAYOUT` (at boot, since
/// the kernel forgets hugepages, offline CPUs and enclaves), a path unit
/// that starts it when the layout changes, and a udev rule that starts it
/// when a CPU or memory block goes online or offline. Pure rendering: every
/// path and argument is validated and escaped here, nothing is written.
public enum InstallFiles {
    public static let serviceName = "sosplan-reconcile.service"
    public static let pathUnitName = "sosplan-reconcile.path"
    public static let udevRuleName = "90-sosplan.rules"

    public struct Settings: Sendable, Hashable {
        /// The `sosplan` executable the units run (absolute).
        public var binary: String
        /// The layout to keep applied (absolute).
        public var layout: String
        /// Options passed to `reconcile` before the layout (`--state-dir DIR`,
        /// the host options...), one argument per element.
        public var reconcileArguments: [String]
        /// `systemctl` as udev runs it.
        public var systemctl: String

        public init(binary: String, layout: String, reconcileArguments: [String] = [], systemctl: String = "/bin/systemctl") {
            self.binary = binary
            self.layout = layout
            self.reconcileArguments = reconcileArguments
            self.systemctl = systemctl
        }
    }

    /// A rendered file: its name in its directory and its text.
    public struct File: Sendable, Hashable {
        public var name: String
        public var text: String
    }

    /// The service, the path unit and the udev rule, in that order.
    public static func render(_ s: Settings) throws(UnitFileQuoting.Refusal) -> [File] {
        [File(name: serviceName, text: try service(s)), File(name: pathUnitName, text: try pathUnit(s)),
         File(name: udevRuleName, text: try udevRule(s))]
    }

    public static func service(_ s: Settings) throws(UnitFileQuoting.Refusal) -> String {
        try UnitFileQuoting.checkAbsolutePath(s.binary, field: "--binary")
        try UnitFileQuoting.checkAbsolutePath(s.layout, field: "--layout")
        let exec = try UnitFileQuoting.execCommandLine(
            [s.binary, "reconcile"] + s.reconcileArguments + [s.layout], field: "ExecStart", programField: "--binary")
        return """
            # Written by 'sosplan install': keeps this host as its layout says. Runs at boot
            # (the kernel forgets hugepages, offline CPUs and enclaves), when the layout changes
            # (\(pathUnitName)) and when a CPU or memory block goes online or offline
            # (\(udevRuleName)). Remove with 'sosplan install --uninstall'.
            [Unit]
            Description=Reconcile this host with its sosplan layout
            Documentation=man:sosplan(1)
            After=local-fs.target systemd-modules-load.service
            # A hotplug burst starts this unit many times in a row; a start limit would
            # leave it (and the path unit) failed, so there is none.
            StartLimitIntervalSec=0

            [Service]
            Type=oneshot
            ExecStart=\(exec)
            SyslogIdentifier=sosplan

            [Install]
            WantedBy=multi-user.target

            """
    }

    /// `PathChanged=` fires once a writer closes the file, and on renames
    /// into place (editors that replace the file); `PathModified=` would fire
    /// on the first write of an edit, or on the truncation before it, and
    /// reconcile would then read a half-written layout.
    public static func pathUnit(_ s: Settings) throws(UnitFileQuoting.Refusal) -> String {
        let layout = try UnitFileQuoting.pathSetting(s.layout, field: "--layout")
        return """
            # Written by 'sosplan install': reconciles when the layout changes. systemd drops the
            # watch while the service runs; reconcile checks the file again before it exits.
            [Unit]
            Description=Reconcile this host when its sosplan layout changes
            Documentation=man:sosplan(1)

            [Path]
            PathChanged=\(layout)
            Unit=\(serviceName)

            [Install]
            WantedBy=paths.target

            """
    }

    /// `RUN+=` because `SYSTEMD_WANTS` does not fire when a CPU or memory
    /// block that already exists goes online or offline; `--no-block` so
    /// udev does not wait (it kills what a rule leaves running).
    public static func udevRule(_ s: Settings) throws(UnitFileQuoting.Refusal) -> String {
        let run = [try UnitFileQuoting.udevWord(s.systemctl, field: "systemctl"), "--no-block", "start", serviceName]
            .joined(separator: " ")
        guard s.systemctl.hasPrefix("/") else {
            throw UnitFileQuoting.Refusal(field: "systemctl", value: s.systemctl, reason: "it must be an absolute path")
        }
        return """
            # Written by 'sosplan install': reconciles when a CPU or memory block goes online or
            # offline (sosplan's own enclave steps cause such events too; a reconcile that finds
            # nothing to do changes nothing).
            SUBSYSTEM=="cpu", ACTION=="online|offline", RUN+="\(run)"
            SUBSYSTEM=="memory", ACTION=="online|offline", RUN+="\(run)"

            """
    }
}
