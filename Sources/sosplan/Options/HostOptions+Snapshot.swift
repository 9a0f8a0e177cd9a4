import FoundationEssentials
import Glibc
import SosplanApply
import SosplanCore
import SosplanDrivers

extension HostOptions {
    /// The host state: a saved snapshot (`--snapshot FILE`) or a fresh
    /// observation of `live`. Errors end the command with `error:` and exit 1.
    func loadSnapshot(from file: String?, unitNames: [String] = [], live: LiveHost) throws -> HostSnapshot {
        guard let file else {
            do {
                return try live.observe(unitNames: unitNames)
            } catch {
                throw Failure.report("\(error)", hint: root.map { _ in "--root expects a folder holding sys/devices/system/cpu (and proc/)" })
            }
        }
        let text = try InputFile.readJSON(file, what: "snapshot")
        do {
            return try HostSnapshot.decode(json: text)
        } catch let error as JSONParser.Failure {
            throw Failure.report("\(file):\(error.mark.line):\(error.mark.column): \(error.message)")
        } catch {
            throw Failure.report("\(file): \(JSONValueDecoder.describe(error))")
        }
    }
}
