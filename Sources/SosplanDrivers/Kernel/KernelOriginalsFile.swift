import FoundationEssentials
import Glibc
import SosplanCore

/// `STATE-DIR/kernel-originals.json`: sosplan's record of kernel values it
/// changed and what they were before (`KernelOriginals`). Read as untrusted
/// input: at most 4 MiB, a file that does not decode reads as no record
/// (and says so).
public struct KernelOriginalsFile: Sendable {
    public static let name = "kernel-originals.json"
    public var state: StateDirectory

    public init(state: StateDirectory) { self.state = state }

    public func read() -> (KernelOriginals, warning: String?) {
        let url = state.file(Self.name)
        guard let data = RawFile.read(url.path, limit: 4 << 20), !data.isEmpty else { return (KernelOriginals(), nil) }
        guard let value = try? JSONParser.parse(String(decoding: data, as: UTF8.self)),
            var record = try? JSONValueDecoder().decode(KernelOriginals.self, from: value)
        else {
            return (KernelOriginals(), "\(url.path) does not read as sosplan's record of kernel values: ignored (what it held will not be put back)")
        }
        record.normalize()
        return (record, nil)
    }

    public func write(_ record: KernelOriginals) throws {
        var record = record
        record.normalize()
        if record.isEmpty {
            if FileManager.default.fileExists(atPath: state.file(Self.name).path) { try FileManager.default.removeItem(at: state.file(Self.name)) }
            return
        }
        let json = JSONWriter.pretty(try JSONValueEncoder().encode(record))
        try state.writeAtomically(Data(json.utf8), to: Self.name)
    }
}
