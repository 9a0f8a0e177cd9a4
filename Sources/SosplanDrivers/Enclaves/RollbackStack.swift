/// Undo steps of a sequence in progress (like mcreboot's `error_exit` or
/// pisces_launch re-onlining): pushed as each step succeeds, run in reverse
/// when a later step fails, so CPUs and memory stay accounted for.
struct RollbackStack {
    private var steps: [(String, () throws -> Void)] = []

    mutating func push(_ what: String, _ undo: @escaping () throws -> Void) { steps.append((what, undo)) }

    /// Forgets everything (the sequence succeeded).
    mutating func commit() { steps.removeAll() }

    /// Runs every undo step, newest first, and returns the ones that failed.
    func unwind() -> [String] {
        var failures: [String] = []
        for (what, undo) in steps.reversed() {
            do { try undo() } catch { failures.append("\(what): \(EnclaveError.from(error).message)") }
        }
        return failures
    }

    /// Unwinds and rethrows `error` with the rollback failures attached.
    func fail(_ error: any Error) -> EnclaveError {
        var e = EnclaveError.from(error)
        e.rollback += unwind()
        return e
    }
}
