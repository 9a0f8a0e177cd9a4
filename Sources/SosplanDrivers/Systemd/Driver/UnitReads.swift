/// The unit objects one observe reads, with where each result goes in the
/// observed list.
struct UnitReads {
    var reads: [PropertyRead] = []
    var indices: [Int] = []

    mutating func add(_ read: PropertyRead, at index: Int) {
        reads.append(read)
        indices.append(index)
    }
}
