/// The characters no value sosplan writes into a unit file, a udev rule or
/// a command line may carry: C0 (NUL, newline, tab...), DEL, C1 and the
/// Unicode line and paragraph separators. They end a line (a new key) or
/// make a value that reads differently than it looks. One rule for every
/// writer; only the wording of the message is the caller's.
public enum ControlCharacters {
    /// How a message names the character found: each writer words line
    /// breaks for what it writes (its messages are part of its tests).
    public struct Wording: Sendable {
        public var newline: String
        public var carriageReturn: String
        /// nil: a tab is named like any other control character.
        public var tab: String?

        public init(newline: String, carriageReturn: String, tab: String? = nil) {
            self.newline = newline
            self.carriageReturn = carriageReturn
            self.tab = tab
        }

        /// Unit files the systemd driver writes.
        public static let unitFile = Wording(
            newline: "a newline (it would start a new line in the unit file)", carriageReturn: "a carriage return")
        /// Unit files and udev rules `sosplan install` writes.
        public static let installedFile = Wording(
            newline: "a newline (it would start a new line in the file)", carriageReturn: "a carriage return")
        /// Container values and arguments in the layout.
        public static let commandLine = Wording(newline: "a line break", carriageReturn: "a line break", tab: "a tab")
    }

    public static func isControl(_ c: Unicode.Scalar) -> Bool {
        c.value < 0x20 || (0x7F...0x9F).contains(c.value) || c.value == 0x2028 || c.value == 0x2029
    }

    /// The first control character in `s`, named as `wording` says ("a NUL
    /// byte", "a control character"...), and its offset in unicode scalars;
    /// nil when there is none.
    public static func problem(in s: String, wording: Wording) -> (reason: String, offset: Int)? {
        for (i, c) in s.unicodeScalars.enumerated() where isControl(c) {
            switch c {
            case "\n": return (wording.newline, i)
            case "\r": return (wording.carriageReturn, i)
            case "\0": return ("a NUL byte", i)
            case "\t": return (wording.tab ?? "a control character", i)
            default: return ("a control character", i)
            }
        }
        return nil
    }
}
