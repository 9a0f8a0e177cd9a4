import Foundation

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

    /// Writes `data` to `name` atomically (temporary file + rename), creating
    /// the directory if needed, so a crash never leaves a half-written file.
    public func writeAtomically(_ data: Data, to name: String) throws {
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        let target = file(name)
        let temporary = url.appendingPathComponent(".\(name).tmp-\(getpid())")
        try data.write(to: temporary)
        if rename(temporary.path, target.path) != 0 {
            let e = errno
            try? FileManager.default.removeItem(at: temporary)
            throw SystemError(call: "rename", path: target.path, errno: e)
        }
    }

    public func read(_ name: String) -> Data? { try? Data(contentsOf: file(name)) }
}
