import SosplanTestSupport
import Testing

/// The `sosplan` binary's own command line: every command answers
/// `--help` with its options, `help COMMAND` is the same text, the
/// version is the version, and a mistake is a usage error (exit 64) that
/// says what was expected, whatever the user typed.
@Suite struct CommandLineTests {
    static let commands: [[String]] = [
        ["validate"], ["observe"], ["plan"], ["apply"], ["show"], ["reconcile"], ["status"], ["install"],
        ["job"], ["job", "prolog"], ["job", "epilog"],
    ]

    @Test(arguments: commands) func everyCommandHasItsHelp(path: [String]) throws {
        let r = try CommandRunner.sosplan(path + ["--help"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("USAGE: sosplan \(path.joined(separator: " "))"), "\(r.stdout)")
        #expect(r.stdout.contains("  -h, --help              Show help information.\n"))
        let viaHelp = try CommandRunner.sosplan(["help"] + path)
        #expect(viaHelp.status == 0 && viaHelp.stdout == r.stdout)
    }

    @Test func theHostOptionsAreInTheHelpOfEveryCommandThatReadsTheHost() throws {
        for path in [["observe"], ["plan"], ["apply"], ["show"], ["reconcile"], ["status"], ["install"], ["job", "prolog"]] {
            let help = try CommandRunner.sosplan(path + ["--help"]).stdout
            for option in ["--root <DIR>", "--systemd-bus <ADDRESS>", "--no-systemd", "--state-dir <DIR>", "--slurm-daemon-control <PROGRAM>"] {
                #expect(help.contains("  \(option)"), "\(path): \(option)")
            }
        }
    }

    @Test func theRootSaysTheVersionAndListsTheCommands() throws {
        let v = try CommandRunner.sosplan(["--version"])
        #expect(v.status == 0 && v.stdout == "0.1.0\n")
        let bare = try CommandRunner.sosplan([])
        #expect(bare.status == 0)
        for name in ["validate", "observe", "plan", "apply", "show", "reconcile", "status", "install", "job"] {
            #expect(bare.stdout.contains("\n  \(name) "), "\(name)")
        }
    }

    @Test func mistakesAreUsageErrorsThatSayWhatWasExpected() throws {
        let unknown = try CommandRunner.sosplan(["plan", "x.yaml", "--formt", "json"])
        #expect(unknown.status == 64)
        #expect(unknown.stderr == """
            Error: Unknown option '--formt'. Did you mean '--format'?
            Usage: sosplan plan [<options>] <LAYOUT>
              See 'sosplan plan --help' for more information.

            """)
        let missing = try CommandRunner.sosplan(["job", "epilog"])
        #expect(missing.status == 64)
        #expect(missing.stderr.hasPrefix("Error: Missing expected argument '--layout <FILE>'\nHelp:  --layout <FILE>  The host layout"))
        let badValue = try CommandRunner.sosplan(["apply", "--lock-timeout", "soon"])
        #expect(badValue.status == 64)
        #expect(badValue.stderr.hasPrefix("Error: The value 'soon' is invalid for '--lock-timeout <SECONDS>'"))
        // A command's own check of its options is a usage error too.
        let refused = try CommandRunner.sosplan(["reconcile", "x.yaml", "--uevent-socket", "/run/u"])
        #expect(refused.status == 64)
        #expect(refused.stderr.hasPrefix("Error: --uevent-socket is read only with --watch\nUsage: sosplan reconcile [<options>] <LAYOUT>\n"))
        // So are the checks of the option groups every host command shares.
        let relative = try CommandRunner.sosplan(["observe", "--kubelet-dir", "var/lib/kubelet"])
        #expect(relative.status == 64)
        #expect(relative.stderr.hasPrefix("Error: --kubelet-dir must be an absolute path"), "\(relative.stderr)")
        let socket = try CommandRunner.sosplan(["status", "--format", "nrt", "--pod-resources", ""])
        #expect(socket.status == 64)
        #expect(socket.stderr.hasPrefix("Error: --pod-resources must be a socket path"), "\(socket.stderr)")
        let hostile = try CommandRunner.sosplan(["plan", "x.yaml", "--\u{1B}]0;title\u{7}"])
        #expect(hostile.status == 64)
        #expect(!hostile.stderr.contains("\u{1B}") && !hostile.stderr.contains("\u{7}"), "\(hostile.stderr)")
    }
}
