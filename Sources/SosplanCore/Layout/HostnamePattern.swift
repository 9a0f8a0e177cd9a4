/// `metadata.hostname`: the host a layout is for, as a name (`cn042`) or a
/// shell-style glob (`cn0[0-4]?`, `gpu-*.cluster`): `*` any run of
/// characters, `?` one character, `[a-z0-9]` / `[!x]` one of (or none of)
/// a set. Matching ignores case, as host names do.
public struct HostnamePattern: Sendable, Hashable, CustomStringConvertible {
    public let text: String
    private let pieces: [Piece]

    enum Piece: Hashable, Sendable {
        case literal(Character)
        case any
        case one
        case set([ClosedRange<Character>], negated: Bool)
    }

    public enum PatternError: Error, Equatable, CustomStringConvertible {
        case invalidCharacter(Character)
        case unclosedSet
        case emptySet
        case empty
        case tooLong

        public var description: String {
            switch self {
            case .invalidCharacter(let c): return "'\(c)' cannot appear in a host name or pattern"
            case .unclosedSet: return "a '[' set is not closed with ']'"
            case .emptySet: return "a '[ ]' set is empty"
            case .empty: return "the pattern is empty"
            case .tooLong: return "a host name has at most 253 characters"
            }
        }
    }

    public init(_ text: String) throws(PatternError) {
        guard !text.isEmpty else { throw .empty }
        guard text.count <= 253 else { throw .tooLong }
        self.text = text
        var out: [Piece] = []
        var chars = Array(text.lowercased())
        var i = 0
        func hostChar(_ c: Character) -> Bool { c.isASCII && (c.isLetter || c.isNumber || c == "-" || c == ".") }
        while i < chars.count {
            let c = chars[i]
            switch c {
            case "*":
                if out.last != .any { out.append(.any) }
                i += 1
            case "?":
                out.append(.one)
                i += 1
            case "[":
                i += 1
                var negated = false
                if i < chars.count, chars[i] == "!" || chars[i] == "^" {
                    negated = true
                    i += 1
                }
                var ranges: [ClosedRange<Character>] = []
                while i < chars.count, chars[i] != "]" {
                    let lo = chars[i]
                    guard hostChar(lo) else { throw .invalidCharacter(lo) }
                    if i + 2 < chars.count, chars[i + 1] == "-", chars[i + 2] != "]" {
                        let hi = chars[i + 2]
                        guard hostChar(hi) else { throw .invalidCharacter(hi) }
                        ranges.append(min(lo, hi)...max(lo, hi))
                        i += 3
                    } else {
                        ranges.append(lo...lo)
                        i += 1
                    }
                }
                guard i < chars.count else { throw .unclosedSet }
                guard !ranges.isEmpty else { throw .emptySet }
                out.append(.set(ranges, negated: negated))
                i += 1
            default:
                guard hostChar(c) else { throw .invalidCharacter(c) }
                out.append(.literal(c))
                i += 1
            }
        }
        chars.removeAll()
        pieces = out
    }

    /// True when the pattern has no wildcard (it names one host).
    public var isLiteral: Bool { pieces.allSatisfy { if case .literal = $0 { return true } else { return false } } }

    public var description: String { text }

    /// Whether `hostname` (or its first label, so `cn042` matches
    /// `cn042.cluster.example`) matches.
    public func matches(_ hostname: String) -> Bool {
        let name = Array(hostname.lowercased())
        if match(pieces[...], name[...]) { return true }
        if let dot = name.firstIndex(of: "."), !text.contains(".") { return match(pieces[...], name[..<dot]) }
        return false
    }

    private func match(_ p: ArraySlice<Piece>, _ s: ArraySlice<Character>) -> Bool {
        // Iterative glob matching with one backtrack point per '*' (linear in practice).
        var pi = p.startIndex, si = s.startIndex
        var starP: Int?, starS = s.startIndex
        while si < s.endIndex {
            if pi < p.endIndex {
                switch p[pi] {
                case .any:
                    starP = pi
                    starS = si
                    pi += 1
                    continue
                case .one:
                    pi += 1
                    si += 1
                    continue
                case .literal(let c) where c == s[si]:
                    pi += 1
                    si += 1
                    continue
                case .set(let ranges, let negated) where ranges.contains { $0.contains(s[si]) } != negated:
                    pi += 1
                    si += 1
                    continue
                default: break
                }
            }
            guard let star = starP else { return false }
            pi = star + 1
            starS += 1
            si = starS
        }
        while pi < p.endIndex, p[pi] == .any { pi += 1 }
        return pi == p.endIndex
    }
}
