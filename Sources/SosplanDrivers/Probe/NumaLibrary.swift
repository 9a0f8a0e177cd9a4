import CNuma
import SosplanCore

/// The libnuma calls the NUMA probe makes, as replaceable functions: tests
/// inject a library whose `numa_available()` says -1 (a kernel without NUMA
/// support, or a seccomp filter refusing `get_mempolicy`) or whose answers
/// differ from sysfs. Only libnuma's functions are used, never its C globals
/// (`numa_all_nodes_ptr` is not concurrency-safe under Swift 6).
public struct NumaLibrary: Sendable {
    /// `numa_available()`: -1 when NUMA is not supported; nothing else may
    /// be called then.
    public var available: @Sendable () -> Int32
    /// `numa_max_node()`: the highest node id.
    public var maxNode: @Sendable () -> Int32
    /// `numa_node_size64(node, &free)`: total and free bytes, nil for a node
    /// that does not exist (a hole in sparse node ids).
    public var nodeSize: @Sendable (Int32) -> (total: UInt64, free: UInt64)?
    /// `numa_node_to_cpus(node, mask)`: nil when libnuma fails.
    public var nodeCPUs: @Sendable (Int32) -> CPUSet?
    /// `numa_distance(a, b)`: 0 when the kernel has no distance table.
    public var distance: @Sendable (Int32, Int32) -> Int32
    /// Why the library could not be opened (it is opened on first use, see
    /// CNuma), nil once it is; nothing else may be called then.
    public var loadError: @Sendable () -> String?

    public init(
        available: @escaping @Sendable () -> Int32, maxNode: @escaping @Sendable () -> Int32,
        nodeSize: @escaping @Sendable (Int32) -> (total: UInt64, free: UInt64)?,
        nodeCPUs: @escaping @Sendable (Int32) -> CPUSet?, distance: @escaping @Sendable (Int32, Int32) -> Int32,
        loadError: @escaping @Sendable () -> String? = { nil }
    ) {
        self.loadError = loadError
        self.available = available
        self.maxNode = maxNode
        self.nodeSize = nodeSize
        self.nodeCPUs = nodeCPUs
        self.distance = distance
    }

    /// The system's libnuma.
    public static let system = NumaLibrary(
        available: { numa_available() },
        maxNode: { numa_max_node() },
        nodeSize: { node in
            var free: Int64 = 0
            let total = numa_node_size64(node, &free)
            guard total >= 0 else { return nil }
            return (UInt64(total), UInt64(max(free, 0)))
        },
        nodeCPUs: { node in
            guard let mask = numa_allocate_cpumask() else { return nil }
            defer { numa_bitmask_free(mask) }
            guard numa_node_to_cpus(node, mask) == 0 else { return nil }
            // maskp holds size bits in unsigned longs (64-bit here).
            let words = (Int(mask.pointee.size) + 63) / 64
            return CPUSet(words: (0..<words).map { UInt64(mask.pointee.maskp[$0]) })
        },
        distance: { numa_distance($0, $1) },
        loadError: { sosplan_numa_load_error().map { String(cString: $0) } })
}
