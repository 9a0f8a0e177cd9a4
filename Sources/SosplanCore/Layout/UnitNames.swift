/// systemd unit names as the layout may use them. A name outside these
/// rules is an error, never escaped silently: sosplan passes unit names to
/// systemd and writes them into unit files.
public enum UnitNames {
    /// Every unit type systemd knows.
    public static let knownTypes = [
        "service", "socket", "target", "mount", "timer", "path", "slice", "scope", "device", "swap", "automount",
    ]
    /// Types whose processes live in a slice, so `units:` can move them
    /// (`Slice=` in a drop-in). Scopes get their slice when their owner
    /// creates them and cannot be moved.
    public static let movableTypes = ["service", "socket", "mount", "swap"]
    /// systemd's `UNIT_NAME_MAX` is 256 bytes including the terminating NUL.
    public static let maximumLength = 255
    /// Slices that belong to systemd itself: a service must not take them over.
    public static let systemSlices = ["-.slice", "system.slice", "user.slice", "machine.slice"]

    /// What is wrong with `name` as a unit name, and at which character.
    public static func problem(_ name: String) -> (message: String, offset: Int, hints: [String])? {
        if name.isEmpty { return ("the unit name is empty", 0, []) }
        if name.utf8.count > maximumLength {
            return ("'\(name.prefix(40))...' is \(name.utf8.count) bytes long; systemd allows at most \(maximumLength)",
                    maximumLength, [])
        }
        // Nearly every name is plain ASCII; only a name with a byte outside
        // the allowed set needs its characters examined one by one.
        if !name.utf8.allSatisfy({ isAllowed($0) }) {
            for (i, c) in name.enumerated() where !isAllowed(c) {
                let control = c.asciiValue.map { $0 < 32 || $0 == 127 } ?? false
                let shown = c == " " ? "a space" : (control ? "a control character" : "'\(c)'")
                return ("'\(name)' contains \(shown), which systemd does not allow in unit names", i,
                        ["unit names use letters, digits and : _ . - @ \\ only (escape other characters with systemd-escape)"])
            }
        }
        guard let dot = name.lastIndex(of: ".") else {
            return ("'\(name)' has no unit type suffix", name.count,
                    ["add the type, for example '\(name).service'"])
        }
        let type = String(name[name.index(after: dot)...])
        let stem = name[..<dot]
        guard knownTypes.contains(type) else {
            let hint = Suggestions.hint(for: type, in: knownTypes).map { [$0] } ?? []
            return ("'\(name)' has the unknown unit type '.\(type)'", name.distance(from: name.startIndex, to: dot) + 1,
                    hint + ["unit types: " + knownTypes.map { "." + $0 }.joined(separator: " ")])
        }
        if stem.isEmpty { return ("'\(name)' has an empty name before '.\(type)'", 0, []) }
        let ats = stem.filter { $0 == "@" }.count
        if ats > 1 {
            return ("'\(name)' contains more than one '@'", name.distance(from: name.startIndex, to: name.lastIndex(of: "@")!), [])
        }
        if ats == 1 {
            let at = stem.firstIndex(of: "@")!
            if at == stem.startIndex { return ("'\(name)' has nothing before '@'", 0, []) }
            if stem.index(after: at) == stem.endIndex {
                return ("'\(name)' is a template; it needs an instance name after '@'",
                        name.distance(from: name.startIndex, to: at) + 1,
                        ["name an instance, for example '\(stem)main.\(type)'"])
            }
        }
        return nil
    }

    /// The unit type (`service` for `nginx.service`), or nil.
    public static func type(of name: String) -> String? {
        guard let dot = name.lastIndex(of: ".") else { return nil }
        return String(name[name.index(after: dot)...])
    }

    /// A byte of a name whose every byte passes is all allowed characters.
    static func isAllowed(_ b: UInt8) -> Bool {
        switch b {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, UInt8(ascii: ":"), UInt8(ascii: "_"), UInt8(ascii: "."),
            UInt8(ascii: "-"), UInt8(ascii: "@"), UInt8(ascii: "\\"):
            return true
        default: return false
        }
    }

    static func isAllowed(_ c: Character) -> Bool {
        guard c.isASCII, let v = c.asciiValue else { return false }
        switch v {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: return true
        default: return ":_.-@\\".contains(c)
        }
    }

    /// What is wrong with `name` as a slice name (beyond `problem`): slices
    /// are paths `a-b-c.slice`, so no leading, trailing or double `-`.
    public static func sliceProblem(_ name: String) -> (message: String, offset: Int, hints: [String])? {
        if let p = problem(name) { return p }
        guard type(of: name) == "slice" else {
            return ("'\(name)' is not a slice; a slice name ends in '.slice'", 0,
                    ["for example 'sosplan-web.slice'"])
        }
        if systemSlices.contains(name) {
            return ("'\(name)' belongs to systemd itself", 0,
                    ["give the service a slice of its own, such as 'sosplan-<name>.slice'"])
        }
        let stem = name.dropLast(".slice".count)
        if stem.contains("@") { return ("a slice name cannot contain '@'", 0, []) }
        if stem.hasPrefix("-") || stem.hasSuffix("-") || stem.contains("--") {
            return ("'\(name)' is not a valid slice path: no leading, trailing or double '-'", 0,
                    ["a '-' in a slice name nests it: 'a-b.slice' lives inside 'a.slice'"])
        }
        return nil
    }

    /// The last of `parentSlices(of:)` (the innermost) for which `test`
    /// holds, tried innermost first without building the others.
    public static func innermostParentSlice(of name: String, where test: (String) -> Bool) -> String? {
        guard name.hasSuffix(".slice") else { return nil }
        let stem = name.utf8.dropLast(".slice".utf8.count)
        let dash = UInt8(ascii: "-")
        // Empty parts (`-a`, `a-`, `a--b`) are dropped by `parentSlices`; leave such names to it.
        if stem.first == dash || stem.last == dash || hasDoubleDash(name) {
            return parentSlices(of: name).last(where: test)
        }
        var end = stem.endIndex
        while let cut = stem[stem.startIndex..<end].lastIndex(of: dash) {
            end = cut
            let parent = String(name[..<cut]) + ".slice"
            if test(parent) { return parent }
        }
        return nil
    }

    /// `name.contains("--")`, by bytes when `name` is ASCII (as slice names
    /// are): the general search goes through Foundation and is slow.
    static func hasDoubleDash(_ name: String) -> Bool {
        let u = name.utf8
        guard u.allSatisfy({ $0 < 0x80 }) else { return name.contains("--") }
        var previous: UInt8 = 0
        for b in u {
            if b == UInt8(ascii: "-"), previous == b { return true }
            previous = b
        }
        return false
    }

    /// The slices `name` lives inside (`a-b-c.slice` -> `a.slice`, `a-b.slice`).
    public static func parentSlices(of name: String) -> [String] {
        guard name.hasSuffix(".slice") else { return [] }
        let parts = name.dropLast(".slice".count).split(separator: "-")
        guard parts.count > 1 else { return [] }
        return (1..<parts.count).map { parts[0..<$0].joined(separator: "-") + ".slice" }
    }
}

extension HostLayout {
    /// Units a layout names or makes (placed units, slices, exec units):
    /// observed with every snapshot, even when sosplan does not manage them yet.
    public var observedUnitNames: [String] {
        Array(Set(services.flatMap(\.units) + services.map(\.slice) + services.filter(\.hasOwnUnit).map(\.execUnitName) + isolationUnitNames)).sorted()
    }
}
