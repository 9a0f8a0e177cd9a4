import SosplanCore

/// Packages formed from CPU masks the way hwloc forms them, so that a host
/// reads the same through sosplan and lstopo even when firmware contradicts
/// itself:
///
/// - a package is made by the lowest online CPU of its mask
///   (`package_cpus`, else `core_siblings`); its id is that CPU's
///   `physical_package_id`;
/// - a CPU no package mask holds (its own mask names a lower CPU whose mask
///   leaves it out) has no package;
/// - on x86, packages with one id but different masks are one package (a
///   kernel bug on two-ring Xeons); elsewhere (ia64) one id may name several
///   packages, which `CPUInfo.packageCPUs` then tells apart.
///
/// CPUs without masks (old kernels, offline CPUs) keep their
/// `physical_package_id`.
extension SysfsTopologyProbe {
    func formPackages(_ sys: SysfsReader, _ records: inout [CPURecord], _ warnings: inout ProbeWarnings) {
        let usable = CPUSet(records.filter { $0.online && $0.packageMask != nil }.map(\.id))
        guard !usable.isEmpty else { return }
        let mergeSameID = Self.isX86(sys)
        var packages: [(id: Int?, cpus: CPUSet)] = []
        for r in records where usable.contains(r.id) {
            let mask = r.packageMask!.intersection(usable)
            guard mask.first == r.id else { continue }
            if mergeSameID, let id = r.package, let i = packages.firstIndex(where: { $0.id == id }) {
                warnings.note("package-split", id) {
                    "package\($0.count == 1 ? "" : "s") \($0): one physical_package_id with different core_siblings (a kernel bug on some x86 processors): merged into one package, as hwloc does"
                }
                packages[i].cpus.formUnion(mask)
                continue
            }
            packages.append((r.package, mask))
        }
        var repeated = Set<Int>()
        var seen = Set<Int>()
        for p in packages { if let id = p.id, !seen.insert(id).inserted { repeated.insert(id) } }
        for i in records.indices where usable.contains(records[i].id) {
            let id = records[i].id
            guard let p = packages.first(where: { $0.cpus.contains(id) }) else {
                warnings.note("package-mask-conflict", id) {
                    "\(cpuPhrase($0)): the package masks (package_cpus/core_siblings) contradict each other; package unknown, as hwloc reads it"
                }
                records[i].package = nil
                continue
            }
            if p.id == nil, records[i].package != nil || records[i].packageIDNotRead {
                warnings.note("package-unknown-leader", id) {
                    "\(cpuPhrase($0)): package unknown: the package mask puts \($0.count == 1 ? "it" : "them") with a CPU whose physical_package_id is -1 (as hwloc reads it)"
                }
            }
            records[i].package = p.id
            if let pid = p.id, repeated.contains(pid) {
                records[i].packageCPUs = p.cpus
                warnings.note("package-id-repeated", pid) {
                    "physical_package_id \($0) is given to several packages (told apart by their CPU masks)"
                }
            }
        }
    }

    /// hwloc merges same-id packages on x86 only. A snapshot root says its
    /// architecture in proc/hwloc-nofile-info, else x86 shows `vendor_id`
    /// in proc/cpuinfo; the live machine is what this binary runs on.
    static func isX86(_ sys: SysfsReader) -> Bool {
        if let info = sys.text("proc/hwloc-nofile-info"),
            let line = info.split(separator: "\n").first(where: { $0.hasPrefix("Architecture:") })
        {
            let arch = line.dropFirst("Architecture:".count).trimmingASCIIWhitespace()
            return arch == "x86_64" || arch.hasPrefix("i") && arch.hasSuffix("86")
        }
        if let x86 = sys.contains("proc/cpuinfo", "vendor_id") { return x86 }
        #if arch(x86_64) || arch(i386)
            return true
        #else
            return false
        #endif
    }
}
