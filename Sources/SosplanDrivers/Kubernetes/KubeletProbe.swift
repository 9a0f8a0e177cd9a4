import FoundationEssentials
import Glibc
import SosplanCore

/// Reads the kubelet's configuration file and CPU manager state for the
/// snapshot. A host with neither has no kubelet (nil); files that exist but
/// do not read give warnings, and the configuration is then left out.
public struct KubeletProbe: Sendable {
    public var files: KubeletFiles
    public var unit: String

    public init(files: KubeletFiles, unit: String = KubeletObservation.defaultUnit) {
        self.files = files
        self.unit = unit
    }

    public func observe() -> (observation: KubeletObservation?, warnings: [String]) {
        var warnings: [String] = []
        var observation = KubeletObservation(unit: unit)
        var found = false
        let config = files.onDisk(files.configFile)
        if FileManager.default.fileExists(atPath: config) {
            found = true
            observation.configFile = files.configFile
            switch InputFile.read(config, limit: KubeletConfiguration.maximumBytes) {
            case .success(let bytes):
                let (parsed, diagnostics) = KubeletConfiguration.parse(String(decoding: bytes, as: UTF8.self), file: files.configFile)
                observation.configuration = parsed
                if parsed == nil {
                    let first = diagnostics.first { $0.severity == .error }.map { "\($0.mark.map { "line \($0.line): " } ?? "")\($0.message)" }
                    warnings.append("the kubelet configuration \(files.configFile) does not read: \(first ?? "not a KubeletConfiguration")")
                }
            case .failure(let e):
                warnings.append("the kubelet configuration \(files.configFile) cannot be read: \(e.reason)")
            }
        }
        do {
            if let bytes = try files.readState(files.stateFile) {
                found = true
                do {
                    let state = try CPUManagerCheckpoint.parse(String(decoding: bytes, as: UTF8.self))
                    observation.cpuManagerState = KubeletObservation.CPUManagerState(
                        file: files.stateFile, policyName: state.policyName, cpus: state.knownCPUs)
                } catch {
                    warnings.append("the kubelet's CPU manager state \(files.stateFile) does not read (\(error)); the kubelet will not start with it")
                }
            }
        } catch {
            warnings.append(error.description)
        }
        return (found ? observation : nil, warnings)
    }
}
