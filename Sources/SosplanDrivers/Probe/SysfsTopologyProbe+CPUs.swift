import SosplanCore

/// What sysfs says about one present CPU before the NUMA nodes, the cache of
/// offline CPUs and the sibling clean-up are merged in.
struct CPURecord {
    var id: Int
    var online: Bool
    /// Whether `cpuN/topology/` was there (the kernel hides it for offline CPUs).
    var hasTopology = false
    var package: Int?
    var core: Int?
    /// The kernel's `thread_siblings`, nil when unknown.
    var siblings: CPUSet?
    /// CPUs sharing this CPU's last-level cache (including itself), nil when unknown.
    var lastLevelCache: CPUSet?
    var node: Int?
    /// `package_cpus` (else `core_siblings`) as the masks say, nil when absent.
    var packageMask: CPUSet?
    /// Set by `formPackages` where one package id names several packages.
    var packageCPUs: CPUSet?
    /// `physical_package_id` said -1: the package masks may still place it.
    var packageIDIsMinusOne = false
    /// `physical_package_id` was not read: an earlier CPU's package mask
    /// holds this one, and `formPackages` names the package.
    var packageIDNotRead = false
}

extension SysfsTopologyProbe {
    static let cpuBase = "sys/devices/system/cpu"

    /// Present CPUs, whether each is online, and the per-CPU topology files.
    func readCPUs(_ sys: SysfsReader, _ warnings: inout ProbeWarnings) -> [CPURecord] {
        let base = Self.cpuBase
        let directories = sys.numberedEntries(base, prefix: "cpu") ?? []
        var present = sys.cpuList("\(base)/present") ?? CPUSet()
        if present.isEmpty {
            present = CPUSet(directories)
            warnings.add("no \(base)/present: present CPUs taken from the cpuN directories (\(present))")
        }
        var onlineList = sys.cpuList("\(base)/online")
        if onlineList?.isEmpty == true || (onlineList == nil && sys.exists("\(base)/online")) {
            // The CPU reading it is online: an empty list is not the kernel's.
            warnings.add("\(base)/online is \(onlineList == nil ? "not a CPU list" : "empty"); ignored (each CPU's own online file, or online)")
            onlineList = nil
        }
        var records: [CPURecord] = []
        records.reserveCapacity(present.count)
        var groups = TopologyGroups()
        for id in present {
            let dir = "\(base)/cpu\(id)"
            var online = true
            // The CPU's own file first: it is what hotplug writes, and the
            // list is derived from it (a simulated sysfs updates the list
            // only when a simulator runs).
            if let flag = sys.int("\(dir)/online"), flag == 0 || flag == 1 {
                online = flag != 0
            } else if sys.existsAfterFailedRead("\(dir)/online") {
                online = onlineList?.contains(id) ?? true
                let from = onlineList == nil ? "assumed online" : "taken from \(base)/online"
                warnings.note("bad-online-file-\(onlineList == nil)", id) {
                    "\(cpuPhrase($0)): \(base)/cpuN/online is empty or not 0 or 1; \(from)"
                }
            } else if let onlineList {
                online = onlineList.contains(id)
            } else {
                warnings.note("no-online-file", id) {
                    "no \(base)/online list and no cpuN/online file for \(cpuPhrase($0)): assumed online (old kernel, or a CPU that cannot be hot-unplugged)"
                }
            }
            var record = CPURecord(id: id, online: online)
            readTopology(sys, dir: "\(dir)/topology", into: &record, &groups, &warnings)
            records.append(record)
        }
        return records
    }

    /// The core and package masks read so far (see `CPUMaskGroups`).
    struct TopologyGroups {
        var cores = CPUMaskGroups()
        var packages = CPUMaskGroups()
        /// Online CPUs read so far whose package mask is known: the CPUs
        /// `formPackages` may take a package's id from.
        var withPackageMask = CPUSet()
    }

