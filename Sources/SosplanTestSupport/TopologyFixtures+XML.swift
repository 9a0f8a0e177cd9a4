import Foundation

extension TopologyFixtures {
    /// The package's `NAME.output` when hwloc's test suite keeps it as XML
    /// (printed with `--of xml`, options in `NAME.options`, e.g.
    /// `--whole-io`), else nil. `console(of:)` leaves these out.
    public static func xmlOutput(of name: String) -> (text: String, options: String?)? {
        guard source(of: name) == .hwlocPackage, let dir = archive(name)?.deletingLastPathComponent() else { return nil }
        func read(_ file: String) -> String? { try? String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8) }
        guard let text = read(name + ".output"), text.hasPrefix("<?xml") else { return nil }
        return (text, read(name + ".options")?.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// The environment hwloc's later test suite runs lstopo with for a
    /// machine of the shared folder (its `NAME.test`, which the shared
    /// folder does not carry): fakepcilocalities forces PCI localities to
    /// check how hwloc merges and extends them (hwloc tests/hwloc/linux/
    /// fakepcilocalities.test, open-mpi/hwloc@3b37b024).
    public static func laterLstopoEnvironment(of name: String) -> [String: String] {
        switch name {
        case "fakepcilocalities":
            return ["HWLOC_PCI_LOCALITY": "0000:0a-0b 0x11,11111111;0000:3f-40 0x22,00000;0000:44 0x8800;0000:7e 0x44;0000:82-c0 0x88,88888888;0000:c8 0x11000000"]
        default:
            return [:]
        }
    }
}
