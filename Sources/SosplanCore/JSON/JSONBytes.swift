/// The UTF-8 buffer `JSONWriter` writes into.
struct JSONBytes {
    private(set) var bytes: [UInt8] = []

    init() { bytes.reserveCapacity(4096) }

    var count: Int { bytes.count }

    mutating func append(_ byte: UInt8) { bytes.append(byte) }

    /// Punctuation and keywords the writer knows are ASCII.
    mutating func append(ascii: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: ascii.utf8Start, count: ascii.utf8CodeUnitCount))
    }

    mutating func append(text: String) {
        var text = text
        text.withUTF8 { bytes.append(contentsOf: $0) }
    }

    mutating func pad(_ spaces: Int) {
        bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: spaces))
    }

    /// The decimal digits of `v`, as `String(v)` writes them.
    mutating func append(decimal v: Int64) {
        if v < 0 {
            bytes.append(UInt8(ascii: "-"))
            append(decimal: v.magnitude)
        } else {
            append(decimal: UInt64(v))
        }
    }

    mutating func append(decimal v: UInt64) {
        let start = bytes.count
        var rest = v
        repeat {
            bytes.append(UInt8(ascii: "0") + UInt8(rest % 10))
            rest /= 10
        } while rest > 0
        // Swapped in place: reversing `bytes[start...]` copied the slice out
        // and back (a fifth of an observe's CPU on a 64-node host).
        var low = start, high = bytes.count - 1
        while low < high {
            bytes.swapAt(low, high)
            low += 1
            high -= 1
        }
    }

    mutating func truncate(to count: Int) { bytes.removeSubrange(count...) }

    /// Characters (grapheme clusters) written since `start`.
    func characterCount(from start: Int) -> Int {
        String(decoding: bytes[start...], as: UTF8.self).count
    }
}
