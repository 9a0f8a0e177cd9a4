import Foundation
import SosplanCore
import SosplanTestSupport
import Testing

/// What the container tests need (`.ci/run` installs it).
enum ContainerHost {
    static let busybox = "/bin/busybox"

    static var unavailableReason: String? {
        if let why = Sandbox.unavailableReason(for: "host") { return why }
        for tool in ["/usr/bin/podman", "/usr/sbin/runc"] where !FileManager.default.isExecutableFile(atPath: tool) {
            return "\(tool) is not installed (apt-get install podman runc)"
        }
        if !FileManager.default.isExecutableFile(atPath: busybox) { return "no static busybox (apt-get install busybox-static)" }
        return nil
    }
}

/// `container:` services end to end with real podman and runc: the lab's
/// systemd runs the container unit sosplan writes, the sandbox's topology is
/// this machine's own (fixture `host`), so the container really runs on the
/// CPUs sosplan plans. The image is made here from the host's static busybox.
@Suite(.serialized, .enabled(if: ContainerHost.unavailableReason == nil, "\(ContainerHost.unavailableReason ?? "")"))
struct ContainerApplyTests {
    static let busybox = ContainerHost.busybox
    static let image = "localhost/sosplan-test-busybox:1"

    /// The payload: PID 1 of the container, a shell that ends on SIGTERM (a
    /// quick stop), with hostile arguments it ignores but shows in its cmdline.
    static let hostileArguments = ["--privileged", "%n %% $HOME ${X} $(id) `id`; \"q\" \\ 'x' %i", "a b"]
    static let hostileValue = "50% $HOME ${X} `id` \"q\" \\ 'x' %n; rm -rf /"
    static let command = ["/bin/sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done"]

    static func layout(
        cpus: String, memory: String = "64Mi", args: [String] = hostileArguments, mount: String, image: String = image,
        pull: String = "missing"
    ) -> String {
        func quoted(_ s: String) -> String { JSONWriter.compact(.string(s)) }
        return """
            apiVersion: sosplan/v1
            kind: HostLayout
            metadata: {name: containers}
            spec:
              host: {cpus: 1, confine: false}
              services:
                - name: web
                  container:
                    image: \(image)
                    command: [\(command.map(quoted).joined(separator: ", "))]
                    args: [\(args.map(quoted).joined(separator: ", "))]
                    env: {GREETING: \(quoted(hostileValue)), EMPTY: ""}
                    mounts: [{source: \(quoted(mount)), target: /data, readOnly: true}]
                    pull: \(pull)
                  cpus: {list: "\(cpus)"}
                  memory: {max: \(memory)}
                - name: pods
                  existingSlice: kubepods.slice
                  cpus: shared

            """
    }

    /// podman as the sandbox's lab runs it.
    static func podman(_ sandbox: Sandbox, _ arguments: [String]) throws -> CommandResult {
        try CommandRunner.run(URL(fileURLWithPath: sandbox.environment["SOSPLAN_PODMAN"] ?? "/nonexistent"), arguments)
    }

