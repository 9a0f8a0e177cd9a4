import SosplanCore

extension CPUSet {
    /// Decodes systemd's `ay` cpuset (`AllowedCPUs`, `AllowedMemoryNodes`,
    /// `EffectiveCPUs`): bit j of byte i is id 8i+j. An empty array is the
    /// empty set ("not set" for the Allowed* properties).
    public init(systemdBitmap bytes: [UInt8]) {
        var words = [UInt64](repeating: 0, count: (bytes.count + 7) / 8)
        for (i, byte) in bytes.enumerated() where byte != 0 {
            words[i / 8] |= UInt64(byte) << UInt64((i % 8) * 8)
        }
        self.init(words: words)
    }

    /// The shortest `ay` for this set (systemd pads replies to 8 bytes; it
    /// accepts any length).
    public var systemdBitmap: [UInt8] {
        guard let last else { return [] }
        var bytes = [UInt8](repeating: 0, count: last / 8 + 1)
        for id in self { bytes[id / 8] |= 1 << UInt8(id % 8) }
        return bytes
    }
}
