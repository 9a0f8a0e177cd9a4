import SosplanCore
import SosplanDrivers

/// The textfile collector's file, replaced atomically: written to
/// `.NAME.tmp-PID` (not `*.prom`, which the collector would read half
/// written) in the same directory, fsynced, renamed over NAME.
public enum MetricsFile {
    public static func write(_ status: HostStatus, version: String, to path: String) throws(DurableFile.Failure) {
        try DurableFile.replace(path, with: Array(MetricsText.render(status, version: version).utf8))
    }
}
