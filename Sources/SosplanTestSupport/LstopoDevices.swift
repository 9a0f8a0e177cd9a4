import SosplanCore

/// What lstopo says about PCI devices and memory tiers, from its text
/// (`LstopoConsole`) or XML (`LstopoXML`) output, in one form for the
/// agreement tests: each PCI function with its class, the PUs of the
/// object it is attached to (the nearest ancestor that is not an I/O
/// object) and the names of its OS devices; each NUMA node's subtype.
public struct LstopoDevices: Sendable {
    public struct Device: Sendable, Equatable {
        /// `0000:02:00.0`.
        public var address: String
        /// The 16-bit class (`0x0200`).
        public var classID: UInt16
        public var localPUs: CPUSet
        public var names: [String]
    }

    public var devices: [Device] = []
    /// NUMA node P# → its subtype (`HBM`, `NVM`, `GPUMemory`), nil when it has none.
    public var nodeSubtypes: [Int: String?] = [:]

    static let ioTypes: Set<String> = ["HostBridge", "PCIBridge", "PCI", "Bridge", "PCIDev", "OSDev"]

    public init(console: LstopoConsole) {
        let objects = console.objects
        for object in objects {
            if object.type == "NUMANode", let id = object.osIndex { nodeSubtypes[id] = object.subtype }
            guard object.type == "PCI", let busid = object.attributes["busid"] else { continue }
            let classID = object.attributes["class"].flatMap { UInt16($0.prefix(4), radix: 16) } ?? 0
            var parent = object.parent
            while let p = parent, LstopoDevices.ioTypes.contains(objects[p].type) { parent = objects[p].parent }
            // OS devices print as Network, OpenFabrics, Block, GPU, CoProc, ... with their name quoted.
            let names = object.children.compactMap { objects[$0].name }
            devices.append(Device(address: busid, classID: classID, localPUs: parent.map { console.pus(under: $0) } ?? console.allPUs, names: names))
        }
    }

    public init(xml: LstopoXML) {
        let objects = xml.objects
        for object in objects {
            if object.type == "NUMANode", let id = object.attributes["os_index"].flatMap({ Int($0) }) {
                nodeSubtypes[id] = object.attributes["subtype"]
            }
            guard object.type == "PCIDev", let busid = object.attributes["pci_busid"] else { continue }
            let classID = object.attributes["pci_type"].flatMap { UInt16($0.prefix(4), radix: 16) } ?? 0
            var parent = object.parent
            while let p = parent, LstopoDevices.ioTypes.contains(objects[p].type) { parent = objects[p].parent }
            let cpus = parent.flatMap { objects[$0].attributes["cpuset"] }.map(LstopoXML.bitmap) ?? CPUSet()
            let names = object.children.filter { objects[$0].type == "OSDev" }.compactMap { objects[$0].attributes["name"] }
            devices.append(Device(address: busid, classID: classID, localPUs: cpus, names: names))
        }
    }
}
