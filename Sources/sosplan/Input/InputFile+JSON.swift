import SosplanDrivers

extension InputFile {
    /// A saved snapshot's or plan's text; errors end the command (exit 1).
    static func readJSON(_ path: String, what: String) throws -> String {
        switch read(path, limit: jsonLimit) {
        case .success(let bytes): return String(decoding: bytes, as: UTF8.self)
        case .failure(let e): throw Failure.report("cannot read the \(what) '\(displayName(path))': \(e.reason)", hint: e.hints.first)
        }
    }
}
