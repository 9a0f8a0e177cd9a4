import Dispatch

/// Runs async work on a serial queue of its own instead of Swift's
/// cooperative pool. In the test process the pool has one thread per core
/// (two here), and synchronous tests that wait on child processes hold them;
/// an async client under test (the gRPC pod-resources client, whose
/// connection runs in child tasks) then starves until its deadline passes.
/// Child tasks inherit the preference, so the whole call runs here.
///
///     try await DedicatedTaskExecutor("podres").run { try await client.read() }
public final class DedicatedTaskExecutor: TaskExecutor, @unchecked Sendable {
    private let queue: DispatchQueue

    public init(_ label: String) {
        queue = DispatchQueue(label: "sosplan.tests.\(label)")
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }

    /// `body` with every task it starts preferring this executor.
    public func run<T: Sendable, E: Error>(_ body: () async throws(E) -> T) async throws(E) -> T {
        try await withTaskExecutorPreference(self, operation: body)
    }
}
