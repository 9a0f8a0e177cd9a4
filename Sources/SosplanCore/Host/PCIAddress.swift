/// A PCI function's address, `DDDD:BB:DD.F` as sysfs names it
/// (`/sys/bus/pci/devices/0000:43:00.0`). Domains are usually 16 bits; some
/// hosts (VMD, PA-RISC) have wider ones, printed with more digits.
public struct PCIAddress: Sendable, Hashable, Comparable, CustomStringConvertible, Codable {
    public var domain: UInt32
    public var bus: UInt8
    /// 0-31.
    public var device: UInt8
    /// 0-7.
    public var function: UInt8

    public init(domain: UInt32 = 0, bus: UInt8, device: UInt8, function: UInt8) {
        self.domain = domain
        self.bus = bus
        self.device = device & 0x1f
        self.function = function & 0x7
    }

    /// `0000:43:00.0`, or the short `43:00.0` (domain 0) that `lspci` prints;
    /// nil for anything else.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3 else { return nil }
        var domain: UInt32 = 0
        if parts.count == 3 {
            guard (1...8).contains(parts[0].count), let d = UInt32(parts[0], radix: 16), parts[0].allSatisfy(\.isHexDigit) else { return nil }
            domain = d
        }
        let busText = parts[parts.count - 2]
        let slot = parts[parts.count - 1].split(separator: ".", omittingEmptySubsequences: false)
        guard busText.count == 2, busText.allSatisfy(\.isHexDigit), let bus = UInt8(busText, radix: 16),
            slot.count == 2, slot[0].count == 2, slot[0].allSatisfy(\.isHexDigit), let device = UInt8(slot[0], radix: 16), device < 32,
            slot[1].count == 1, let function = UInt8(slot[1], radix: 16), function < 8
        else { return nil }
        self.init(domain: domain, bus: bus, device: device, function: function)
    }

    /// As sysfs writes it: at least four hex digits of domain.
    public var description: String {
        let d = String(domain, radix: 16)
        return String(repeating: "0", count: max(0, 4 - d.count)) + d + ":" + Self.hex2(bus) + ":" + Self.hex2(device) + "." + String(function)
    }

    private static func hex2(_ v: UInt8) -> String { (v < 16 ? "0" : "") + String(v, radix: 16) }

    public static func < (a: PCIAddress, b: PCIAddress) -> Bool {
        (a.domain, a.bus, a.device, a.function) < (b.domain, b.bus, b.device, b.function)
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let address = PCIAddress(text), text.split(separator: ":").count == 3 else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath, debugDescription: "'\(text)' is not a PCI address (DDDD:BB:DD.F)"))
        }
        self = address
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}
