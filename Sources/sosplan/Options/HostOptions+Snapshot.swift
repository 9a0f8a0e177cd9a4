import Foundation
import SosplanCore
import SosplanDrivers

extension HostOptions {
    /// The host state: a saved snapshot (`--snapshot FILE`) or a fresh
    /// observation. Errors end the command with `error:` and exit 1.
    func loadSnapshot(from file: String?, unitNames: [String] = []) throws -> HostSnapshot {
        guard let file else {
            do {
                return try makeObserver(unitNames: unitNames).observe()
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
