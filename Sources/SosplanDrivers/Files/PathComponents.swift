/// The directory and last component of a path string, as NSString's
/// `deletingLastPathComponent` and `lastPathComponent` give them (trailing
/// and repeated slashes ignored), without linking Foundation for it.
public enum PathComponents {
    /// `/a/b` → `/a`, `/a` → `/`, `a` → ``, `/a/b/` → `/a`, `/` → `/`.
    public static func directory(_ path: String) -> String {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        let rooted = path.hasPrefix("/")
        guard parts.count > 1 else { return rooted ? "/" : "" }
        return (rooted ? "/" : "") + parts.dropLast().joined(separator: "/")
    }

    /// `/a/b` → `b`, `/a/b/` → `b`, `/` → `/`, `` → ``.
    public static func last(_ path: String) -> String {
        guard let part = path.split(separator: "/", omittingEmptySubsequences: true).last else {
            return path.hasPrefix("/") ? "/" : ""
        }
        return String(part)
    }
}
