/// Sizes (`4Gi`, `512Mi`, `1073741824`) and memory limits (a size or
/// `infinity`).
extension LayoutReader {
    /// A size: an integer number of bytes, or a quantity string. Problems in
    /// the unit point at the unit inside the string.
    func size(_ node: YAMLNode, _ path: @autoclosure () -> String) -> ByteSize? {
        let text: String
        switch node.resolvedScalar {
        case .int(let v?)?:
            guard v >= 0 else {
                error(path(), "a size cannot be negative (\(v))", at: node.mark)
                return nil
            }
            return checked(ByteSize(UInt64(v)), node, path())
        case .int(nil)?:
            error(path(), "\(node.scalar ?? "") bytes is too large", at: node.mark)
            return nil
        case .string(let s, _)?: text = s
        case .float?:
            text = node.scalar ?? ""
            if text.contains(where: { $0 == "e" || $0 == "E" }) {
                error(
                    path(), "expected a size such as 4Gi, 512Mi or 1073741824, found the number \(text)", at: node.mark,
                    hints: ["a size is a whole number of bytes or a number with a unit (1.5Gi); exponents are not sizes"])
                return nil
            }
        default:
            error(path(), "expected a size such as 4Gi, 512Mi or 1073741824, found \(describe(node))", at: node.mark)
            return nil
        }
        switch ByteSize.parse(text) {
        case .success(let size):
            return checked(size, node, path())
        case .failure(.unknownSuffix(let suffix)):
            let offset = text.count - suffix.count + (node.isQuoted ? 1 : 0)
            let mark = SourceMark(line: node.mark.line, column: node.mark.column + offset)
            error(path(), "unknown unit '\(suffix)' in '\(text)'", at: mark, hints: LayoutReader.unitHints(suffix))
        case .failure(.notWhole):
            error(
                path(), "'\(text)' is not a whole number of bytes", at: node.mark,
                hints: ["use a smaller unit, e.g. Mi instead of Gi, so the value has no fraction of a byte"])
        case .failure(.tooLarge):
            error(path(), "'\(text)' is too large for a size", at: node.mark)
        case .failure(.notAQuantity):
            let message = text.hasPrefix("-") ? "a size cannot be negative ('\(text)')"
                : "expected a size such as 4Gi, 512Mi or 1073741824, found \(describe(node))"
            error(path(), message, at: node.mark)
        }
        return nil
    }

    /// No host has a pebibyte of memory; refusing larger sizes also keeps
    /// sums of sizes far from overflowing.
    static let maximumSize = ByteSize(1 << 50)

    private func checked(_ size: ByteSize, _ node: YAMLNode, _ path: @autoclosure () -> String) -> ByteSize? {
        guard size <= LayoutReader.maximumSize else {
            error(path(), "\(size) is more memory than any host has (at most 1Pi)", at: node.mark,
                  hints: ["for no limit write 'infinity' where a limit is asked for"])
            return nil
        }
        return size
    }

    /// Hints for a unit that is not one of `Ki Mi Gi Ti K M G T`.
    static func unitHints(_ suffix: String) -> [String] {
        let generic = "units are Ki, Mi, Gi, Ti (powers of 1024) and K, M, G, T (powers of 1000)"
        if suffix.first == " " { return ["write the number and its unit without a space (4Gi)"] }
        if suffix == "B" || suffix == "b" { return ["write plain bytes without a unit (512)", generic] }
        var core = suffix
        if core.count > 1, core.last == "B" || core.last == "b" { core.removeLast() }
        if core.count == 2, core.last == "i" || core.last == "I" {
            let binary = core.prefix(1).uppercased() + "i"
            if ["Ki", "Mi", "Gi", "Ti"].contains(binary) { return ["did you mean '\(binary)'?"] }
        }
        if core.count == 1 {
            let letter = core.uppercased()
            if ["K", "M", "G", "T"].contains(letter) {
                return ["did you mean '\(letter)i' (powers of 1024) or '\(letter)' (powers of 1000)?"]
            }
        }
        return [generic]
    }

    /// A memory limit: a size or `infinity`.
    func limit(_ node: YAMLNode, _ path: @autoclosure () -> String) -> Limit? {
        if case .string(let s, _)? = node.resolvedScalar {
            switch s {
            case "infinity": return .infinity
            case "max", "unlimited", "none", "Infinity", "inf":
                error(path(), "'\(s)' is not a size", at: node.mark, hints: ["write 'infinity' for no limit"])
                return nil
            default:
                if s.hasSuffix("%") {
                    error(
                        path(), "percentages are not supported ('\(s)')", at: node.mark,
                        hints: ["give a size such as 8Gi, or 'infinity'"])
                    return nil
                }
            }
        }
        if case .int(-1)? = node.resolvedScalar {
            error(path(), "a size cannot be negative (-1)", at: node.mark, hints: ["write 'infinity' for no limit"])
            return nil
        }
        return size(node, path()).map { .value($0.bytes) }
    }
}

extension YAMLNode {
    /// A single- or double-quoted scalar (its text starts one column later).
    var isQuoted: Bool {
        if case .scalar(_, let style) = kind { return style == .singleQuoted || style == .doubleQuoted }
        return false
    }
}
