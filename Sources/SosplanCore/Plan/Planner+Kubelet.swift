/// The kubelet's CPU manager in a plan. With its `static` policy the
/// kubelet keeps a state file of the CPUs it may use and refuses to start
/// when they no longer match (`validateState`, kubernetes/kubernetes
/// `pkg/kubelet/cm/cpumanager/policy_static.go`); its pods' CPUs come from
/// `kubepods.slice`, which the layout's kubelet service confines. A plan
/// that changes either, the slice's CPUs or the online CPUs the state must
/// match, follows kubelet's documented procedure for a change of its CPUs
/// (kubernetes/website `content/en/docs/tasks/administer-cluster/
/// cpu-management-policies.md`, "Changing the CPU Manager Policy": drain the
/// node, stop kubelet, remove the state file, start kubelet) under
/// `policy.disruption: allow`, as journalled steps around the whole plan;
/// draining stays the operator's. Under `defer` the slice keeps its CPUs
/// and the plan says why.
extension Planner {
    /// Under `defer`: a static kubelet's slice keeps the CPUs it has (the
    /// placement pins it, as it pins enclaves whose change needs a recreate).
    func deferKubeletSlice(
        _ placer: inout LayoutPlacer, _ placed: inout LayoutPlacer.Result, notes: inout [String], observed: ObservedAssignments
    ) {
        guard layout.policy.disruption == .defer, let kubelet = snapshot.kubelet, kubelet.hasStaticCPUState,
            let service = layout.kubeletService, service.isExclusive,
            let desired = placed.placement.service(service.name)?.cpus,
            let current = observed.serviceCPUs[service.name], current != desired
        else { return }
        placer.pinnedServices.insert(service.name)
        let again = placer.place()
        notes = again.notes + notes.filter { !placed.notes.contains($0) }
        placed = again
        notes.append(
            "service '\(service.name)' keeps \(KubeletObservation.podsSlice) on CPUs \(current) (the layout would move it to \(desired)): "
                + "the kubelet's static CPU manager (\(kubelet.cpuManagerState?.file ?? "its state file")) would refuse to start "
                + "with other CPUs, and policy.disruption is defer; drain the node and set policy.disruption: allow to have sosplan "
                + "stop the kubelet, remove its state and start it again")
    }

    /// The kubelet's restart around the plan when its CPUs change (`allow`),
    /// or a note that says what the plan leaves to the operator (`defer`).
    func kubeletRestart(_ builder: inout StepBuilder, notes: inout [String]) {
        guard let kubelet = snapshot.kubelet, kubelet.hasStaticCPUState, let state = kubelet.cpuManagerState else { return }
        let slice = StepTarget.unit(KubeletObservation.podsSlice)
        let sliceChanges = builder.drafts.filter {
            $0.target == slice && ($0.action == .sliceCreate || ($0.action == .sliceUpdate && $0.after["AllowedCPUs"] != nil))
        }
        if layout.policy.disruption == .defer, !sliceChanges.isEmpty {
            // A slice never confined keeps no CPUs to pin: it stays unconfined.
            let dropped = Set(sliceChanges.map(\.key))
            builder.drafts.removeAll { dropped.contains($0.key) }
            notes.append(
                "\(KubeletObservation.podsSlice) is left as it is: confining it changes the CPUs of the kubelet's static CPU manager, "
                    + "and policy.disruption is defer; drain the node and set policy.disruption: allow")
        }
        let onlineNow = snapshot.topology.onlineCPUs
        var onlineAfter = onlineNow
        if case .success(let steps) = StepOrdering.order(builder.drafts) {
            let plan = Plan(layout: layout.metadata.name, placement: builder.placement, steps: steps, snapshotFingerprint: "")
            onlineAfter = PlanSimulator(capabilities: capabilities).apply(plan, to: snapshot).topology.onlineCPUs
        }
        let accepted = kubelet.acceptedStateCPUs(online: onlineAfter)
        let onlineChanges = onlineAfter != onlineNow && accepted != state.cpus
        let sliceChangesNow = layout.policy.disruption == .allow && !sliceChanges.isEmpty
        guard sliceChangesNow || onlineChanges else { return }

        var why: [String] = []
        if sliceChangesNow, let service = layout.kubeletService, let cpus = builder.placement.service(service.name)?.cpus {
            why.append("\(KubeletObservation.podsSlice) moves to CPUs \(cpus)")
        }
        if onlineChanges { why.append("its state lists CPUs \(state.cpus) and the kubelet will have \(accepted)") }
        let reason = "the kubelet's static CPU manager: " + why.joined(separator: "; ")
        guard layout.policy.disruption == .allow else {
            notes.append(
                reason + ": the kubelet will refuse to start again until \(state.file) is removed, and policy.disruption is defer; "
                    + "drain the node and set policy.disruption: allow to have sosplan restart it")
            return
        }
        let running = snapshot.systemd.map { $0.unit(kubelet.unit)?.activeState == "active" } ?? true
        builder.addKubeletRestart(unit: kubelet.unit, running: running, state: state, reason: reason)
        notes.append(
            "drain the node first (kubectl drain NODE --ignore-daemonsets): the plan stops \(kubelet.unit), removes \(state.file) "
                + "and starts it again (" + why.joined(separator: "; ") + ")")
        if let service = layout.kubeletService, service.isExclusive, let cpus = builder.placement.service(service.name)?.cpus {
            let needed = onlineAfter.subtracting(cpus)
            let reserved = kubelet.effectiveConfiguration.reservedSystemCPUs ?? CPUSet()
            if reserved != needed {
                notes.append(
                    "the kubelet's reservedSystemCPUs is \(reserved.isEmpty ? "not set" : reserved.description) in "
                        + "\(kubelet.configFile ?? "its configuration"); with \(KubeletObservation.podsSlice) on CPUs \(cpus) it needs "
                        + "reservedSystemCPUs: \"\(needed)\" (every online CPU outside its slice): set it before applying, "
                        + "the kubelet reads it when sosplan starts it")
            }
        }
    }
}
