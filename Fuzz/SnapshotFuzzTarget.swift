import SosplanCore

/// Saved snapshots (`observe -o`, `plan --snapshot`): reading never
/// crashes; a snapshot that reads is one the planner, the ownership
/// picture and the difference report can use without crashing.
struct SnapshotFuzzTarget: FuzzTarget {
    nonisolated(unsafe) static var layouts: [HostLayout] = []

    func prepare() {
        for name in ["minimal", "hpc-mckernel", "elastic-mixed"] {
            let result = LayoutDecoder.decode(FuzzCheck.read("Examples/\(name).yaml"), file: name)
            guard let layout = result.layout else {
                FuzzCheck.require(false, "Examples/\(name).yaml does not decode")
                return
            }
            Self.layouts.append(layout)
        }
    }

    func run(_ bytes: [UInt8]) {
        guard let snapshot = try? HostSnapshot.decode(json: String(decoding: bytes, as: UTF8.self)) else { return }
        _ = CPUOwnership.observed(snapshot)
        FuzzCheck.require(SnapshotDifference.between(snapshot, snapshot).isEmpty, "a snapshot differs from itself")
        FuzzCheck.require((try? HostSnapshot.decode(json: snapshot.jsonText())) != nil, "a snapshot's own JSON does not read back")
        for layout in Self.layouts {
            let planned = Planner(layout: layout, snapshot: snapshot, capabilities: LayoutFuzzTarget.capabilities).plan()
            FuzzCheck.require((planned.plan == nil) == planned.diagnostics.hasErrors, "a plan with errors, or none without")
            if let plan = planned.plan { _ = PlanFormatter.text(plan) }
        }
    }
}
