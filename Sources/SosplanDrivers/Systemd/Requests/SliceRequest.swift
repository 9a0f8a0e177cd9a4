import SosplanCore

/// `slice.create` / `slice.update`: a slice and the resource settings sosplan
/// manages on it. The name is any valid slice name (`sosplan-<service>.slice`
/// by default, or the one a layout names); the host slices are refused (they
/// are confined with `confineHost`).
public struct SliceRequest: Sendable, Hashable {
    public var name: String
    /// `Description=`; sosplan's default when nil.
    public var description: String?
    public var resources: ResourceControl
    /// A slice another manager owns (`kubepods.slice`, `machine.slice`):
    /// sosplan writes only a drop-in, never the slice's unit file, so the
    /// owner can still create it (the kubelet makes it a transient unit).
    public var existing: Bool

    public init(name: String, description: String? = nil, resources: ResourceControl = ResourceControl(), existing: Bool = false) {
        self.name = name
        self.description = description
        self.resources = resources
        self.existing = existing
    }
}
