import SosplanCore
import SosplanDrivers

/// sosplan's own records in the state directory, checked together: the
/// journal (an apply under way or interrupted), `applied.json` (the last
/// converged apply) and `installed.json` (what `install` wrote). `plan`,
/// `apply` and `status` report each damaged one with its path and what to
/// do, instead of reading it as absent.
public enum StateFiles {
    /// `journal: false` leaves the journal out, for a caller that reads it
    /// itself and stops on its damage.
    public static func damages(in state: StateDirectory, journal: Bool = true) -> [StateFileReader.Damage] {
        var out: [StateFileReader.Damage] = []
        if journal {
            do { _ = try ApplyJournal.load(in: state) } catch { out.append(error) }
        }
        do { _ = try AppliedState.load(in: state) } catch { out.append(error) }
        do { _ = try InstalledFiles.loadManifest(state.file(InstallManifest.fileName).path) } catch { out.append(error) }
        return out
    }
}
