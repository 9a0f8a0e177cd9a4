/// The host's own units that `host.confine` restricts to the host CPUs.
public enum HostUnits {
    public static let names = ["init.scope", "system.slice", "user.slice"]
    /// Slices sosplan never creates, removes or uses for a service.
    public static let reservedSlices: Set<String> = ["-.slice", "system.slice", "user.slice", "machine.slice"]
}
