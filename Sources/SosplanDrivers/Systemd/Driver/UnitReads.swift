/// The unit objects one observe reads in one way (`GetAll` or `Get`s), with
/// where each result goes in the observed list.
struct UnitReads {
    var reads: [(path: String, interface: String, unit: UnitName)] = []
    var indices: [Int] = []

    mutating func add(_ read: (path: String, interface: String, unit: UnitName), at index: Int) {
        reads.append(read)
        indices.append(index)
    }
}
