import Glibc

/// The properties to decode from a `GetAll` reply, matched against each
/// name's C string in the message: a slice's reply has about a hundred
/// properties and sosplan keeps sixteen, so the rest must cost no Swift
/// string and no hash.
public struct PropertyNames: Sendable {
    private let names: [(bytes: [UInt8], name: String)]

    public init(_ names: Set<String>) {
        self.names = names.sorted().map { (Array($0.utf8), $0) }
    }

    /// The wanted name equal to this NUL-terminated string, if any.
    func match(_ cString: UnsafePointer<CChar>) -> String? {
        let count = strlen(cString)
        for entry in names where entry.bytes.count == count {
            let equal = entry.bytes.withUnsafeBytes { memcmp($0.baseAddress!, cString, count) == 0 }
            if equal { return entry.name }
        }
        return nil
    }
}
