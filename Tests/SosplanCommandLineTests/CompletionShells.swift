import Foundation
import SosplanCommandLine
import SosplanTestSupport

/// The three real shells, each completing with a script rendered from a
/// spec, in a scratch folder that holds the scripts and a working
/// directory with two folders and two files to complete names from.
/// zsh and fish must be installed (`.ci/run` installs them).
struct CompletionShells {
    let scratch: ScratchDirectory
    let name: String
    /// The shells run here: `alpha/`, `beta/`, `apple.txt`, `layout.yaml`.
    var work: URL { scratch.path("work") }

    init(_ spec: CommandSpec) throws {
        scratch = try ScratchDirectory("completions")
        name = spec.name
        for shell in CompletionScript.Shell.allCases {
            try ScratchDirectory.write(CompletionScript.render(spec, shell: shell),
                                       to: "\(shell.rawValue)/\(shell.fileName(for: spec.name))", in: scratch.url)
        }
        for folder in ["alpha", "beta"] {
            try FileManager.default.createDirectory(at: work.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        for file in ["apple.txt", "layout.yaml"] { try ScratchDirectory.write("", to: file, in: work) }
        try ScratchDirectory.write(Self.zshHarness, to: "zsh-harness/harness.zsh", in: scratch.url)
        try ScratchDirectory.write(Self.zshInit, to: "zsh-harness/init.zsh", in: scratch.url)
    }

    func script(_ shell: CompletionScript.Shell) -> URL {
        scratch.path("\(shell.rawValue)/\(shell.fileName(for: name))")
    }

    /// True when a shell ran a command substitution from the script's text.
    var wasInjected: Bool { FileManager.default.fileExists(atPath: work.appendingPathComponent("PWNED").path) }

    struct Completion {
        var candidates: [String]
        var stderr: String
        var status: Int32
        /// zsh: what the terminal showed (the listing with descriptions), escape sequences removed.
        var screen: String = ""
    }

    /// Runs a shell by name from PATH with HOME and the XDG folders in the
    /// scratch folder (fish keeps state there).
    func run(_ arguments: [String]) throws -> CommandResult {
        let home = scratch.path("home").path
        return try CommandRunner.run(
            URL(fileURLWithPath: "/usr/bin/env"), arguments,
            environment: ["HOME": home, "XDG_CONFIG_HOME": home, "XDG_DATA_HOME": home, "XDG_CACHE_HOME": home, "TERM": "xterm"],
            currentDirectory: work)
    }

    /// Sources the bash script and calls its function as bash's `complete
    /// -F` would: COMP_WORDS are `words` (the last is the word at the
    /// cursor), then reads COMPREPLY.
    func bash(_ words: [String]) throws -> Completion {
        let program = #"""
            source "$1" || exit 9
            shift
            COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
            read -r -a registered <<< "$(complete -p "$1")"
            [[ ${registered[1]} == -F ]] || exit 8
            "${registered[2]}" || exit 7
            for w in "${COMPREPLY[@]}"; do printf '%s\n' "$w"; done
            """#
        let r = try run(["bash", "--norc", "--noprofile", "-c", program, "bash", script(.bash).path] + words)
        return Completion(candidates: lines(r.stdout), stderr: r.stderr, status: r.status)
    }

    /// What fish offers for `line` (`complete -C`), without descriptions;
    /// `descriptions` has them (`candidate\tdescription`).
    func fish(_ line: String) throws -> Completion {
        let r = try run(["fish", "--no-config", "-c", "source $argv[1]; and complete -C $argv[2]", script(.fish).path, line])
        return Completion(candidates: lines(r.stdout).map { String($0.prefix { $0 != "\t" }) }, stderr: r.stderr,
                          status: r.status, screen: r.stdout)
    }

    /// Completes `line` in an interactive zsh (`compinit`, the script's
    /// folder in `fpath`) on a pseudo-terminal: each match the completion
    /// functions add is printed by a `compadd` wrapper.
    func zsh(_ line: String) throws -> Completion {
        let harness = scratch.path("zsh-harness/harness.zsh").path
        let r = try run(["timeout", "60", "zsh", "-f", harness, script(.zsh).deletingLastPathComponent().path, line])
        let screen = r.stdout.components(separatedBy: "<RAW>").last ?? ""
        let matches = r.stdout.components(separatedBy: "<RAW>").first ?? ""
        return Completion(candidates: lines(matches), stderr: r.stderr, status: r.status, screen: Self.plainText(screen))
    }

    func lines(_ text: String) -> [String] { text.split(separator: "\n").map(String.init) }

    /// Terminal output without escape sequences and carriage returns.
    static func plainText(_ text: String) -> String {
        var out = ""
        var escape = false
        for c in text.unicodeScalars {
            if escape {
                if c.properties.isAlphabetic { escape = false }
            } else if c == "\u{1B}" {
                escape = true
            } else if c != "\r" {
                out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// Runs an interactive zsh on a pseudo-terminal (zsh/zpty), types the
    /// line and TAB, then ^B (a widget printing `<DONE>`), and prints the
    /// matches, then `<RAW>` and the screen.
    static let zshHarness = #"""
        zmodload zsh/zpty || exit 3
        zpty z zsh -f -i
        zpty -w z "source ${(q)0:h}/init.zsh ${(q)1}"
        zpty -r z out '*<READY>*' || exit 4
        zpty -w -n z "$2"$'\t\C-b'
        zpty -r z out '*<DONE>*' || exit 5
        zpty -d z
        raw=$out
        while [[ $out == *'<MATCH>'*'</MATCH>'* ]]; do
            out=${out#*<MATCH>}
            print -r -- ${out%%</MATCH>*}
            out=${out#*</MATCH>}
        done
        print -r -- "<RAW>$raw"
        """#

    /// Set-up typed into the interactive zsh: completion from $1, a wide
    /// terminal (descriptions whole), matches printed unquoted.
    static let zshInit = #"""
        PS1='' RPS1=''
        stty cols 1000 2>/dev/null; COLUMNS=1000
        fpath=($1 $fpath)
        autoload -Uz compinit && compinit -u -D
        compadd() {
            if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then builtin compadd "$@"; return; fi
            local -a __hits
            builtin compadd -A __hits "$@"
            local h
            for h in $__hits; do print -r -- "<MATCH>${(Q)h}</MATCH>"; done
            builtin compadd "$@"
        }
        zstyle ':completion:*' list-prompt ''
        _harness_done() { print -r -- '<DONE>'; }
        zle -N _harness_done
        bindkey '^I' complete-word
        bindkey '^B' _harness_done
        print -r -- '<READY>'
        """#
}
