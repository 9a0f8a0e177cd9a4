/// Whether a saved plan (`plan -o`) may still be applied to the host as it
/// is now (Terraform's "Saved plan is stale"). A plan is fresh when the
/// host's fingerprint is the one it was made against; when only free
/// memory moved (it always does on a live host) it is still fresh if the
/// memory the plan takes is still free. Anything else makes it stale, and
/// the reasons name what changed.
public enum SavedPlanCheck {
    public enum Verdict: Sendable, Hashable {
        case fresh
        /// Only free memory moved, and what the plan takes still fits.
        case freshWithMemoryMoved
        case stale([String])
    }

    public static func check(_ plan: Plan, against now: HostSnapshot) -> Verdict {
        if plan.snapshotFingerprint == now.fingerprint { return .fresh }
        guard let prior = plan.priorSnapshot else {
            return .stale([
                "the host changed since the plan was made (fingerprint \(short(plan.snapshotFingerprint)), now \(short(now.fingerprint))); "
                    + "plans saved with 'plan -o FILE' carry their snapshot, so sosplan can name what changed",
            ])
        }
        let changes = SnapshotDifference.between(prior, now)
        if !changes.isEmpty { return .stale(changes.map(\.description)) }
        let short = memoryShortfalls(plan, now)
        return short.isEmpty ? .freshWithMemoryMoved : .stale(short)
    }

    /// Nodes where the memory the plan's steps take (enclave memory,
    /// hugepage growth) is no longer free.
    static func memoryShortfalls(_ plan: Plan, _ now: HostSnapshot) -> [String] {
        var wanted: [Int: UInt64] = [:]
        for step in plan.steps {
            switch step.action {
            case .enclaveCreate:
                for c in StepBuilder.memoryChunks(step.after["memory"]) { wanted[c.node, default: 0] += c.bytes }
            case .enclaveGrow:
                for c in StepBuilder.memoryChunks(step.after["addMemory"]) { wanted[c.node, default: 0] += c.bytes }
            case .hugepagesSet:
                guard case .hugepages(let target) = step.target, let before = step.before["count"]?.intValue,
                    let after = step.after["count"]?.intValue, after > before
                else { continue }
                wanted[target.node, default: 0] += UInt64(after - before) * target.sizeBytes
            default: continue
            }
        }
        // Memory the plan gives back first (enclaves destroyed) counts as free.
        for step in plan.steps where step.action == .enclaveDestroy {
            for c in StepBuilder.memoryChunks(step.before["memory"]) {
                wanted[c.node] = (wanted[c.node] ?? 0) > c.bytes ? wanted[c.node]! - c.bytes : 0
            }
        }
        return wanted.keys.sorted().compactMap { node in
            let free = now.topology.node(node)?.freeBytes ?? 0
            let need = wanted[node] ?? 0
            guard need > free else { return nil }
            return "node \(node): the plan takes \(ByteSize(need)) of memory there but only \(ByteSize(free)) is free now"
        }
    }

    private static func short(_ fingerprint: String) -> String {
        String(fingerprint.dropFirst("sha256:".count).prefix(12))
    }
}