    /// An image holding only busybox, imported from a tarball (no registry).
    static func importImage(_ sandbox: Sandbox) throws {
        let root = sandbox.directory.appendingPathComponent("image-root")
        let bin = root.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        for dir in ["proc", "sys", "dev", "etc", "tmp"] {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(dir), withIntermediateDirectories: true)
        }
        try FileManager.default.copyItem(atPath: busybox, toPath: bin.appendingPathComponent("busybox").path)
        for tool in ["sh", "sleep", "cat", "grep", "tr"] {
            try FileManager.default.createSymbolicLink(atPath: bin.appendingPathComponent(tool).path, withDestinationPath: "busybox")
        }
        let tarball = sandbox.directory.appendingPathComponent("image.tar").path
        let tar = try CommandRunner.run(URL(fileURLWithPath: "/bin/tar"), ["-C", root.path, "-cf", tarball, "."])
        try #require(tar.status == 0, "\(tar.stderr)")
        let imported = try podman(sandbox, ["import", "--quiet", tarball, image])
        try #require(imported.status == 0, "podman import: \(imported.stderr)")
    }

    /// What the container's own PID 1 sees in /proc/1/status.
    static func allowedCPUs(_ sandbox: Sandbox) throws -> String? {
        let r = try podman(sandbox, ["exec", "sosplan-web", "/bin/grep", "Cpus_allowed_list", "/proc/1/status"])
        guard r.status == 0 else { return nil }
        return r.stdout.split(separator: ":").last.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    /// The memory limit of the container's cgroup, as the container sees it (cgroup v1 here).
    static func memoryLimit(_ sandbox: Sandbox) throws -> String? {
        let r = try podman(sandbox, ["exec", "sosplan-web", "/bin/cat", "/sys/fs/cgroup/memory/memory.limit_in_bytes"])
        return r.status == 0 ? r.stdout.trimmingCharacters(in: .whitespacesAndNewlines) : r.stderr
    }

    /// The container's id and its process's start time.
    static func identity(_ sandbox: Sandbox) throws -> String {
        let r = try podman(sandbox, ["container", "inspect", "--format", "{{.Id}} {{.State.StartedAt}}", "sosplan-web"])
        #expect(r.status == 0, "\(r.stderr)")
        return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func slice(_ sandbox: Sandbox) throws -> String {
        try sandbox.lab(["systemctl", "show", "-p", "AllowedCPUs", "-p", "ActiveState", "kubepods.slice"]).stdout
    }

    static func write(_ text: String, _ sandbox: Sandbox, _ name: String) throws -> String {
        let file = sandbox.directory.appendingPathComponent(name)
        try text.write(to: file, atomically: true, encoding: .utf8)
        return file.path
    }

    @Test func aContainerRunsOnItsPlannedCPUsMovesLiveRestartsOnlyForANewCommandAndIsRemoved() throws {
        // The container is placed on CPU 1 and read back: the real hotplug test must not take it meanwhile.
        try LiveCPU.withShared { try containerOnItsPlannedCPUs() }
    }

    func containerOnItsPlannedCPUs() throws {
        let sandbox = try Sandbox.up(fixture: "host", containers: true)
        defer { sandbox.down() }
        let online = try String(
            contentsOfFile: sandbox.directory.appendingPathComponent("root/sys/devices/system/cpu/online").path, encoding: .utf8)
        let cpus = try CPUSet(lenientList: online.trimmingCharacters(in: .whitespacesAndNewlines))
        try #require(cpus.contains(0) && cpus.contains(1), "this test needs CPUs 0 and 1 online, found \(online)")
        try Self.importImage(sandbox)
        // A pod of "another manager": a transient unit in a transient kubepods.slice, as kubelet makes them.
        let pod = try sandbox.lab(["systemd-run", "--unit=test-pod", "--slice=kubepods.slice", "/bin/sleep", "infinity"])
        try #require(pod.status == 0, "\(pod.stderr)")
        let dropIn = sandbox.unitDirectory.appendingPathComponent("kubepods.slice.d/40-sosplan-properties.conf").path

        // 1. Created on CPU 1: the process inside sees exactly that CPU.
        // A host directory whose name holds a space, '$' and '%': mounted as it is.
        let mount = sandbox.directory.appendingPathComponent("data a$b%c").path
        try FileManager.default.createDirectory(atPath: mount, withIntermediateDirectories: true)
        try "mounted\n".write(toFile: mount + "/file", atomically: true, encoding: .utf8)
        let first = try Self.write(Self.layout(cpus: "1", mount: mount), sandbox, "web-1.yaml")
        let created = try ApplyFixture.applyJSON(sandbox, [first, "--yes"])
        try #require(created.status == 0, "\(created.log)")
        #expect(try Self.allowedCPUs(sandbox) == "1")
        #expect(try Self.memoryLimit(sandbox) == "\(64 << 20)")
        // The other manager's slice is confined to the shared CPUs by a drop-in, never a unit file of sosplan's.
        #expect(try Self.slice(sandbox).contains("AllowedCPUs=0\n"))
        #expect(FileManager.default.fileExists(atPath: dropIn))
        #expect(!FileManager.default.fileExists(atPath: sandbox.unitDirectory.appendingPathComponent("kubepods.slice").path))
        let unit = try sandbox.lab(["systemctl", "show", "-p", "ActiveState", "-p", "Slice", "-p", "ExecMainPID", "sosplan-web.service"])
        #expect(unit.stdout.contains("ActiveState=active") && unit.stdout.contains("Slice=sosplan-web.slice"), "\(unit.stdout)")
        // Every hostile value reached the container verbatim: no shell, no %-specifier, no $-expansion.
        let cmdline = try Self.podman(sandbox, ["exec", "sosplan-web", "/bin/cat", "/proc/1/cmdline"])
        #expect(cmdline.stdout.split(separator: "\0", omittingEmptySubsequences: false).dropLast().map(String.init)
            == Self.command + Self.hostileArguments)
        let environ = try Self.podman(sandbox, ["exec", "sosplan-web", "/bin/cat", "/proc/1/environ"])
        let variables = environ.stdout.split(separator: "\0").map(String.init)
        #expect(variables.contains("GREETING=\(Self.hostileValue)"), "\(variables)")
        #expect(variables.contains("EMPTY="), "\(variables)")
        #expect(try Self.podman(sandbox, ["exec", "sosplan-web", "/bin/cat", "/data/file"]).stdout == "mounted\n")
        #expect(try ApplyFixture.plan(sandbox, first).status == 0, "a second plan has nothing to do")
        let started = try Self.identity(sandbox)
        // observe reports it: running, its image, the CPUs its process may use.
        let observed = try sandbox.sosplan(["observe"])
        #expect(observed.stdout.contains("sosplan-web running \(Self.image) (CPUs 1, memory nodes 0, id \(started.prefix(12)))"),
                "\(observed.stdout)")
        let snapshot = try HostSnapshot.decode(json: try sandbox.sosplan(["observe", "--format", "json"]).stdout)
        let container = try #require(snapshot.systemd?.unit("sosplan-web.service")?.container)
        #expect(container.isRunning && container.image == Self.image && container.cpusetCpus == CPUSet([1]))

        // 2. The placement moves to CPU 0 and the memory limit grows: podman update, no restart.
        let second = try Self.write(Self.layout(cpus: "0", memory: "96Mi", mount: mount), sandbox, "web-2.yaml")
        let planned = try ApplyFixture.plan(sandbox, second)
        let update = try #require(planned.plan?.steps.first { $0.action == .containerUpdate }, "\(planned.stderr)")
        #expect(update.disruption == .live)
        #expect(update.after["CpusetCpus"] == .string("0"))
        #expect(update.after["Memory"]?.uint64Value == 96 << 20)
        let moved = try ApplyFixture.applyJSON(sandbox, [second, "--yes"])
        #expect(moved.status == 0, "\(moved.log)")
        #expect(try Self.allowedCPUs(sandbox) == "0")
        #expect(try Self.identity(sandbox) == started, "the same container, not restarted")
        #expect(try Self.memoryLimit(sandbox) == "\(96 << 20)")
        #expect(try Self.slice(sandbox).contains("AllowedCPUs=1\n"), "the pods follow the shared pool")
        let liveStep = try #require(moved.events("step-done").first { $0["action"]?.stringValue == "container.update" }, "\(moved.log)")
        #expect(liveStep["actions"]?.arrayValue?.contains { $0.stringValue?.hasPrefix("podman update") == true } == true, "\(liveStep)")
        #expect(try ApplyFixture.plan(sandbox, second).status == 0)

        // 3. New arguments: a new container (restart), still on CPU 0.
        let third = try Self.write(Self.layout(cpus: "0", memory: "96Mi", args: ["new"], mount: mount), sandbox, "web-3.yaml")
        let restart = try #require(try ApplyFixture.plan(sandbox, third).plan?.steps.first { $0.action == .containerUpdate })
        #expect(restart.disruption == .restart)
        let restarted = try ApplyFixture.applyJSON(sandbox, [third, "--yes"])
        #expect(restarted.status == 0, "\(restarted.log)")
        #expect(try Self.identity(sandbox) != started)
        #expect(try Self.allowedCPUs(sandbox) == "0")

        // 4. Gone from the layout: container, unit file and unit are gone.
        let removed = try sandbox.sosplan(["apply", try ApplyFixture.empty(sandbox), "--yes"])
        #expect(removed.status == 0, "\(removed.stdout)\(removed.stderr)")
        let left = try Self.podman(sandbox, ["ps", "--all", "--format", "{{.Names}}"])
        #expect(left.status == 0 && !left.stdout.contains("sosplan-web"), "\(left.stdout)\(left.stderr)")
        #expect(!FileManager.default.fileExists(atPath: sandbox.unitDirectory.appendingPathComponent("sosplan-web.service").path))
        // The pods' slice is no longer confined, and its pod still runs.
        #expect(!FileManager.default.fileExists(atPath: dropIn))
        let pods = try Self.slice(sandbox)
        #expect(pods.contains("AllowedCPUs=\n") && pods.contains("ActiveState=active"), "\(pods)")
        #expect(try sandbox.lab(["systemctl", "is-active", "test-pod.service"]).stdout == "active\n")
        let gone = try sandbox.lab(["systemctl", "show", "-p", "LoadState", "-p", "ActiveState", "sosplan-web.service"])
        #expect(gone.stdout.contains("LoadState=not-found") && gone.stdout.contains("ActiveState=inactive"), "\(gone.stdout)")
    }

    @Test func aContainerThatCannotStartIsRolledBackLeavingNothing() throws {
        // Its layout places the container on CPU 1: the real hotplug test must not take it meanwhile.
        try LiveCPU.withShared { try containerThatCannotStart() }
    }

    func containerThatCannotStart() throws {
        let sandbox = try Sandbox.up(fixture: "host", containers: true)
        defer { sandbox.down() }
        let before = try sandbox.snapshot(units: ApplyFixture.units)
        // No such image, and podman may not pull it: the unit fails to start.
        let layout = try Self.write(
            Self.layout(cpus: "1", mount: "/tmp", image: "localhost/sosplan-test-missing:1", pull: "never"), sandbox, "missing.yaml")
        let run = try ApplyFixture.applyJSON(sandbox, [layout, "--yes"])
        #expect(run.status == 1, "\(run.log)")
        #expect(run.outcome == "rolled-back", "\(run.log)")
        #expect(run.events("step-failed").first?["action"]?.stringValue == "container.create", "\(run.log)")
        #expect(!FileManager.default.fileExists(atPath: sandbox.unitDirectory.appendingPathComponent("sosplan-web.service").path))
        let left = try Self.podman(sandbox, ["ps", "--all", "--format", "{{.Names}}"])
        #expect(left.status == 0 && !left.stdout.contains("sosplan-web"), "\(left.stdout)\(left.stderr)")
        #expect(try ApplyFixture.differences(sandbox, from: before) == [])
    }
}
