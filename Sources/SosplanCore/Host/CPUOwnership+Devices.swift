extension CPUOwnership {
    /// The owners a placement puts near each device (`near:`), by address,
    /// for the picture: which service is next to which NIC or GPU.
    public static func nearOwners(of placement: Placement) -> [PCIAddress: [Owner]] {
        var result: [PCIAddress: [Owner]] = [:]
        for e in placement.enclaves { for d in e.value.near ?? [] { result[d.address, default: []].append(.enclave(e.name)) } }
        for s in placement.services { for d in s.value.near ?? [] { result[d.address, default: []].append(.service(s.name)) } }
        return result.mapValues { $0.sorted() }
    }
}
