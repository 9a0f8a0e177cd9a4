import SosplanCore

/// hwloc's XML export (`lstopo --of xml`, hwloc2.dtd) as a tree of objects:
/// what hwloc 2.9.0's test suite keeps as `NAME.output` for the machines it
/// checks with `--of xml --whole-io` (40intel64-2g2n4c+pci,
/// 32em64t-2n8c+1mic). hwloc writes one element per line, so a line reader
/// is enough: `<object ...>` opens, `<object .../>` opens and closes,
/// `</object>` closes; other elements (info, page_type, distances) are
/// skipped.
public struct LstopoXML: Sendable {
    public struct Object: Sendable {
        public var type: String
        public var attributes: [String: String]
        public var parent: Int?
        public var children: [Int] = []
    }

    public private(set) var objects: [Object] = []

    public init(_ text: String) {
        var stack: [Int] = []
        for raw in text.split(separator: "\n") {
            let line = Substring(raw.trimmingASCIIWhitespace())
            if line.hasPrefix("</object") {
                _ = stack.popLast()
                continue
            }
            guard line.hasPrefix("<object ") else { continue }
            let attributes = LstopoXML.attributes(of: line)
            let index = objects.count
            objects.append(Object(type: attributes["type"] ?? "", attributes: attributes, parent: stack.last))
            if let p = stack.last { objects[p].children.append(index) }
            if !line.hasSuffix("/>") { stack.append(index) }
        }
    }

    static func attributes(of line: Substring) -> [String: String] {
        var result: [String: String] = [:]
        var rest = line.dropFirst("<object ".count)
        while let eq = rest.firstIndex(of: "=") {
            let key = rest[..<eq].trimmingASCIIWhitespace()
            let afterEq = rest[rest.index(after: eq)...]
            guard afterEq.first == "\"", let close = afterEq.dropFirst().firstIndex(of: "\"") else { break }
            result[String(key)] = String(afterEq[afterEq.index(after: afterEq.startIndex)..<close])
            rest = afterEq[afterEq.index(after: close)...]
        }
        return result
    }

    /// A hwloc bitmap (`0x000000ff,0xffffffff`): 32-bit words, most significant first.
    public static func bitmap(_ text: String) -> CPUSet {
        var set = CPUSet()
        for (i, word) in text.split(separator: ",").reversed().enumerated() {
            let digits = word.hasPrefix("0x") ? word.dropFirst(2) : word[...]
            guard let w = UInt32(digits, radix: 16) else { continue }
            for bit in 0..<32 where w & (1 << UInt32(bit)) != 0 { set.insert(i * 32 + bit) }
        }
        return set
    }
}
