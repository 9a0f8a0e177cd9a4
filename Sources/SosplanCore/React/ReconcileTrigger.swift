/// Why a reconcile runs, when nothing told it (the one unit that path,
/// udev and boot all start): the layout file is not the one last applied,
/// the kernel booted since, or CPUs and memory blocks changed state. What
/// status and the metrics then report as the trigger.
public enum ReconcileTrigger {
    public static let layout = "layout"
    public static let boot = "boot"
    public static let hotplug = "hotplug"
    public static let first = "first-apply"
    public static let check = "check"

    public struct Applied: Sendable {
        public var layoutSHA256: String?
        public var bootID: String?
        public var topology: Topology

        public init(layoutSHA256: String?, bootID: String?, topology: Topology) {
            self.layoutSHA256 = layoutSHA256
            self.bootID = bootID
            self.topology = topology
        }
    }

    public static func infer(layoutSHA256: String, bootID: String?, now: Topology, applied: Applied?) -> String {
        guard let applied else { return first }
        if applied.layoutSHA256 != layoutSHA256 { return layout }
        if let b = bootID, let a = applied.bootID, a != b { return boot }
        if applied.topology.onlineCPUs != now.onlineCPUs || offlineBlocks(applied.topology) != offlineBlocks(now) { return hotplug }
        return check
    }

    static func offlineBlocks(_ t: Topology) -> [Int: IDSet] {
        Dictionary(t.nodes.map { ($0.id, $0.memoryBlocks?.offline ?? IDSet()) }, uniquingKeysWith: { a, _ in a })
    }
}
