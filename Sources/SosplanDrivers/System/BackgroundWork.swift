import Glibc

/// Work on a thread of its own while the caller does something else, its
/// value collected with `wait()`. An observe spends most of its time
/// waiting for systemd's replies; the sysfs probes, and the check of the
/// state files, fit in that wait on a second core.
///
/// Nothing guards what `body` uses: the caller must leave it alone until
/// `wait()` returns (the join orders the worker's writes before the
/// caller's reads). Without a thread (`pthread_create` refused), `wait()`
/// runs `body` itself.
public final class BackgroundWork<Value>: ThreadEntry, @unchecked Sendable {
    private var body: (() -> Value)?
    private var value: Value?
    private var thread = pthread_t()
    private var running = false

    public init(_ body: @escaping () -> Value) {
        self.body = body
        super.init()
        let context = Unmanaged.passRetained(self as ThreadEntry).toOpaque()
        running = pthread_create(&thread, nil, { context in
            Unmanaged<ThreadEntry>.fromOpaque(context!).takeRetainedValue().run()
            return nil
        }, context) == 0
        if !running { Unmanaged<ThreadEntry>.fromOpaque(context).release() }
    }

    override func run() {
        value = body?()
        body = nil
    }

    /// The value, once the work is done (waits for it).
    public func wait() -> Value {
        if running {
            pthread_join(thread, nil)
            running = false
        } else if value == nil {
            run()
        }
        return value!
    }
}

/// What a thread's C entry point can call without knowing `Value`.
public class ThreadEntry {
    func run() {}
}
