import SosplanCore

/// The object a step's `target` names, parsed once.
enum StepTarget {
    case unit(String)
    case host
    case cpus(CPUSet)
    case memoryBlocks(IDSet)
    case hugepages(HugepageTarget)
    /// `enclave:<name>`, or `enclave:<driver>:<instance>` for an instance
    /// sosplan has no name for (an orphan the plan destroys).
    case enclave(name: String?, driver: EnclaveDriverKind?, instance: String?)

    static func parse(_ step: Step) throws(StepFailure) -> StepTarget {
        let t = step.target
        func list(_ prefix: String) throws(StepFailure) -> CPUSet {
            do { return try CPUSet(lenientList: String(t.dropFirst(prefix.count))) } catch {
                throw StepFailure("step \(step.id): '\(t)' does not name a list (\(error.message))")
            }
        }
        switch step.action {
        case .sliceCreate, .sliceUpdate, .sliceRemove, .unitPlace, .unitRelease, .unitCreate, .unitUpdate, .unitRemove,
            .containerCreate, .containerUpdate, .containerRemove:
            return .unit(t)
        case .hostConfine:
            return .host
        case .cpuOffline, .cpuOnline:
            guard t.hasPrefix("cpu:") else { throw StepFailure("step \(step.id): '\(t)' is not a cpu:<list> target") }
            return .cpus(try list("cpu:"))
        case .memoryOffline, .memoryOnline:
            guard t.hasPrefix("memory:") else { throw StepFailure("step \(step.id): '\(t)' is not a memory:<blocks> target") }
            return .memoryBlocks(try list("memory:"))
        case .hugepagesSet:
            guard let h = HugepageTarget(t) else {
                throw StepFailure("step \(step.id): '\(t)' is not a hugepages:<size>@node<N> target")
            }
            return .hugepages(h)
        case .enclaveCreate, .enclaveGrow, .enclaveShrink, .enclaveDestroy:
            guard t.hasPrefix("enclave:") else { throw StepFailure("step \(step.id): '\(t)' is not an enclave:<name> target") }
            let rest = String(t.dropFirst("enclave:".count))
            let parts = rest.split(separator: ":", maxSplits: 1).map(String.init)
            if parts.count == 2, let driver = EnclaveDriverKind(rawValue: parts[0]) {
                return .enclave(name: nil, driver: driver, instance: parts[1])
            }
            return .enclave(name: rest, driver: nil, instance: nil)
        }
    }
}

extension Optional {
    /// `??` with a typed-throwing fallback (`??`'s autoclosure rethrows as `any Error`).
    func orElse<E: Error>(_ fallback: () throws(E) -> Wrapped) throws(E) -> Wrapped {
        if let self { return self }
        return try fallback()
    }
}
