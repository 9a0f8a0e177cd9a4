/// How a layout names a device in `near:`: by a name the host gives it
/// (`mlx5_0`, `eth0`, `nvme0n1`, `card0`, `nvidia0`), by PCI address
/// (`0000:43:00.0` or `43:00.0`), or by class and index (`gpu:0`: the first
/// GPU by PCI address).
public enum DeviceReference: Sendable, Hashable, CustomStringConvertible {
    case name(String)
    case address(PCIAddress)
    case classIndex(DeviceClass, Int)

    public var description: String {
        switch self {
        case .name(let n): return n
        case .address(let a): return a.description
        case .classIndex(let c, let i): return "\(c.rawValue):\(i)"
        }
    }

    /// Why `text` names no device, or the reference.
    public static func parse(_ text: String) -> Result<DeviceReference, DeviceReferenceProblem> {
        if let address = PCIAddress(text) { return .success(.address(address)) }
        if let colon = text.lastIndex(of: ":") {
            let word = String(text[..<colon]), digits = text[text.index(after: colon)...]
            if word.allSatisfy({ $0.isLetter }) {
                guard let cls = DeviceClass.named(word) else { return .failure(.unknownClass(word)) }
                guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let i = Int(digits), i < 4096 else {
                    return .failure(.badIndex(String(digits)))
                }
                return .success(.classIndex(cls, i))
            }
            return .failure(.malformed)
        }
        guard !text.isEmpty, text.count <= 64,
            text.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "_-.".unicodeScalars.contains($0)) })
        else { return .failure(.malformed) }
        return .success(.name(text))
    }
}

public enum DeviceReferenceProblem: Error, Equatable {
    case unknownClass(String)
    case badIndex(String)
    case malformed

    public var message: String {
        switch self {
        case .unknownClass(let w): return "'\(w)' is not a device class"
        case .badIndex(let d): return "'\(d)' is not an index (0, 1, ...)"
        case .malformed: return "not a device name, a PCI address or a class with an index"
        }
    }

    public var hints: [String] {
        switch self {
        case .unknownClass: return ["classes: " + DeviceClass.allCases.map(\.rawValue).joined(separator: ", ") + " (write gpu:0 for the first GPU)"]
        case .badIndex: return ["write the class and an index, for example gpu:0"]
        case .malformed: return ["for example mlx5_0, eth0, nvme0n1, 0000:43:00.0 or gpu:0"]
        }
    }
}
