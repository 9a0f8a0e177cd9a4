/// The host's own units that `host.confine` restricts to the host CPUs.
public enum HostUnits {
    public static let names = ["init.scope", "system.slice", "user.slice"]
    /// Slices sosplan never creates, removes or uses for a service.
    /// (`machine.slice` is systemd's too, but a layout may confine it as
    /// another manager's existing slice: then sosplan writes only a drop-in.)
    public static let reservedSlices: Set<String> = ["-.slice", "system.slice", "user.slice"]
}
