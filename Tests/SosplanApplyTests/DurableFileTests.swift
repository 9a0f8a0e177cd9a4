import Foundation
import SosplanDrivers
import SosplanTestSupport
import Testing

/// Whole-file replacement and the append-only log.
@Suite struct DurableFileTests {
    func entries(_ dir: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
    }

    func permissions(_ path: String) throws -> Int {
        try #require(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
    }

    // MARK: DurableFile

    @Test func replaceWritesAndReplacesWithoutLeavingTemporaryFiles() throws {
        let dir = try ScratchDirectory("durable")
        defer { dir.remove() }
        let path = dir.path("plan.json").path
        try DurableFile.replace(path, with: Array("first\n".utf8))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "first\n")
        try DurableFile.replace(path, with: Array("second, longer\n".utf8))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "second, longer\n")
        try DurableFile.replace(path, with: [])
        #expect(FileManager.default.contents(atPath: path) == Data())
        #expect(try entries(dir.url) == ["plan.json"], "no temporary file is left behind")
    }

    @Test func replaceKeepsTheOldFileWhenItCannotWrite() throws {
        let dir = try ScratchDirectory("durable")
        defer { dir.remove() }
        let path = dir.path("state.json").path
        try DurableFile.replace(path, with: Array("old".utf8))
        // A directory where the temporary file would go makes the open fail.
        let blocker = dir.path(".state.json.tmp-\(getpid())").path
        try FileManager.default.createDirectory(atPath: blocker, withIntermediateDirectories: false)
        #expect(throws: DurableFile.Failure.self) { try DurableFile.replace(path, with: Array("new".utf8)) }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "old")
    }

    @Test func replaceOfADirectoryFailsAndCleansUp() throws {
        let dir = try ScratchDirectory("durable")
        defer { dir.remove() }
        let target = dir.path("taken")
        try FileManager.default.createDirectory(at: target.appendingPathComponent("inside"), withIntermediateDirectories: true)
        do {
            try DurableFile.replace(target.path, with: Array("x".utf8))
            Issue.record("a non-empty directory was replaced by a file")
        } catch {
            #expect(error.description.contains("rename"), "\(error)")
        }
        #expect(try entries(dir.url) == ["taken"], "the temporary file was removed")
    }

    @Test func replaceCreatesFoldersAndSetsTheMode() throws {
        let dir = try ScratchDirectory("durable")
        defer { dir.remove() }
        let path = dir.path("a/b/secret").path
        try DurableFile.replace(path, with: Array("s".utf8), mode: 0o600)
        #expect(try permissions(path) == 0o600)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "s")
    }

    @Test func moveRenames() throws {
        let dir = try ScratchDirectory("durable")
        defer { dir.remove() }
        let from = dir.path("journal.jsonl").path, to = dir.path("last-apply.jsonl").path
        try DurableFile.replace(to, with: Array("older".utf8))
        try DurableFile.replace(from, with: Array("newer".utf8))
        try DurableFile.move(from, to: to)
        #expect(!FileManager.default.fileExists(atPath: from))
        #expect(try String(contentsOfFile: to, encoding: .utf8) == "newer")
        #expect(throws: DurableFile.Failure.self) { try DurableFile.move(from, to: to) }
    }

    // MARK: DurableLog

    @Test func logAppendsLinesThatReadBack() throws {
        let dir = try ScratchDirectory("durable")
        defer { dir.remove() }
        let path = dir.path("logs/journal.jsonl").path
        #expect(DurableLog.lines(of: path) == nil, "no file: nil")
        let log = try DurableLog(path: path)
        #expect(log.path == path)
        #expect(DurableLog.lines(of: path) == [], "an empty file has no lines")
        try log.append("{\"a\":1}")
        try log.append("second line")
        #expect(DurableLog.lines(of: path) == ["{\"a\":1}", "second line"])
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "{\"a\":1}\nsecond line\n")
        #expect(try permissions(path) == 0o600)
    }

    @Test func reopeningAppendsAfterWhatIsThere() throws {
        let dir = try ScratchDirectory("durable")
        defer { dir.remove() }
        let path = dir.path("log").path
        do {
            let log = try DurableLog(path: path)
            try log.append("one")
        }
        let again = try DurableLog(path: path)
        try again.append("two")
        #expect(DurableLog.lines(of: path) == ["one", "two"])
    }

    @Test func tornLastLineIsDropped() throws {
        let dir = try ScratchDirectory("durable")
        defer { dir.remove() }
        let path = dir.path("log").path
        let log = try DurableLog(path: path)
        try log.append("one")
        try log.append("two")
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        handle.write(Data("thr".utf8))
        handle.closeFile()
        #expect(DurableLog.lines(of: path) == ["one", "two"])
        // The next complete record follows the torn bytes (readers see it glued on).
        try log.append("ee")
        #expect(DurableLog.lines(of: path) == ["one", "two", "three"])
    }

    @Test(arguments: [
        ("", [String]()), ("partial", []), ("a\n", ["a"]), ("a\nb", ["a"]), ("a\nb\n", ["a", "b"]), ("a\n\nb\n", ["a", "b"]),
        ("é\n{\"x\":\"ü\"}\n", ["é", "{\"x\":\"ü\"}"]),
    ])
    func linesOfFiles(text: String, lines: [String]) throws {
        let dir = try ScratchDirectory("durable")
        defer { dir.remove() }
        let path = dir.path("log").path
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        #expect(DurableLog.lines(of: path) == lines)
    }

    @Test func logOnAPathThatIsADirectoryFails() throws {
        let dir = try ScratchDirectory("durable")
        defer { dir.remove() }
        #expect(throws: DurableFile.Failure.self) { _ = try DurableLog(path: dir.url.path) }
    }
}

