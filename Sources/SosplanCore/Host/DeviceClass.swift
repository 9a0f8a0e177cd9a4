/// What a PCI function is for, from its class code, in the words a layout
/// uses (`near: gpu:0`). Only these kinds are listed by `observe`: the
/// classes hwloc keeps with its default I/O filter, bridges left out
/// (hwloc 2.9.0, include/hwloc/plugins.h:500-513,
/// hwloc_filter_check_pcidev_subtype_important).
public enum DeviceClass: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// Display controllers (0x03): GPUs, also the ones without a display (3D controllers).
    case gpu
    /// Network controllers (0x02) and InfiniBand (0x0c06): Ethernet, InfiniBand, RoCE, Omni-Path NICs.
    case nic
    /// NVM Express storage (0x0108).
    case nvme
    /// Other mass storage (0x01) and Fibre Channel (0x0c04): SATA, SAS, RAID controllers, HBAs.
    case storage
    /// Processing accelerators (0x12) and co-processors (0x0b): NPUs, FPGAs, Xeon Phi, NEC vector engines.
    case accelerator
    /// CXL memory devices (0x0502).
    case cxl
    /// Unclassified devices (0x00), kept as hwloc keeps them (Atos/Bull BXI NICs).
    case other

    /// The class of a 24-bit PCI class code (`0x020000`), or nil for the
    /// classes not listed (bridges, USB, system peripherals, ...).
    public init?(classCode: UInt32) {
        let base = (classCode >> 16) & 0xff
        let sub = (classCode >> 8) & 0xff
        switch (base, sub) {
        case (0x03, _): self = .gpu
        case (0x02, _), (0x0c, 0x06): self = .nic
        case (0x01, 0x08): self = .nvme
        case (0x01, _), (0x0c, 0x04): self = .storage
        case (0x12, _), (0x0b, _): self = .accelerator
        case (0x05, 0x02): self = .cxl
        case (0x00, _): self = .other
        default: return nil
        }
    }

    public var description: String { rawValue }

    /// Words a layout may write for the class (`accel:0` as well as `accelerator:0`).
    public static func named(_ word: String) -> DeviceClass? {
        switch word {
        case "accel": return .accelerator
        case "net", "nic", "hca": return .nic
        default: return DeviceClass(rawValue: word)
        }
    }
}
