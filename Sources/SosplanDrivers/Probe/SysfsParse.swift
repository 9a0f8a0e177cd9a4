import SosplanCore

/// Byte-level parsers for the value formats of sysfs files, used by
/// `SysfsReader` straight on its read buffer: a 256-CPU host means
/// thousands of tiny files, and building Strings for each would cost more
/// than reading them. Each returns nil for anything malformed.
enum SysfsParse {
    typealias Bytes = UnsafeBufferPointer<UInt8>

    static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x09 || b == 0x0D }

    /// The bytes without leading and trailing whitespace.
    static func trim(_ bytes: Bytes) -> Bytes.SubSequence {
        var lo = bytes.startIndex, hi = bytes.endIndex
        while lo < hi && isSpace(bytes[lo]) { lo += 1 }
        while hi > lo && isSpace(bytes[hi - 1]) { hi -= 1 }
        return bytes[lo..<hi]
    }

    /// A decimal integer, possibly negative (`-1`).
    static func int(_ bytes: Bytes) -> Int? {
        let s = trim(bytes)
        var i = s.startIndex
        let negative = i < s.endIndex && s[i] == UInt8(ascii: "-")
        if negative { i += 1 }
        guard i < s.endIndex, s.endIndex - i <= 18 else { return nil }
        var value = 0
        while i < s.endIndex {
            let d = s[i] &- UInt8(ascii: "0")
            guard d < 10 else { return nil }
            value = value * 10 + Int(d)
            i += 1
        }
        return negative ? -value : value
    }

    /// Each whitespace-separated word, in order, until `body` returns false.
    static func forEachWord(_ bytes: Bytes, _ body: (Bytes) -> Bool) {
        var i = bytes.startIndex
        while i < bytes.endIndex {
            while i < bytes.endIndex && isSpace(bytes[i]) { i += 1 }
            let start = i
            while i < bytes.endIndex && !isSpace(bytes[i]) { i += 1 }
            guard start < i, body(UnsafeBufferPointer(rebasing: bytes[start..<i])) else { return }
        }
    }

    /// Integers separated by whitespace; stops at the first non-number.
    static func ints(_ bytes: Bytes) -> [Int] {
        var result: [Int] = []
        forEachWord(bytes) { word in
            guard let n = int(word) else { return false }
            result.append(n)
            return true
        }
        return result
    }

    /// Whitespace-separated decimal integers, every one within `range`; nil
    /// when any word is not such a number (a node's `distance` row: 4,096
    /// numbers on a 64-node host, where `Int(Substring)` cost 8% of observe).
    static func row(_ bytes: Bytes, within range: ClosedRange<Int>) -> [Int]? {
        var result: [Int]? = []
        forEachWord(bytes) { word in
            guard let n = int(word), range.contains(n) else {
                result = nil
                return false
            }
            result?.append(n)
            return true
        }
        return result
    }

    /// A Linux list (`0-3,8,10-11`; empty is the empty set), any order.
    static func cpuList(_ bytes: Bytes) -> CPUSet? {
        let s = trim(bytes)
        var words: [UInt64] = []
        var i = s.startIndex
        func number() -> Int? {
            var value = 0, digits = 0
            while i < s.endIndex, case let d = s[i] &- UInt8(ascii: "0"), d < 10 {
                value = value * 10 + Int(d)
                digits += 1
                i += 1
                if digits > 6 { return nil }
            }
            return digits > 0 ? value : nil
        }
        while i < s.endIndex {
            guard let lo = number() else { return nil }
            var hi = lo
            if i < s.endIndex && s[i] == UInt8(ascii: "-") {
                i += 1
                guard let h = number() else { return nil }
                hi = h
            }
            guard lo <= hi, hi <= CPUSet.maximumID else { return nil }
            if words.count <= hi >> 6 { words += [UInt64](repeating: 0, count: (hi >> 6) + 1 - words.count) }
            for id in lo...hi { words[id >> 6] |= 1 << UInt64(id & 63) }
            if i < s.endIndex {
                guard s[i] == UInt8(ascii: ","), i + 1 < s.endIndex else { return nil }
                i += 1
            }
        }
        return CPUSet(words: words)
    }

    /// A mask (`00000000,0000ffff`): comma-separated 32-bit hex words,
    /// most significant first.
    static func hexMask(_ bytes: Bytes) -> CPUSet? {
        let s = trim(bytes)
        guard !s.isEmpty else { return nil }
        var words: [UInt64] = []
        var word: UInt64 = 0, shift: UInt64 = 0, half = 0
        var i = s.endIndex
        func flush() {
            if half == 0 { words.append(word) } else { words[words.count - 1] |= word << 32 }
            half ^= 1
            word = 0
            shift = 0
        }
        while i > s.startIndex {
            i -= 1
            let b = s[i]
            if b == UInt8(ascii: ",") {
                flush()
                continue
            }
            let v: UInt8
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = b - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): v = b - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): v = b - UInt8(ascii: "A") + 10
            default: return nil
            }
            guard shift < 32 else { return nil }
            word |= UInt64(v) << shift
            shift += 4
        }
        flush()
        // Past the largest CPU id a host can have: garbage, not a mask.
        let set = CPUSet(words: words)
        guard (set.last ?? 0) <= CPUSet.maximumID else { return nil }
        return set
    }
}
