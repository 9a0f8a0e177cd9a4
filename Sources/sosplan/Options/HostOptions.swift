import ArgumentParser

/// Where the host state comes from and where sosplan keeps its own state;
/// shared by `observe`, `plan` and `show`.
struct HostOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Read /sys and /proc under DIR instead of / (e.g. a snapshot folder).", valueName: "DIR"))
    var root: String?

    @Option(name: .long, help: ArgumentHelp("Address of systemd's bus (default: the system bus, or $DBUS_SYSTEM_BUS_ADDRESS).", valueName: "ADDRESS"))
    var systemdBus: String?

    @Flag(name: .long, help: "Do not read systemd's state.")
    var noSystemd = false

    @Option(name: .long, help: ArgumentHelp("Directory for unit files and drop-ins.", valueName: "DIR"))
    var unitDir: String = "/etc/systemd/system"

    @Option(name: .long, help: ArgumentHelp("sosplan's state: caches, enclave registry, journal, lock.", valueName: "DIR"))
    var stateDir: String = "/var/lib/sosplan"

    @Option(name: .long, help: ArgumentHelp("Find co-kernel tools (ihkconfig, ihkosctl, pisces_*, lwkctl) in DIR instead of $PATH.", valueName: "DIR"))
    var toolsDir: String?
}
