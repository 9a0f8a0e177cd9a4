import SosplanCore

/// Masks the kernel gives every member of a group alike: a core's thread
/// siblings, a package's CPUs, the sharers of a cache. The probe reads such
/// a mask from the group's first CPU and knows it for the other members
/// without opening their files (a 256-CPU host with SMT-4 reads 64
/// `thread_siblings_list` files instead of 256).
///
/// Only CPUs after the one read from are filled in: the probe goes by
/// ascending id, and a member read earlier keeps what its own file said.
struct CPUMaskGroups {
    private var groupOf: [Int: Int] = [:]
    private var masks: [CPUSet] = []

    /// The mask an earlier member of `cpu`'s group had, nil if none did.
    func mask(of cpu: Int) -> CPUSet? { groupOf[cpu].map { masks[$0] } }

    /// Remembers the mask `cpu` read, for the members after it.
    mutating func learn(_ mask: CPUSet, from cpu: Int) {
        var index: Int?
        for member in mask where member > cpu && groupOf[member] == nil {
            if index == nil {
                index = masks.count
                masks.append(mask)
            }
            groupOf[member] = index
        }
    }
}