/// Every file sosplan keeps goes through `DurableFile`: the state
/// directory's caches and registry, and unit files, whose directories are
/// fsynced together before systemd reads them.
@Suite struct OneDurableWriterTests {
    func entries(_ dir: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
    }

    @Test func aDeferredReplaceNamesTheDirectoriesToSync() throws {
        let dir = try ScratchDirectory("durable")
        defer { dir.remove() }
        var pending = Set<String>()
        try DurableFile.replace(dir.path("a.conf").path, with: Array("a\n".utf8), directoriesToSync: &pending)
        #expect(pending == [dir.url.path])
        try DurableFile.replace(dir.path("new.d/b.conf").path, with: Array("b\n".utf8), directoriesToSync: &pending)
        #expect(pending == [dir.url.path, dir.path("new.d").path], "a new directory is an entry of its parent")
        try DurableFile.syncDirectories(pending)
        #expect(try entries(dir.url) == ["a.conf", "new.d"] && (try entries(dir.path("new.d"))) == ["b.conf"])
    }

    @Test func theStateDirectoryWritesDurably() throws {
        let dir = try ScratchDirectory("durable")
        defer { dir.remove() }
        let state = StateDirectory(path: dir.path("state").path)
        try state.writeAtomically(Data("{}\n".utf8), to: "enclaves.json")
        try state.writeAtomically(Data("{\"a\":1}\n".utf8), to: "enclaves.json")
        #expect(state.read("enclaves.json") == Data("{\"a\":1}\n".utf8))
        #expect(try entries(state.url) == ["enclaves.json"], "no temporary file is left")
        let mode = try #require(FileManager.default.attributesOfItem(atPath: state.file("enclaves.json").path)[.posixPermissions] as? Int)
        #expect(mode == 0o644)
    }

    @Test func unitFilesAreWrittenThenTheirDirectoriesSyncedOnce() throws {
        let dir = try ScratchDirectory("units")
        defer { dir.remove() }
        let units = UnitDirectory(url: dir.url)
        let text = "[Unit]\nX-Sosplan-Managed=slice\n"
        #expect(try units.write(text, to: "sosplan-a.slice", unit: "sosplan-a.slice"))
        #expect(try !units.write(text, to: "sosplan-a.slice", unit: "sosplan-a.slice"), "the same text is not written again")
        #expect(try units.write(text, to: "x.slice.d/40-sosplan-properties.conf", unit: "x.slice"))
        try units.syncChanges()
        #expect(try entries(dir.url) == ["sosplan-a.slice", "x.slice.d"], "no temporary file is left")
        #expect(try units.remove("x.slice.d/40-sosplan-properties.conf", unit: "x.slice"))
        try units.syncChanges()
        #expect(try entries(dir.url) == ["sosplan-a.slice"], "the emptied drop-in directory went too")
    }
}