    /// `physical_package_id`, `core_id` and `thread_siblings` of one CPU.
    /// `core_id` is read for every CPU (siblings may have different ones,
    /// see `assemble`); the sibling and package masks of an online CPU an
    /// earlier online CPU's mask holds are taken from it. So is the package:
    /// `formPackages` names a package by its first online CPU's id, as hwloc
    /// does, so the id of a CPU an earlier member's package mask holds would
    /// be read only to be replaced (hwloc reads it for a package's first CPU
    /// only). A 256-CPU host with 2 packages opens 2 such files, not 256.
    private func readTopology(
        _ sys: SysfsReader, dir: String, into record: inout CPURecord, _ groups: inout TopologyGroups,
        _ warnings: inout ProbeWarnings
    ) {
        let id = record.id
        let core = sys.int("\(dir)/core_id")
        let packageNamedEarlier =
            record.online && core != nil
            && groups.packages.mask(of: id).map { !$0.isDisjoint(with: groups.withPackageMask) } == true
        let package = packageNamedEarlier ? nil : sys.int("\(dir)/physical_package_id")
        // A mask is shared only with a CPU whose topology/ directory is
        // there (an id was read), so the guard below decides as before.
        let grouped = record.online && (package != nil || core != nil)
        var siblings = grouped ? groups.cores.mask(of: id) : nil
        if siblings == nil {
            siblings = sys.cpuSet(list: "\(dir)/thread_siblings_list", mask: "\(dir)/thread_siblings")
            if siblings == nil { siblings = sys.cpuSet(list: "\(dir)/core_cpus_list", mask: "\(dir)/core_cpus") }
            if grouped, let siblings { groups.cores.learn(siblings, from: id) }
        }
        guard package != nil || core != nil || siblings != nil || sys.isDirectory(dir) else {
            if record.online {
                warnings.note("online-no-topology", id) {
                    "\(cpuPhrase($0)): online but sysfs has no topology/ directory; package and core unknown"
                }
            }
            return
        }
        record.hasTopology = true
        let packageID =
            packageNamedEarlier ? nil : topologyID(sys, package, dir: dir, "physical_package_id", cpu: id, what: "package", &warnings)
        let coreID = topologyID(sys, core, dir: dir, "core_id", cpu: id, what: "core", &warnings)
        // -1 is said once the package masks are read (notePackagesWithoutID).
        record.packageIDIsMinusOne = packageID == -1
        record.packageIDNotRead = packageNamedEarlier
        record.package = packageID.flatMap { $0 >= 0 ? $0 : nil }
        record.core = coreID.flatMap { $0 >= 0 ? $0 : nil }
        // Masks before lists, as hwloc reads them: where firmware makes the
        // two disagree, the host then reads the same through both tools.
        // The directory exists here, so a name missing from it is missing
        // for every CPU (the reader skips it from now on).
        if grouped, let mask = groups.packages.mask(of: id) {
            record.packageMask = mask
        } else {
            record.packageMask =
                sys.cpuMask(in: dir, "package_cpus") ?? sys.cpuMask(in: dir, "core_siblings")
                ?? sys.cpuList(in: dir, "package_cpus_list") ?? sys.cpuList(in: dir, "core_siblings_list")
            if grouped, let mask = record.packageMask { groups.packages.learn(mask, from: id) }
        }
        if record.online && record.packageMask != nil { groups.withPackageMask.insert(id) }
        if var siblings {
            siblings.insert(id)
            record.siblings = siblings
        }
    }

    /// `isolated` and `nohz_full`; absent or unparsable (`(null)` on some
    /// kernels) means none.
    func readIsolation(_ sys: SysfsReader) -> (isolated: CPUSet, nohzFull: CPUSet) {
        (sys.cpuList("\(Self.cpuBase)/isolated") ?? CPUSet(), sys.cpuList("\(Self.cpuBase)/nohz_full") ?? CPUSet())
    }
}
