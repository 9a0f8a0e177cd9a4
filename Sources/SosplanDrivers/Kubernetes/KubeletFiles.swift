import FoundationEssentials
import Glibc
import SosplanCore

/// Where the kubelet keeps what sosplan reads and, in its restart
/// procedure, removes: its configuration file and its root directory
/// (`--root-dir`, which holds `cpu_manager_state`). Paths are the host's;
/// they are read under `root` (a snapshot folder, the sandbox's root), as
/// sysfs is.
public struct KubeletFiles: Sendable {
    /// kubeadm's and the packages' location (`kubelet --config`).
    public static let defaultConfigFile = "/var/lib/kubelet/config.yaml"
    /// `kubelet --root-dir`'s default.
    public static let defaultDirectory = "/var/lib/kubelet"
    public static let stateFileName = KubeletObservation.cpuManagerStateFileName

    public var root: String
    public var configFile: String
    public var directory: String

    public init(
        root: String = "/", configFile: String = KubeletFiles.defaultConfigFile,
        directory: String = KubeletFiles.defaultDirectory
    ) {
        self.root = root
        self.configFile = configFile
        self.directory = directory
    }

    /// The CPU manager's state file, as the host names it.
    public var stateFile: String { directory + "/" + Self.stateFileName }

    /// Where a host path is on this machine.
    public func onDisk(_ path: String) -> String { root == "/" ? path : root + path }

    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// The state file's bytes, or nil when there is none.
    public func readState(_ path: String) throws(Failure) -> [UInt8]? {
        try checkStatePath(path)
        var st = stat()
        if lstat(onDisk(path), &st) != 0 && errno == ENOENT { return nil }
        switch InputFile.read(onDisk(path), limit: CPUManagerCheckpoint.maximumBytes) {
        case .success(let bytes): return bytes
        case .failure(let e): throw Failure(description: "cannot read \(path): \(e.reason)")
        }
    }

    /// Removes the state file (gone already: nothing to do).
    public func removeState(_ path: String) throws(Failure) {
        try checkStatePath(path)
        if unlink(onDisk(path)) != 0 && errno != ENOENT {
            throw Failure(description: "cannot remove \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// Puts the state file back as it was (`bytes`), or removes it when
    /// there was none.
    public func restoreState(_ path: String, to bytes: [UInt8]?) throws(Failure) {
        guard let bytes else { return try removeState(path) }
        try checkStatePath(path)
        do { try DurableFile.replace(onDisk(path), with: bytes, mode: 0o644) } catch {
            throw Failure(description: "cannot write \(path) back: \(error)")
        }
    }

    /// Only a CPU manager state file is ever removed or written, whatever
    /// a (saved, untrusted) plan names.
    func checkStatePath(_ path: String) throws(Failure) {
        guard StepTarget.absolutePath(path) != nil, path.hasSuffix("/" + Self.stateFileName) else {
            throw Failure(description: "'\(path)' is not a kubelet CPU manager state file (an absolute path ending in /\(Self.stateFileName))")
        }
    }
}
