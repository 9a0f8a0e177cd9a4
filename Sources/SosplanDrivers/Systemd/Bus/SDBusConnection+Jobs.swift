import CSystemd
import FoundationEssentials
import Glibc

/// Results of systemd jobs seen in `JobRemoved` signals, by job object path.
/// Filled by the signal callback on the connection's thread.
final class JobTracker {
    var results: [String: String] = [:]
}

extension SDBusConnection {
    /// Calls a Manager method that queues a job (`StartUnit`, `RestartUnit`,
    /// `StopUnit`, ...) and waits until systemd removes the job; returns the
    /// job's result (`done`, `failed`, `canceled`, `timeout`, `dependency`,
    /// `skipped`).
    ///
    /// The `JobRemoved` match is installed before the call, and signals that
    /// arrive while `sd_bus_call` waits are queued, so a job that finishes
    /// before its reply is read is not missed.
    public func callJob(member: String, _ arguments: [DBusValue], timeout: Double) throws(DBusError) -> String {
        try watchJobs()
        jobs.results.removeAll()
        let reply = try call(
            path: "/org/freedesktop/systemd1", interface: "org.freedesktop.systemd1.Manager", member: member,
            arguments)
        guard let job = reply.first?.stringValue else {
            throw DBusError(name: "sosplan.UnexpectedReply", message: "\(member) returned no job path")
        }
        return try waitForJob(job, timeout: timeout)
    }

    private func watchJobs() throws(DBusError) {
        if jobSlot != nil { return }
        let tracker = Unmanaged.passUnretained(jobs).toOpaque()  // the connection owns `jobs` and outlives the slot
        var slot: OpaquePointer?
        let r = withHandle { bus in
            sd_bus_match_signal(
                bus, &slot, nil, "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager", "JobRemoved",
                { message, userdata, _ in
                    guard let message, let userdata else { return 0 }
                    let tracker = Unmanaged<JobTracker>.fromOpaque(userdata).takeUnretainedValue()
                    // JobRemoved(u id, o job, s unit, s result)
                    guard let values = try? SDBusMessage.readAll(message), values.count == 4,
                        let job = values[1].stringValue, let result = values[3].stringValue
                    else { return 0 }
                    tracker.results[job] = result
                    return 0
                }, tracker)
        }
        if r < 0 { throw DBusError(errno: r, doing: "subscribing to JobRemoved") }
        jobSlot = slot
        // No `Subscribe`: systemd sends JobRemoved to the client that queued
        // the job anyway (as systemctl relies on), and a subscriber makes
        // systemd serialize PropertiesChanged for every change of every unit.
    }

    private func waitForJob(_ job: String, timeout: Double) throws(DBusError) -> String {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let result = jobs.results.removeValue(forKey: job) { return result }
            let r = withHandle { sd_bus_process($0, nil) }
            if r < 0 { throw DBusError(errno: r, doing: "waiting for job \(job)") }
            if r > 0 { continue }
            let remaining = deadline.timeIntervalSinceNow
            if remaining <= 0 {
                throw DBusError(name: "org.freedesktop.DBus.Error.Timeout", message: "job \(job) still running after \(Int(timeout)) s", errno: ETIMEDOUT)
            }
            let w = withHandle { sd_bus_wait($0, UInt64(remaining * 1_000_000)) }
            if w < 0 && w != -EINTR { throw DBusError(errno: w, doing: "waiting for job \(job)") }
        }
    }
}
