/// A set of CPU (or NUMA node) ids, stored as a bitmap so that hosts with
/// thousands of CPUs stay cheap; prints as a Linux CPU list (`0-3,8,10-11`).
public struct CPUSet: Hashable, Sendable, Sequence, CustomStringConvertible {
    /// Bit j of word i is id 64*i+j; never ends with a zero word.
    private var words: [UInt64]

    public init() { words = [] }

    public init<S: Sequence>(_ ids: S) where S.Element == Int {
        words = []
        for id in ids { insert(id) }
    }

    public init(_ range: ClosedRange<Int>) { self.init(Array(range)) }

    /// Builds a set from raw 64-bit words (bit j of word i is id 64i+j).
    public init(words: [UInt64]) {
        self.words = words
        trim()
    }

    public var rawWords: [UInt64] { words }

    private mutating func trim() {
        while let last = words.last, last == 0 { words.removeLast() }
    }

    public var isEmpty: Bool { words.isEmpty }

    public var count: Int { words.reduce(0) { $0 + $1.nonzeroBitCount } }

    public func contains(_ id: Int) -> Bool {
        guard id >= 0 else { return false }
        let w = id >> 6
        return w < words.count && words[w] & (1 << UInt64(id & 63)) != 0
    }

    public mutating func insert(_ id: Int) {
        precondition(id >= 0, "CPU ids are non-negative")
        let w = id >> 6
        if w >= words.count { words.append(contentsOf: repeatElement(0, count: w - words.count + 1)) }
        words[w] |= 1 << UInt64(id & 63)
    }

    public mutating func remove(_ id: Int) {
        guard contains(id) else { return }
        words[id >> 6] &= ~(1 << UInt64(id & 63))
        trim()
    }

    public func union(_ o: CPUSet) -> CPUSet {
        var r = words.count >= o.words.count ? words : o.words
        let other = words.count >= o.words.count ? o.words : words
        for i in other.indices { r[i] |= other[i] }
        return CPUSet(words: r)
    }

    public func intersection(_ o: CPUSet) -> CPUSet {
        let n = Swift.min(words.count, o.words.count)
        return CPUSet(words: (0..<n).map { words[$0] & o.words[$0] })
    }

    public func subtracting(_ o: CPUSet) -> CPUSet {
        var r = words
        for i in 0..<Swift.min(r.count, o.words.count) { r[i] &= ~o.words[i] }
        return CPUSet(words: r)
    }

    public mutating func formUnion(_ o: CPUSet) { self = union(o) }
    public mutating func subtract(_ o: CPUSet) { self = subtracting(o) }

    public func isSubset(of o: CPUSet) -> Bool { subtracting(o).isEmpty }
    public func isDisjoint(with o: CPUSet) -> Bool { intersection(o).isEmpty }

    public var first: Int? { var it = makeIterator(); return it.next() }
    public var last: Int? {
        guard let w = words.last else { return nil }
        return (words.count - 1) * 64 + 63 - w.leadingZeroBitCount
    }

    public var sorted: [Int] { Array(self) }

    public struct Iterator: IteratorProtocol {
        let words: [UInt64]
        var index = 0
        var current: UInt64

        init(words: [UInt64]) {
            self.words = words
            current = words.first ?? 0
        }

        public mutating func next() -> Int? {
            while current == 0 {
                index += 1
                guard index < words.count else { return nil }
                current = words[index]
            }
            let bit = current.trailingZeroBitCount
            current &= current - 1
            return index * 64 + bit
        }
    }

    public func makeIterator() -> Iterator { Iterator(words: words) }

    /// The Linux list form: ascending ranges, `a-b` for runs of 2 or more.
    public var description: String {
        // Built in place: snapshots print hundreds of these.
        var out = ""
        var start = -1, prev = -2
        func flush() {
            guard start >= 0 else { return }
            if !out.isEmpty { out += "," }
            out += String(start)
            if prev > start {
                out += "-"
                out += String(prev)
            }
        }
        for id in self {
            if id == prev + 1 { prev = id; continue }
            flush()
            start = id
            prev = id
        }
        flush()
        return out
    }

    /// The list form, as sysfs and systemd print it.
    public var listString: String { description }
}

extension CPUSet: Codable {
    public init(from decoder: any Decoder) throws {
        let s = try decoder.singleValueContainer().decode(String.self)
        do {
            self = try CPUSet(lenientList: s)
        } catch {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "not a CPU list: '\(s)'"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}
