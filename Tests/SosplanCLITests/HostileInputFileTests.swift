import Foundation
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
