import FoundationEssentials
import Glibc
import SosplanCore

/// sosplan's slurm.conf drop-in for this node: read (untrusted, size
/// capped, parsed strictly), replaced durably, removed.
public struct SlurmNodeFile: Sendable {
    public var path: String
    static let limit = 64 << 10

    public init(path: String) { self.path = path }

    /// The file's bytes now (nil: absent).
    public func read() throws(SlurmError) -> [UInt8]? {
        guard access(path, F_OK) == 0 else { return nil }
        switch InputFile.read(path, limit: Self.limit) {
        case .success(let bytes): return bytes
        case .failure(let e): throw SlurmError("cannot read \(ControlCharacters.shown(path)): \(e)")
        }
    }

    /// What the snapshot says about it.
    public func observe() -> SlurmObservation {
        do {
            guard let bytes = try read() else { return SlurmObservation(nodeConfig: path, problem: "it does not exist yet") }
            guard let text = String(validating: bytes, as: UTF8.self) else {
                return SlurmObservation(nodeConfig: path, problem: "it is not UTF-8 text")
            }
            return SlurmObservation(nodeConfig: path, node: try SlurmNodeDefinition.parse(fileText: text))
        } catch let e as SlurmError {
            return SlurmObservation(nodeConfig: path, problem: e.description)
        } catch let e as SlurmNodeDefinition.ParseError {
            return SlurmObservation(nodeConfig: path, problem: e.description)
        } catch {
            return SlurmObservation(nodeConfig: path, problem: "\(error)")
        }
    }

    /// Puts `bytes` in place (nil: removes the file).
    public func write(_ bytes: [UInt8]?) throws(SlurmError) {
        guard let bytes else {
            if unlink(path) != 0 && errno != ENOENT { throw SlurmError(SystemError(call: "unlink", path: path, errno: errno).description) }
            return
        }
        do { try DurableFile.replace(path, with: bytes, mode: 0o644) } catch { throw SlurmError(error.description) }
    }
}

/// What went wrong with Slurm, in words for the operator.
public struct SlurmError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
