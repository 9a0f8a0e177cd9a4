import Foundation
import SosplanTestSupport

/// Every path a command's own process writes, from `strace -ff -y`: files
/// opened for writing (or created, truncated, appended to), renamed,
/// linked, removed, made, or whose mode changed. Processes that execute
/// another program (the co-kernel tools, podman, systemctl) are that
/// program's, not sosplan's, and are listed apart.
struct WriteTrace {
    static var strace: URL? {
        ["/usr/bin/strace", "/bin/strace"].map(URL.init(fileURLWithPath:)).first {
            FileManager.default.isExecutableFile(atPath: $0.path)
        }
    }

    static let calls = [
        "open", "openat", "openat2", "creat", "rename", "renameat", "renameat2", "link", "linkat", "symlink", "symlinkat",
        "unlink", "unlinkat", "mkdir", "mkdirat", "rmdir", "mknod", "mknodat", "truncate", "ftruncate", "chmod", "fchmodat",
        "chown", "fchownat", "lchown", "utimensat", "execve",
    ]

    /// What was written, absolute and normalized, with the call that did it.
    var writes: [(path: String, call: String)] = []
    /// Programs other than sosplan that sosplan's processes executed.
    var executed: [String] = []

    /// Runs `arguments` (a sosplan command line) under strace.
    static func run(_ arguments: [String], environment: [String: String], in directory: URL) throws -> (CommandResult, WriteTrace) {
        let traces = directory.appendingPathComponent("trace-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: traces, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: traces) }
        let result = try CommandRunner.run(
            strace!, ["-ff", "-qq", "-y", "-s", "4096", "-o", traces.appendingPathComponent("t").path,
                      "-e", "trace=" + calls.joined(separator: ",")] + [RepositoryPaths.product("sosplan").path] + arguments,
            replacingEnvironment: CommandRunner.hostEnvironment(environment))
        var trace = WriteTrace()
        for file in try FileManager.default.contentsOfDirectory(atPath: traces.path).sorted() {
            let text = try String(contentsOf: traces.appendingPathComponent(file), encoding: .utf8)
            trace.add(process: text.split(separator: "\n").map(String.init))
        }
        return (result, trace)
    }

    /// One process's calls; those after it executed another program are not sosplan's.
    mutating func add(process lines: [String]) {
        for line in lines {
            guard let call = Call(line), call.result >= 0 else { continue }
            if call.name == "execve" {
                let program = call.strings.first ?? ""
                if program != RepositoryPaths.product("sosplan").path {
                    executed.append(program)
                    return
                }
                continue
            }
            for path in call.writtenPaths() { writes.append((path, call.name)) }
        }
    }

    /// A parsed strace line: `name(arg, arg...) = result<decoded path>`.
    struct Call {
        var name: String
        var arguments: [String]
        var result: Int
        var resultPath: String?

        init?(_ line: String) {
            guard let open = line.firstIndex(of: "("), let close = line.range(of: ") = ", options: .backwards) else { return nil }
            name = String(line[..<open])
            arguments = Call.split(String(line[line.index(after: open)..<close.lowerBound]))
            let tail = line[close.upperBound...]
            let digits = tail.prefix { $0 == "-" || $0.isNumber }
            guard let r = Int(digits) else { return nil }
            result = r
            if let lt = tail.firstIndex(of: "<"), let gt = tail.lastIndex(of: ">") , lt < gt {
                resultPath = String(tail[tail.index(after: lt)..<gt])
            }
        }

        /// Top-level arguments (commas inside quotes, brackets, braces and `<...>` kept).
        static func split(_ s: String) -> [String] {
            var out: [String] = [], current = "", depth = 0, quoted = false, escaped = false
            for c in s {
                if quoted {
                    current.append(c)
                    if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == "\"" { quoted = false }
                    continue
                }
                switch c {
                case "\"": quoted = true; current.append(c)
                case "[", "{", "<": depth += 1; current.append(c)
                case "]", "}", ">": depth -= 1; current.append(c)
                case "," where depth == 0:
                    out.append(current.trimmingCharacters(in: .whitespaces))
                    current = ""
                default: current.append(c)
                }
            }
            if !current.isEmpty { out.append(current.trimmingCharacters(in: .whitespaces)) }
            return out
        }

        /// The string arguments, unquoted (strace's C escapes of `"` and `\` undone).
        var strings: [String] {
            arguments.compactMap { a in
                guard a.hasPrefix("\""), a.hasSuffix("\""), a.count >= 2 else { return nil }
                return String(a.dropFirst().dropLast()).replacingOccurrences(of: "\\\"", with: "\"").replacingOccurrences(of: "\\\\", with: "\\")
            }
        }

        /// `AT_FDCWD</dir>` or `3</dir>`: the directory a relative path is in.
        static func directory(_ argument: String) -> String? {
            guard let lt = argument.firstIndex(of: "<"), argument.hasSuffix(">") else { return nil }
            return String(argument[argument.index(after: lt)..<argument.index(before: argument.endIndex)])
        }

        /// Path `index` (a quoted string) resolved against the directory argument before it, if any.
        func path(at index: Int, directoryAt dirIndex: Int? = nil) -> String? {
            guard index < arguments.count, arguments[index].hasPrefix("\"") else { return nil }
            let raw = String(arguments[index].dropFirst().dropLast())
            if raw.hasPrefix("/") { return Call.normalized(raw) }
            let base = dirIndex.flatMap { $0 < arguments.count ? Call.directory(arguments[$0]) : nil } ?? "/"
            return Call.normalized(base + "/" + raw)
        }

        static func normalized(_ path: String) -> String { URL(fileURLWithPath: path).standardizedFileURL.path }

        func writtenPaths() -> [String] {
            let writeFlags = ["O_WRONLY", "O_RDWR", "O_CREAT", "O_TRUNC", "O_APPEND"]
            switch name {
            case "open", "openat", "openat2", "creat":
                let flags = arguments.first { $0.contains("O_") } ?? ""
                guard name == "creat" || writeFlags.contains(where: flags.contains) else { return [] }
                return [resultPath ?? path(at: name == "open" ? 0 : 1, directoryAt: name == "open" ? nil : 0) ?? "?"]
            // A rename changes both names; a link or symbolic link only makes the new one.
            case "rename": return [path(at: 0), path(at: 1)].compactMap { $0 }
            case "link", "symlink": return [path(at: 1)].compactMap { $0 }
            case "renameat", "renameat2": return [path(at: 1, directoryAt: 0), path(at: 3, directoryAt: 2)].compactMap { $0 }
            case "linkat": return [path(at: 3, directoryAt: 2)].compactMap { $0 }
            case "symlinkat": return [path(at: 2, directoryAt: 1)].compactMap { $0 }
            case "unlink", "mkdir", "rmdir", "mknod", "truncate", "chmod", "chown", "lchown": return [path(at: 0)].compactMap { $0 }
            case "unlinkat", "mkdirat", "mknodat", "fchmodat", "fchownat", "utimensat": return [path(at: 1, directoryAt: 0)].compactMap { $0 }
            case "ftruncate": return [arguments.first.flatMap(Call.directory) ?? "?"]
            default: return []
            }
        }
    }
}
