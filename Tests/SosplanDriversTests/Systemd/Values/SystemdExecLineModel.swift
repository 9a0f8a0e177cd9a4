/// A model of how systemd turns an `ExecStart=` value into the argv the
/// program receives, written from systemd.service(5) and systemd.unit(5) for
/// the tests: specifiers are resolved first (`%%` -> `%`), then words are
/// split and unquoted with C escapes, and at exec time `$$` becomes `$`. Any
/// other `%x`, unquoted `;` or `$VAR` means the value would not mean the
/// literal argv, and the model returns nil.
enum SystemdExecLineModel {
    static func argv(_ value: String) -> [String]? {
        // 1. specifiers over the whole value
        var afterSpecifiers = ""
        var chars = Array(value)
        var i = 0
        while i < chars.count {
            if chars[i] == "%" {
                guard i + 1 < chars.count, chars[i + 1] == "%" else { return nil }
                afterSpecifiers.append("%")
                i += 2
            } else {
                afterSpecifiers.append(chars[i])
                i += 1
            }
        }
        // 2. words, quotes and C escapes
        chars = Array(afterSpecifiers)
        i = 0
        var words: [String] = []
        while true {
            while i < chars.count, chars[i] == " " || chars[i] == "\t" { i += 1 }
            if i == chars.count { break }
            if chars[i] == ";" && (i + 1 == chars.count || chars[i + 1] == " ") { return nil }  // command separator
            var word = ""
            var quote: Character? = nil
            while i < chars.count {
                let c = chars[i]
                if quote == nil && (c == " " || c == "\t") { break }
                if c == "\\" {
                    guard i + 1 < chars.count else { return nil }
                    let n = chars[i + 1]
                    switch n {
                    case "\\", "\"", "'", " ": word.append(n)
                    case "n": word.append("\n")
                    case "t": word.append("\t")
                    default: return nil  // an escape the tests do not expect
                    }
                    i += 2
                    continue
                }
                if let q = quote, c == q {
                    quote = nil
                } else if quote == nil && (c == "\"" || c == "'") {
                    quote = c
                } else {
                    word.append(c)
                }
                i += 1
            }
            if quote != nil { return nil }
            words.append(word)
        }
        // 3. environment expansion at exec time
        var result: [String] = []
        for w in words {
            var out = ""
            let wc = Array(w)
            var j = 0
            while j < wc.count {
                if wc[j] == "$" {
                    guard j + 1 < wc.count, wc[j + 1] == "$" else { return nil }
                    out.append("$")
                    j += 2
                } else {
                    out.append(wc[j])
                    j += 1
                }
            }
            result.append(out)
        }
        return result
    }
}
