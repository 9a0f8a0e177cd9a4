/// `NodeSelector`'s memory between calls: each node's capacity from the
/// last count, kept while the node's free CPUs are the same (one owner's
/// placement changes one or two nodes; without it, placing n owners on a
/// host of n CPUs is O(n²)).
final class NodeCapacityMemo {
    /// Per node word (flat, as `wordIndex`): its free bits when last counted.
    var key: [UInt64]
    /// Per node position: counted at least once.
    var known: [Bool]
    var free: [Int]
    var whole: [Int]
    /// Scratch: free threads per core (zero between uses).
    var freeThreads: [Int]
    /// The last candidate list, its node positions (ascending, no
    /// repeats) and its node sizes sorted descending: most owners
    /// share one list (every node), so it is not rebuilt per owner.
    var candidates: [Int]?
    var positions: [Int] = []
    var sortedSizes: [Int] = []

    init(nodes: Int, cores: Int, words: Int) {
        key = Array(repeating: 0, count: words)
        known = Array(repeating: false, count: nodes)
        free = Array(repeating: 0, count: nodes)
        whole = Array(repeating: 0, count: nodes)
        freeThreads = Array(repeating: 0, count: cores)
    }
}
