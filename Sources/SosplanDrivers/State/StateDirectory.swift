import FoundationEssentials
import Glibc

/// sosplan's state directory (`--state-dir`, default `/var/lib/sosplan`):
/// caches (topology of CPUs now offline), the enclave registry, and later
/// the journal, lock and last applied plan. Every file here is a cache or a
/// record checked against the host, never trusted blindly.
public struct StateDirectory: Sendable {
    public static let defaultPath = "/var/lib/sosplan"

    public var url: URL

    public init(path: String = StateDirectory.defaultPath) {
        url = URL(fileURLWithPath: path, isDirectory: true)
    }

    public func file(_ name: String) -> URL { url.appendingPathComponent(name) }

    /// Writes `data` to `name` atomically and durably (`DurableFile`),
    /// creating the directory if needed, so a crash never leaves a
    /// half-written file, nor a lost one after the call returned.
    public func writeAtomically(_ data: Data, to name: String) throws {
        try checkWritable()
        try DurableFile.replace(file(name).path, with: Array(data))
    }

    /// A cache's or record's bytes; nil when absent or not a readable
    /// regular file (a FIFO there must not block the read).
    public func read(_ name: String) -> Data? {
        (try? StateFileReader.read(file(name).path, limit: StateFileReader.recordLimit, remedy: "")).flatMap { $0.map { Data($0) } }
    }
}
