/// Who holds a CPU (or memory): Linux itself, a sosplan pool or service, an
/// enclave, a co-kernel's reserved pool, or nobody (offline).
///
/// Ordered for legends: host, shared, services by name, enclaves by name,
/// co-kernel pools, offline.
public enum Owner: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Linux's general-purpose CPUs (online and not given to anything).
    case host
    /// The pool shared services run on.
    case shared
    /// A service with its own CPUs.
    case service(String)
    /// An enclave: its layout name, or `<driver>:<instance>` when unnamed.
    case enclave(String)
    /// Reserved by a co-kernel but not given to an instance (IHK's pool).
    case pool(EnclaveDriverKind)
    /// Offline and held by nobody.
    case offline

    /// Reads `CPUInfo.owner` / `EnclaveInstance.ownerLabel`: `enclave:<name>`,
    /// `<driver>:pool`, or `<driver>:<instance>` for an unnamed instance.
    public init(ownerLabel label: String) {
        if label.hasPrefix("enclave:") {
            self = .enclave(String(label.dropFirst("enclave:".count)))
        } else if label.hasSuffix(":pool"), let driver = EnclaveDriverKind(rawValue: String(label.dropLast(":pool".count))) {
            self = .pool(driver)
        } else {
            self = .enclave(label)
        }
    }

    /// The kind, as used for SVG classes and colours: `host`, `shared`,
    /// `service`, `enclave`, `pool`, `offline`.
    public var kind: String {
        switch self {
        case .host: return "host"
        case .shared: return "shared"
        case .service: return "service"
        case .enclave: return "enclave"
        case .pool: return "pool"
        case .offline: return "offline"
        }
    }

    /// The name within the kind (service or enclave name, co-kernel driver).
    public var name: String? {
        switch self {
        case .service(let n), .enclave(let n): return n
        case .pool(let d): return d.rawValue
        case .host, .shared, .offline: return nil
        }
    }

    /// `host`, `service web`, `enclave lwk0`, `mckernel pool`, ...
    public var description: String {
        switch self {
        case .host, .shared, .offline: return kind
        case .service(let n): return "service \(n)"
        case .enclave(let n): return "enclave \(n)"
        case .pool(let d): return "\(d.rawValue) pool"
        }
    }

    private var rank: Int {
        switch self {
        case .host: return 0
        case .shared: return 1
        case .service: return 2
        case .enclave: return 3
        case .pool: return 4
        case .offline: return 5
        }
    }

    public static func < (a: Owner, b: Owner) -> Bool {
        if a.rank != b.rank { return a.rank < b.rank }
        return (a.name ?? "") < (b.name ?? "")
    }
}
