import Foundation
import SosplanCore

/// `sosplan-sim` itself: install a simulated host, inject faults, resync
/// derived files, print the state or the call log, reboot the host.
enum SimCommandLine {
    static let help = """
        usage: sosplan-sim install --root DIR --tools DIR [--from-fixture SYSROOT | --cpus N --nodes M --memory SIZE]
                                   [--drivers ihk,pisces,mos]
               sosplan-sim fault  (--root DIR | --tools DIR) KIND [ARGS]
               sosplan-sim sync   (--root DIR | --tools DIR)
               sosplan-sim state  (--root DIR | --tools DIR)
               sosplan-sim calls  (--root DIR | --tools DIR) [--mutating] [--clear]
               sosplan-sim audit  (--root DIR | --tools DIR)
               sosplan-sim reboot (--root DIR | --tools DIR)
               sosplan-sim uevents --root DIR --socket PATH [--watch-pid PID]

        The tools (ihkconfig, ihkosctl, pisces_load, pisces_launch, pisces_ctrl,
        pisces_shutdown, lwkctl) and the launchers (mcexec, pisces_run, yod) are
        links to this binary in the tools directory; they find the simulated root
        in sosplan-sim.json beside them. A launcher checks that its instance is
        running, then execs the program it was given.

        calls: every tool and launcher run, one JSON object per line
        ({"tool","arguments","mutating","status"}); --mutating shows only the
        calls that changed or tried to change kernel state; --clear empties it.

        audit: what the simulated kernels hold that Linux lost: hazards recorded
        (an IHK status query of an OS without boot parameters, which oopses the
        kernel), CPUs offline that no co-kernel holds, IHK CPUs and memory stranded
        in destroyed OSes, what the IHK pool withholds, memory blocks offline in no
        Pisces enclave. One line each; exit 1 when there is any.

        reboot: what a reboot makes the kernel forget: every CPU and memory block
        online, hugepage pools empty, no IHK reservations or OS instances, no Pisces
        enclaves, no mOS partition. The tools, sosplan-sim.json, the call log and
        the faults stay.

        uevents: the simulated kernel's uevent broadcast: sends online/offline
        (kernel message format, increasing SEQNUM) to the datagram socket PATH
        whenever anything writes a CPU's or memory block's sysfs state.

        Fault kinds:
          fail TOOL ACTION... [--nth N] [--count N] [--errno NAME]
                                 the Nth call of ACTION fails (count 0: until cleared)
          stall TOOL ACTION... SECONDS [--after] [--nth N] [--count N]
                                 the Nth call of ACTION (fewer words match more; 'any':
                                 every call) sleeps SECONDS before its work, holding no lock
                                 (--after: once its work is done and saved, before it exits)
          fragment NODE SIZE     only SIZE more can be taken from NODE
          chunks NODE SIZE,...   IHK's free memory on NODE is runs of these sizes
          buildid ID             ihkconfig 0 get buildid prints ID
          mcctrl-missing         /proc/modules has no mcctrl
          refuse-offline CPU     CPU cannot leave Linux (its online file goes away)
          hold-device OS [--count N]   a process holds /dev/mcosOS (destroy: EBUSY)
          panic                  the next IHK boot ends in PANIC
          mos-job JOBID [--reserved CPUS]   an active mOS job (and the CPUs yod holds)
          boot-polls N
          list | clear
        """

    static func run(_ args: [String]) -> Int32 {
        guard let command = args.first else {
            print(help)
            return 2
        }
        let rest = Array(args.dropFirst())
        do {
            switch command {
            case "install": return try install(rest)
            case "fault": return try SimFaultCommand.run(rest)
            case "sync":
                let (root, _) = try rootOption(rest)
                try withContext(root) { _ in }
                return 0
            case "calls": return try SimCallLog.command(rest)
            case "audit": return try SimAudit.command(rest)
            case "reboot":
                let (root, extra) = try rootOption(rest)
                guard extra.isEmpty else { throw SimStore.SimError(description: "reboot takes no options besides --root/--tools") }
                try withContext(root) { SimReboot.run($0) }
                return 0
            case "uevents": return try SimUevents.run(rest)
            case "state":
                let (root, _) = try rootOption(rest)
                let text = (try? String(contentsOfFile: root + SimStore.directory + "/state.json", encoding: .utf8)) ?? ""
                print(text, terminator: "")
                return 0
            case "help", "--help", "-h":
                print(help)
                return 0
            default:
                FileHandle.standardError.write(Data("sosplan-sim: unknown command '\(command)'\n\(help)\n".utf8))
                return 2
            }
        } catch {
            FileHandle.standardError.write(Data("sosplan-sim: \(error)\n".utf8))
            return 1
        }
    }

    static func install(_ args: [String]) throws -> Int32 {
        var o = SimInstaller.Options()
        var i = 0
        func value() throws -> String {
            i += 1
            guard i < args.count else { throw SimStore.SimError(description: "\(args[i - 1]) needs a value") }
            return args[i]
        }
        while i < args.count {
            switch args[i] {
            case "--root": o.root = try value()
            case "--tools": o.tools = try value()
            case "--from-fixture": o.fixture = try value()
            case "--cpus": o.cpus = try Int(value()) ?? -1
            case "--nodes": o.nodes = try Int(value()) ?? -1
            case "--memory":
                let text = try value()
                guard let size = (try? ByteSize.parse(text).get())?.bytes ?? IHKFormat.memparse(text) else {
                    throw SimStore.SimError(description: "--memory '\(text)' is not a size like 16Gi")
                }
                o.memory = size
            case "--drivers":
                o.drivers = try value().split(separator: ",").map(String.init)
                for d in o.drivers where !["ihk", "pisces", "mos"].contains(d) {
                    throw SimStore.SimError(description: "unknown driver '\(d)' (ihk, pisces, mos)")
                }
            default: throw SimStore.SimError(description: "unknown option '\(args[i])'")
            }
            i += 1
        }
        guard !o.root.isEmpty, !o.tools.isEmpty else { throw SimStore.SimError(description: "install needs --root and --tools") }
        try SimInstaller(options: o).run()
        return 0
    }

    /// `--root DIR` or `--tools DIR` (read sosplan-sim.json there); returns
    /// the root and the remaining arguments.
    static func rootOption(_ args: [String]) throws -> (String, [String]) {
        guard args.count >= 2 else { throw SimStore.SimError(description: "needs --root DIR or --tools DIR") }
        switch args[0] {
        case "--root": return (args[1], Array(args.dropFirst(2)))
        case "--tools": return (try SimStore.root(forTool: args[1] + "/ihkconfig"), Array(args.dropFirst(2)))
        default: throw SimStore.SimError(description: "needs --root DIR or --tools DIR first")
        }
    }

    static func withContext(_ root: String, _ body: (SimContext) throws -> Void) throws {
        try SimStore.locked(root: root) {
            let ctx = try SimContext(root: root, tool: "sosplan-sim", arguments: [])
            try body(ctx)
            ctx.finish(call: nil)
            print(ctx.stdout, terminator: "")
        }
    }
}
