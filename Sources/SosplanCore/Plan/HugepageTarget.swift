/// A `hugepages:<size>@node<N>` step target: one page size's pool on one node.
public struct HugepageTarget: Sendable, Hashable, CustomStringConvertible {
    public var sizeBytes: UInt64
    public var node: Int

    public init(sizeBytes: UInt64, node: Int) {
        self.sizeBytes = sizeBytes
        self.node = node
    }

    public init?(_ target: String) {
        guard target.hasPrefix("hugepages:") else { return nil }
        let spec = target.dropFirst("hugepages:".count)
        guard let at = spec.firstIndex(of: "@"), spec[at...].hasPrefix("@node"),
            let size = try? ByteSize.parse(String(spec[..<at])).get(),
            let node = Int(spec[spec.index(at, offsetBy: 5)...]), node >= 0
        else { return nil }
        self.init(sizeBytes: size.bytes, node: node)
    }

    public var description: String { "hugepages:\(ByteSize(sizeBytes))@node\(node)" }
}
