import Foundation
import SosplanCore
import SosplanTestSupport
import Testing

/// What is given as a file but is not one (a directory, a FIFO nobody
/// writes to, a device, a loop of symbolic links) or is far too large ends
/// the command at once with exit 1 and a message naming the file: no read
/// that blocks or never ends, no unbounded memory.
@Suite struct HostileInputFileTests {
    struct Inputs {
        let scratch: ScratchDirectory
        var fifo: String { scratch.path("pipe.yaml").path }
        var loop: String { scratch.path("loop.yaml").path }
        var huge: String { scratch.path("huge.yaml").path }
        var hugeJSON: String { scratch.path("huge.json").path }

        init() throws {
            scratch = try ScratchDirectory("hostile-files")
            #expect(mkfifo(scratch.path("pipe.yaml").path, 0o644) == 0)
            try FileManager.default.createSymbolicLink(atPath: scratch.path("loop.yaml").path, withDestinationPath: "loop2.yaml")
            try FileManager.default.createSymbolicLink(atPath: scratch.path("loop2.yaml").path, withDestinationPath: "loop.yaml")
            // Sparse: 2 MiB and 20 MiB of nothing, cheap to make.
            for (name, size) in [("huge.yaml", 2 << 20), ("huge.json", 20 << 20)] {
                #expect(FileManager.default.createFile(atPath: scratch.path(name).path, contents: nil))
                let handle = try FileHandle(forWritingTo: scratch.path(name))
                try handle.truncate(atOffset: UInt64(size))
                try handle.close()
            }
        }
    }

    @Test func layoutsThatAreNotFilesAreRefused() throws {
        let inputs = try Inputs()
        defer { inputs.scratch.remove() }
        let cases: [(String, String)] = [
            (inputs.scratch.url.path, "cannot read: it is a directory, not a regular file"),
            (inputs.fifo, "cannot read: it is a FIFO (named pipe), not a regular file"),
            ("/dev/zero", "cannot read: it is a device, not a regular file"),
            (inputs.loop, "cannot read: a loop of symbolic links"),
            (inputs.huge, "file is 2097152 bytes; a layout may be at most 1 MiB (1048576 bytes)"),
        ]
        for (path, message) in cases {
            for command in [["validate", path], ["show", path], ["plan", path, "--snapshot", "/nonexistent"]] {
                let r = try CommandRunner.sosplan(command)
                #expect(r.status == 1 && !r.signaled, "\(command): \(r.stderr)")
                if command[0] != "plan" {
                    // FILE: for what cannot be read, FILE:1:1: for what is too long.
                    #expect(r.stderr.hasPrefix("\(path):") && r.stderr.contains(" error: \(message)"), "\(command): \(r.stderr)")
                }
            }
        }
    }

    @Test func snapshotsThatAreNotFilesAreRefused() throws {
        let inputs = try Inputs()
        defer { inputs.scratch.remove() }
        let layout = RepositoryPaths.examples.appendingPathComponent("minimal.yaml").path
        let cases: [(String, String)] = [
            (inputs.fifo, "it is a FIFO (named pipe), not a regular file"),
            ("/dev/zero", "it is a device, not a regular file"),
            (inputs.loop, "a loop of symbolic links"),
            (inputs.hugeJSON, "it is 20971520 bytes; at most 16777216 bytes are read"),
        ]
        for (path, reason) in cases {
            let r = try CommandRunner.sosplan(["plan", layout, "--snapshot", path])
            #expect(r.status == 1 && !r.signaled, "\(path): \(r.stderr)")
            #expect(r.stderr.hasPrefix("error: cannot read the snapshot '\(path)': \(reason)"), "\(path): \(r.stderr)")
        }
    }

    @Test func aHugeStandardInputIsCutOff() throws {
        let r = try CommandRunner.sosplan(["validate", "-"], stdin: String(repeating: "#", count: (1 << 20) + 10))
        #expect(r.status == 1)
        #expect(r.stderr.hasPrefix("<stdin>:1:1: error: file holds more than 1048576 bytes; a layout may be at most 1 MiB"), "\(r.stderr)")
    }
}

