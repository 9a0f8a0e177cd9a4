extension StepBuilder {
    /// The kubelet's restart around every other step: stop it first (when
    /// it runs), remove its CPU manager's state file, make the plan's
    /// changes, start it last. The kubelet slice's own steps are labelled
    /// disruptive: pods on the node lose their pinned CPUs.
    mutating func addKubeletRestart(unit: String, running: Bool, state: KubeletObservation.CPUManagerState, reason: String) {
        let others = Set(drafts.map(\.key))
        var clear = StepDraft(
            "kubelet:cpu-state", .kubeletClearCPUState, target: .file(state.file), disruption: .restart,
            phase: .releaseUnits, side: .other, reason: "its CPUs change; the kubelet writes a new one when it starts")
        clear.before = ["Unit": .string(unit), "policyName": .string(state.policyName), "cpus": .string(state.cpus.description)]
        if running {
            var stop = StepDraft(
                "kubelet:stop", .kubeletStop, target: .unit(unit), disruption: .restart, phase: .releaseUnits, side: .other,
                reason: reason)
            stop.before = ["ActiveState": .string("active")]
            stop.after = ["ActiveState": .string("inactive")]
            add(stop)
            clear.after_ = [stop.key]
        }
        add(clear)
        let slice = StepTarget.unit(KubeletObservation.podsSlice)
        for i in drafts.indices where others.contains(drafts[i].key) {
            drafts[i].after_.append(clear.key)
            if drafts[i].target == slice && (drafts[i].action == .sliceUpdate || drafts[i].action == .sliceCreate) {
                drafts[i].disruption = .restart
            }
        }
        guard running else { return }
        var start = StepDraft(
            "kubelet:start", .kubeletStart, target: .unit(unit), disruption: .restart, phase: .removeSlices, side: .other,
            reason: "with its new CPUs")
        start.before = ["ActiveState": .string("inactive")]
        start.after = ["ActiveState": .string("active")]
        start.after_ = drafts.map(\.key)
        add(start)
    }
}
