import Foundation
import SosplanCore
import SosplanDrivers
import SosplanTestSupport
import Testing

/// One apply at a time per state directory: `flock` on `<state>/lock`,
/// whose content names the holder.
@Suite struct ApplyLockTests {
    /// Hands a lock to another thread (the lock is not Sendable).
    final class Handle: @unchecked Sendable {
        let lock: ApplyLock
        init(_ lock: ApplyLock) { self.lock = lock }
    }

    func state() throws -> (ScratchDirectory, StateDirectory) {
        let dir = try ScratchDirectory("lock")
        return (dir, StateDirectory(path: dir.path("state").path))
    }

    /// The failure of an acquire that is expected to fail.
    func failure(
        _ state: StateDirectory, timeout: Double = 0, sourceLocation: SourceLocation = #_sourceLocation
    ) -> ApplyLock.Failure? {
        do {
            let lock = try ApplyLock.acquire(in: state, command: "sosplan apply second.yaml", timeout: timeout)
            Issue.record("the lock was taken while held (by pid \(getpid()))", sourceLocation: sourceLocation)
            lock.release()
            return nil
        } catch { return error }
    }

    @Test func holderIsRecordedInTheLockFile() throws {
        let (dir, state) = try self.state()
        defer { dir.remove() }
        let lock = try ApplyLock.acquire(in: state, command: "sosplan apply first.yaml", timeout: 0, hostname: "cn042")
        defer { lock.release() }
        #expect(lock.path == state.file(ApplyLock.fileName).path)
        let holder = try #require(ApplyLock.holder(at: lock.path))
        #expect(holder.pid == getpid())
        #expect(holder.command == "sosplan apply first.yaml")
        #expect(holder.hostname == "cn042")
        #expect(holder.startedAt.hasSuffix("Z") && holder.startedAt.count == "2026-01-01T00:00:00.000Z".count)
        #expect(holder.description == "pid \(getpid()) (sosplan apply first.yaml), since \(holder.startedAt)")
        // The file is one JSON line.
        let text = try String(contentsOfFile: lock.path, encoding: .utf8)
        #expect(text.hasSuffix("}\n") && text.filter { $0 == "\n" }.count == 1)
    }

    @Test func secondAcquireFailsNamingTheHolder() throws {
        let (dir, state) = try self.state()
        defer { dir.remove() }
        let lock = try ApplyLock.acquire(in: state, command: "sosplan apply first.yaml", timeout: 0)
        defer { lock.release() }
        let error = try #require(failure(state))
        guard case .held(let holder, let waited, let path) = error else {
            Issue.record("expected .held, got \(error)")
            return
        }
        #expect(holder?.pid == getpid())
        #expect(holder?.command == "sosplan apply first.yaml")
        #expect(waited == 0)
        #expect(path == lock.path)
        #expect(error.description.hasPrefix("another sosplan apply holds the lock: pid \(getpid()) (sosplan apply first.yaml), since "))
        // The failed attempt did not overwrite the holder.
        #expect(ApplyLock.holder(at: lock.path)?.command == "sosplan apply first.yaml")
    }

    @Test func releaseLetsTheNextApplyIn() throws {
        let (dir, state) = try self.state()
        defer { dir.remove() }
        let first = try ApplyLock.acquire(in: state, command: "first", timeout: 0)
        first.release()
        first.release()  // twice is harmless
        let second = try ApplyLock.acquire(in: state, command: "second", timeout: 0)
        defer { second.release() }
        #expect(ApplyLock.holder(at: second.path)?.command == "second")
        #expect(failure(state) != nil, "released twice, the first lock must not have dropped the second")
    }

    @Test func droppingTheLastReferenceReleases() throws {
        let (dir, state) = try self.state()
        defer { dir.remove() }
        do { _ = try ApplyLock.acquire(in: state, command: "first", timeout: 0) }
        let again = try ApplyLock.acquire(in: state, command: "again", timeout: 0)
        #expect(ApplyLock.holder(at: again.path)?.command == "again", "the dropped lock no longer holds the file")
        #expect(failure(state) != nil, "and the new one does")
        again.release()
    }