/// Layouts and snapshots hold data, not types or contradictions: what a
/// careful reader could take two ways is an error at its position.
@Suite struct HostileDocumentTests {
    @Test func layoutTagsKeysAndNULsAreErrorsAtTheirPosition() throws {
        let scratch = try ScratchDirectory("hostile-documents")
        defer { scratch.remove() }
        let head = "apiVersion: sosplan/v1\nkind: HostLayout\n"
        let cases: [(String, [UInt8], String)] = [
            ("python.yaml", Array((head + "metadata: !!python/object:os.system {name: a}\nspec: {}\n").utf8),
             "python.yaml:3:11: error: unknown tag '!!python/object:os.system' on a mapping"),
            ("custom.yaml", Array((head + "metadata: {name: !custom a}\nspec: {}\n").utf8), "custom.yaml:3:18: error: unknown tag '!custom' on a value"),
            ("nul.yaml", Array((head + "metadata: {name: a").utf8) + [0] + Array("b}\nspec: {}\n".utf8),
             "nul.yaml:3:19: error: a NUL byte is not allowed in a YAML file"),
        ]
        for (name, bytes, expected) in cases {
            let file = scratch.path(name)
            try Data(bytes).write(to: file)
            let r = try CommandRunner.sosplan(["validate", file.path])
            #expect(r.status == 1, "\(name): \(r.stdout)")
            #expect(r.stderr.hasPrefix(scratch.url.path + "/" + expected), "\(name): \(r.stderr)")
        }
    }

    @Test func snapshotKeysGivenTwiceAndContradictorySiblingsAreRefused() throws {
        let scratch = try ScratchDirectory("hostile-snapshots")
        defer { scratch.remove() }
        let layout = RepositoryPaths.examples.appendingPathComponent("minimal.yaml").path
        let text = try String(contentsOf: RepositoryPaths.fixtures.appendingPathComponent("Snapshots/8em64t-2s2ca2c.json"), encoding: .utf8)
        let twice = text.replacingOccurrences(of: "\"schema\": \"sosplan.snapshot/v1\",", with: "\"schema\": \"sosplan.snapshot/v1\",\n  \"schema\": \"sosplan.snapshot/v1\",")
        try twice.write(to: scratch.path("twice.json"), atomically: true, encoding: .utf8)
        let r = try CommandRunner.sosplan(["plan", layout, "--snapshot", scratch.path("twice.json").path])
        #expect(r.status == 1)
        #expect(r.stderr.hasPrefix("error: \(scratch.path("twice.json").path):3:3: 'schema' is given twice in this object (first at 2:3)"), "\(r.stderr)")

        var snapshot = try HostSnapshot.decode(json: text)
        snapshot.topology.cpus[0].threadSiblings = CPUSet([0, 1])
        try snapshot.jsonText().write(to: scratch.path("siblings.json"), atomically: true, encoding: .utf8)
        let s = try CommandRunner.sosplan(["plan", layout, "--snapshot", scratch.path("siblings.json").path])
        #expect(s.status == 1)
        #expect(s.stderr.contains("topology.cpus[0].threadSiblings: CPU 0 has thread siblings 0-1, but CPU 1 has 1"), "\(s.stderr)")
    }

    /// A hugepage directory whose size overflows 64 bits made the probe
    /// trap; absurd values are warnings naming the file now.
    @Test func absurdSysfsValuesAreWarningsNotACrash() throws {
        let scratch = try ScratchDirectory("hostile-sysfs")
        defer { scratch.remove() }
        let root = try scratch.copyFixture("kvm-16c-1n")
        let node = "sys/devices/system/node/node0"
        try ScratchDirectory.write("1\n", to: "\(node)/hugepages/hugepages-18014398509481984kB/nr_hugepages", in: root)
        try ScratchDirectory.write("Node 0 MemTotal: 18014398509481983 kB\n", to: "\(node)/meminfo", in: root)
        try ScratchDirectory.write("\n", to: "sys/devices/system/cpu/online", in: root)
        let r = try CommandRunner.sosplan(["observe", "--root", root.path, "--no-systemd", "--format", "json"])
        #expect(r.status == 0 && !r.signaled, "\(r.stderr)")
        let snapshot = try HostSnapshot.decode(json: r.stdout)
        #expect(snapshot.topology.onlineCPUs.count == 16)
        #expect(snapshot.topology.nodes[0].memoryBytes == 0)
        for file in ["\(node)/hugepages/hugepages-18014398509481984kB", "sys/devices/system/node/nodeN/meminfo", "sys/devices/system/cpu/online"] {
            #expect(snapshot.warnings.contains { $0.contains(file) }, "\(file): \(snapshot.warnings)")
        }
    }
}
