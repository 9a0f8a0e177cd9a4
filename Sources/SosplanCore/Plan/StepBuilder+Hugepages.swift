extension StepBuilder {
    /// `hugepages.set` per page size and node whose pool size changes.
    mutating func buildHugepages() {
        for pool in placement.hugepages {
            let current = snapshot.topology.node(pool.node)?.hugepages(size: pool.sizeBytes)?.total ?? 0
            guard current != pool.count else { continue }
            let shrinking = pool.count < current
            var d = StepDraft(
                "hugepages:\(pool.sizeBytes)@\(pool.node)", .hugepagesSet,
                target: .hugepages(HugepageTarget(sizeBytes: pool.sizeBytes, node: pool.node)), disruption: .live,
                phase: shrinking ? .shrinkHugepages : .growHugepages, side: .other)
            d.before = ["count": .int(current)]
            d.after = ["count": .int(pool.count)]
            let bytes = UInt64(abs(current - pool.count)) * pool.sizeBytes
            if shrinking { d.releasesMemory = [MemoryChunk(node: pool.node, bytes: bytes)] } else {
                d.acquiresMemory = [MemoryChunk(node: pool.node, bytes: bytes)]
            }
            add(d)
        }
    }
}