    @Test func waitingAcquireSucceedsOnceTheHolderReleases() throws {
        let (dir, state) = try self.state()
        defer { dir.remove() }
        let handle = Handle(try ApplyLock.acquire(in: state, command: "first", timeout: 0))
        let start = Date()
        Thread.detachNewThread {
            usleep(300_000)
            handle.lock.release()
        }
        let second = try ApplyLock.acquire(in: state, command: "second", timeout: 10)
        defer { second.release() }
        let waited = Date().timeIntervalSince(start)
        #expect(waited >= 0.25, "acquired after \(waited) s, before the holder released")
        #expect(waited < 5, "waited \(waited) s for a lock released after 0.3 s")
        #expect(ApplyLock.holder(at: second.path)?.command == "second")
    }

    @Test func waitingAcquireGivesUpAfterTheTimeout() throws {
        let (dir, state) = try self.state()
        defer { dir.remove() }
        let lock = try ApplyLock.acquire(in: state, command: "first", timeout: 0)
        defer { lock.release() }
        let start = Date()
        let error = try #require(failure(state, timeout: 0.3))
        let waited = Date().timeIntervalSince(start)
        #expect(waited >= 0.25 && waited < 3, "gave up after \(waited) s")
        #expect(error.description.hasPrefix("another sosplan apply holds the lock after waiting 0.3 s: pid \(getpid()) (first)"))
    }

    @Test func unreadableHolderIsSaidSo() throws {
        let (dir, state) = try self.state()
        defer { dir.remove() }
        let lock = try ApplyLock.acquire(in: state, command: "first", timeout: 0)
        defer { lock.release() }
        try "not json".write(toFile: lock.path, atomically: false, encoding: .utf8)
        #expect(ApplyLock.holder(at: lock.path) == nil)
        let error = try #require(failure(state))
        #expect(error.description == "another sosplan apply holds the lock: another process (its details in \(lock.path) are unreadable)")
    }

    /// util-linux's flock(1), to hold and test the lock from another process.
    static let flock = URL(fileURLWithPath: "/usr/bin/flock")
    static var hasFlock: Bool { FileManager.default.isExecutableFile(atPath: flock.path) }

    @Test(.enabled(if: hasFlock, "needs /usr/bin/flock (util-linux)"))
    func lockIsVisibleToOtherProcesses() throws {
        let flock = Self.flock
        let (dir, state) = try self.state()
        defer { dir.remove() }
        let lock = try ApplyLock.acquire(in: state, command: "first", timeout: 0)
        // flock -n exits with -E's status when the lock is held.
        #expect(try CommandRunner.run(flock, ["-n", "-E", "7", lock.path, "true"]).status == 7)
        lock.release()
        #expect(try CommandRunner.run(flock, ["-n", "-E", "7", lock.path, "true"]).status == 0)
    }

    @Test(.enabled(if: hasFlock, "needs /usr/bin/flock (util-linux)"))
    func lockHeldByAChildProcessIsWaitedFor() throws {
        let flock = Self.flock
        let (dir, state) = try self.state()
        defer { dir.remove() }
        let path = state.file(ApplyLock.fileName).path
        try DurableFile.makeDirectory(state.url.path)
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let child = Process()
        child.executableURL = flock
        child.arguments = [path, "sleep", "1"]
        try child.run()
        defer { child.waitUntilExit() }
        // Wait for the child to hold it.
        var held = false
        for _ in 0..<100 {
            if (try? CommandRunner.run(flock, ["-n", "-E", "7", path, "true"]))?.status == 7 {
                held = true
                break
            }
            usleep(20_000)
        }
        try #require(held, "the child never took the lock")
        let error = try #require(failure(state))
        #expect(error.description.contains("another process"))
        let lock = try ApplyLock.acquire(in: state, command: "after the child", timeout: 10)
        defer { lock.release() }
        #expect(ApplyLock.holder(at: path)?.command == "after the child")
        #expect(ApplyLock.holder(at: path)?.pid == getpid())
    }

    @Test func acquireCreatesTheStateDirectory() throws {
        let dir = try ScratchDirectory("lock")
        defer { dir.remove() }
        let state = StateDirectory(path: dir.path("a/b/state").path)
        let lock = try ApplyLock.acquire(in: state, command: "x", timeout: 0)
        defer { lock.release() }
        #expect(FileManager.default.fileExists(atPath: lock.path))
    }

    @Test func timestampsAreRFC3339WithMilliseconds() {
        #expect(Timestamp.format(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
        #expect(Timestamp.format(Date(timeIntervalSince1970: 86_400 * 365 + 3_661.25)) == "1971-01-01T01:01:01.250Z")
        #expect(Timestamp.format(Date(timeIntervalSince1970: 951_782_400.5)) == "2000-02-29T00:00:00.500Z")
    }
}
