import FoundationEssentials
import Glibc

/// What a FileManager or `Data.write` error says to a person: the system's
/// reason and the path (FoundationEssentials has no `localizedDescription`;
/// its errors print as their raw structure).
public enum FileErrorText {
    public static func describe(_ error: any Error) -> String {
        if let e = error as? CocoaError {
            let path = e.userInfo["NSFilePath"] as? String
            let reason: String
            if let posix = e.userInfo["NSUnderlyingError"] as? POSIXError {
                reason = String(cString: strerror(posix.code.rawValue))
            } else {
                reason = "file error \(e.code.rawValue)"
            }
            return path.map { "\(reason): \($0)" } ?? reason
        }
        if let posix = error as? POSIXError { return String(cString: strerror(posix.code.rawValue)) }
        return "\(error)"
    }
}
