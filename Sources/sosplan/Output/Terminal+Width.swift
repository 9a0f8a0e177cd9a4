import FoundationEssentials
import Glibc

extension Terminal {
    /// Columns to draw in: `$COLUMNS` when set, else the terminal's width,
    /// else 80 (pipes and files get the same, reproducible picture).
    static var width: Int {
        if let columns = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init), columns > 0 {
            return columns
        }
        var size = winsize()
        if stdoutIsTerminal, ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 {
            return Int(size.ws_col)
        }
        return 80
    }
}
