/// `slice.create` / `slice.update`: a slice and the resource settings sosplan
/// manages on it. The name is any valid slice name (`sosplan-<service>.slice`
/// by default, or the one a layout names); the host slices are refused (they
/// are confined with `confineHost`).
public struct SliceRequest: Sendable, Hashable {
    public var name: String
    /// `Description=`; sosplan's default when nil.
    public var description: String?
    public var resources: ResourceControl

    public init(name: String, description: String? = nil, resources: ResourceControl = ResourceControl()) {
        self.name = name
        self.description = description
        self.resources = resources
    }
}
