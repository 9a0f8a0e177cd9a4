import SosplanCore

/// hwloc's `lstopo -v` text output as a tree, to use hwloc as an independent
/// oracle for the sysfs probe: the `.output` files of hwloc 2.9's test suite,
/// the `.console` files a later lstopo printed, and the installed
/// `lstopo-no-graphics` run on a snapshot (`Lstopo`). The formats differ only
/// in how sizes are printed (see `memory(_:printedLike:)`).
///
/// Each object line is `Type[(subtype)] [L#i] [(P#p key=value ...)]`,
/// nested by two spaces per level; the tree ends at the `depth 0:` summary.
/// A NUMA node is a memory child of the object it is local to: its CPUs are
/// the PUs below that parent, minus those below deeper parents of other
/// nodes (`coveredPUs(parentOf:)`).
public struct LstopoConsole: Sendable {
    public struct Object: Sendable {
        /// `Machine`, `Package`, `NUMANode`, `Group0`, `L3Cache`, `Core`, `PU`, ...
        public var type: String
        public var subtype: String?
        public var osIndex: Int?
        /// `local=16GiB` etc., as printed (only unquoted values).
        public var attributes: [String: String]
        /// The quoted name after the attributes (`"eth0"` of an OS device).
        public var name: String? = nil
        public var parent: Int?
        public var children: [Int] = []
    }

    public private(set) var objects: [Object] = []

    public init(_ text: String) {
        var stack: [(indent: Int, index: Int)] = []
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = Substring(raw)
            if line.trimmingASCIIWhitespace().hasPrefix("depth ") { break }
            let indent = line.prefix { $0 == " " }.count
            let body = line.dropFirst(indent)
            guard let first = body.first, first.isLetter, first.isUppercase else { continue }
            while let top = stack.last, top.indent >= indent { stack.removeLast() }
            var object = LstopoConsole.parse(body)
            object.parent = stack.last?.index
            let index = objects.count
            objects.append(object)
            if let parent = object.parent { objects[parent].children.append(index) }
            stack.append((indent, index))
        }
    }

    static func parse(_ body: Substring) -> Object {
        let head = body.prefix { $0 != " " }
        var type = String(head), subtype: String?
        if let open = head.firstIndex(of: "("), head.last == ")" {
            type = String(head[..<open])
            subtype = String(head[head.index(after: open)..<head.index(before: head.endIndex)])
        }
        var attributes: [String: String] = [:]
        var osIndex: Int?
        // The attribute list is the first parenthesized group after the type.
        if let open = body.dropFirst(head.count).firstIndex(of: "(") {
            for word in body[body.index(after: open)...].split(separator: " ") {
                let w = word.hasSuffix(")") ? word.dropLast() : word
                if w.hasPrefix("P#") {
                    osIndex = Int(w.dropFirst(2))
                } else if let eq = w.firstIndex(of: "="), !w.contains("\"") {
                    attributes[String(w[..<eq])] = String(w[w.index(after: eq)...])
                }
                if word.hasSuffix(")") { break }
            }
        }
        var name: String?
        if body.hasSuffix("\""), let open = body.dropLast().lastIndex(of: "\"") {
            name = String(body[body.index(after: open)..<body.index(before: body.endIndex)])
        }
        return Object(type: type, subtype: subtype, osIndex: osIndex, attributes: attributes, name: name)
    }

    public func indexes(ofType type: String) -> [Int] { objects.indices.filter { objects[$0].type == type } }

    /// OS indexes of the PUs in the subtree of `index`.
    public func pus(under index: Int) -> CPUSet {
        var result = CPUSet()
        var pending = [index]
        while let i = pending.popLast() {
            if objects[i].type == "PU", let p = objects[i].osIndex { result.insert(p) }
            pending += objects[i].children
        }
        return result
    }

    public var allPUs: CPUSet { objects.isEmpty ? CPUSet() : pus(under: 0) }

    /// Whether `a` is a strict ancestor of `b`.
    public func isAncestor(_ a: Int, of b: Int) -> Bool {
        var p = objects[b].parent
        while let x = p {
            if x == a { return true }
            p = objects[x].parent
        }
        return false
    }

    /// The object a NUMA node is local to: its parent, skipping memory-side
    /// caches (`MemCache`), which sit between a node and its CPUs.
    public func attachment(of node: Int) -> Int? {
        var p = objects[node].parent
        while let x = p, objects[x].type == "MemCache" { p = objects[x].parent }
        return p
    }

    /// The PUs the NUMA nodes attached to `parent` are local to: the PUs
    /// below it that no NUMA node attached deeper claims.
    public func coveredPUs(parentOf parent: Int) -> CPUSet {
        let nodeParents = Set(indexes(ofType: "NUMANode").compactMap { attachment(of: $0) })
        var covered = pus(under: parent)
        for deeper in nodeParents where isAncestor(parent, of: deeper) { covered.subtract(pus(under: deeper)) }
        return covered
    }

    /// `bytes` as lstopo prints a size (`local=`, `total=`) in the style of
    /// `printed`. hwloc 2.9 rounds to the nearest KB with `-v` (the test
    /// suite's `.output`), else to KB, MB, GB or TB by size
    /// (include/private/misc.h:541-544 of hwloc 2.9.0,
    /// hwloc_memory_size_printf_value/_unit); later releases round the same
    /// way and write KiB, MiB, GiB, TiB (`formatMemory`).
    public static func memory(_ bytes: UInt64, printedLike printed: String) -> String {
        let unit = String(printed.drop { $0.isNumber })
        guard let shift = ["KB": 10, "MB": 20, "GB": 30, "TB": 40][unit] else { return formatMemory(bytes) }
        return "\(((bytes >> (shift - 1)) + 1) >> 1)\(unit)"
    }

    /// How a later lstopo prints a memory size (`local=` / `total=`): rounded
    /// to the nearest KiB below 10 MiB, MiB below 10 GiB, GiB below 10 TiB.
    public static func formatMemory(_ bytes: UInt64) -> String {
        if bytes < 10 << 20 { return "\(((bytes >> 9) + 1) >> 1)KiB" }
        if bytes < 10 << 30 { return "\(((bytes >> 19) + 1) >> 1)MiB" }
        if bytes < 10 << 40 { return "\(((bytes >> 29) + 1) >> 1)GiB" }
        return "\(((bytes >> 39) + 1) >> 1)TiB"
    }
}
