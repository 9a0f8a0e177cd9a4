import SosplanApply
import SosplanCore
import SosplanDrivers

/// sosplan's own state files as the next command reads them: the first
/// byte picks the file (0 the journal, 1 applied.json, 2 installed.json),
/// the rest is its content. Never a crash: the reader returns the records
/// or a damage naming the file; what reads is consistent (a journal's
/// plan keeps the rules of plans; a manifest's paths are absolute).
struct StateFuzzTarget: FuzzTarget {
    func prepare() {}

    func run(_ bytes: [UInt8]) {
        guard let selector = bytes.first else { return }
        let file = Array(bytes.dropFirst())
        switch selector % 3 {
        case 0:
            do {
                let contents = try ApplyJournal.contents(of: file, path: "journal.jsonl")
                if let header = contents.header {
                    FuzzCheck.require(SavedPlanValidator.problems(header.plan).isEmpty, "a journal's plan breaks the rules of plans")
                }
                _ = contents.progress
                _ = contents.begun
                _ = contents.interruptedIDs
            } catch {
                FuzzCheck.require(error.path.hasPrefix("journal.jsonl") && !error.problem.isEmpty, "a damage without its file or reason")
            }
        case 1:
            do {
                let state = try AppliedState.decode(file, path: "applied.json")
                FuzzCheck.require(state.snapshot.inconsistencies().isEmpty, "an applied state with a contradictory snapshot")
            } catch {
                FuzzCheck.require(error.path == "applied.json" && !error.problem.isEmpty, "a damage without its file or reason")
            }
        default:
            do {
                let manifest = try InstalledFiles.decodeManifest(file, path: "installed.json")
                FuzzCheck.require(manifest.files.allSatisfy { $0.path.hasPrefix("/") && !$0.path.contains("/../") }, "a manifest path that is not absolute")
            } catch {
                FuzzCheck.require(error.path == "installed.json" && !error.problem.isEmpty, "a damage without its file or reason")
            }
        }
    }
}
