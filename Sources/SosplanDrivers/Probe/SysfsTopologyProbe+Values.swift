import SosplanCore

/// sysfs values that would change the snapshot are checked before they go
/// into it: a value that cannot be read, or that no kernel writes (a core
/// id past the kernel's `int`, a memory size near 2^64, a hugepage size
/// that is not a power of two), is left out with a warning naming the file,
/// and the snapshot says what the warning says (unknown is null or 0 with
/// "unknown", never a made-up number).
extension SysfsTopologyProbe {
    /// The kernel's topology ids (`physical_package_id`, `core_id`) are a
    /// C `int`; -1 means the platform does not say.
    static let topologyIDRange = -1...Int(Int32.max)

    /// A topology id file of CPU `cpu`: its value (-1 kept), or nil with a
    /// warning when the file is missing, not a number, or out of range.
    func topologyID(
        _ sys: SysfsReader, _ raw: Int?, dir: String, _ name: String, cpu: Int, what: String, _ warnings: inout ProbeWarnings
    ) -> Int? {
        let file = "\(Self.cpuBase)/cpuN/topology/\(name)"
        guard let raw else {
            // Missing on old kernels (hwloc reads them as unknown too); there but unreadable is damage.
            if sys.exists("\(dir)/\(name)") {
                warnings.note("\(name)-unreadable", cpu) { "\(cpuPhrase($0)): \(file) is not a number; \(what) left unknown" }
            }
            return nil
        }
        guard Self.topologyIDRange.contains(raw) else {
            warnings.note("\(name)-absurd", cpu) {
                "\(cpuPhrase($0)): \(file) holds a value no kernel writes (outside -1 to \(Int32.max)); \(what) left unknown"
            }
            return nil
        }
        return raw
    }

    /// CPUs whose `physical_package_id` is -1, said after the packages are
    /// formed: those the package masks place get that package (as hwloc
    /// reads them), the others stay unknown, and the warning says which.
    func notePackagesWithoutID(_ records: [CPURecord], _ warnings: inout ProbeWarnings) {
        for r in records where r.packageIDIsMinusOne {
            if r.package != nil {
                warnings.note("package-minus-one-masked", r.id) {
                    "\(cpuPhrase($0)): physical_package_id is -1 (the platform does not say); "
                        + "package taken from the package mask (package_cpus/core_siblings), as hwloc reads it"
                }
            } else {
                warnings.note("package-minus-one", r.id) {
                    "\(cpuPhrase($0)): physical_package_id is -1 (the platform does not say); package left unknown"
                }
            }
        }
    }

    /// A node's `distance` row: whitespace-separated NUMA distances (0-255),
    /// or nothing (unknown) with a warning when the file holds anything else.
    func distances(_ sys: SysfsReader, node: Int, dir: String, _ warnings: inout ProbeWarnings) -> [Int] {
        guard let values = sys.row("\(dir)/distance", within: 0...255) else { return [] }
        guard !values.isEmpty else {
            warnings.note("bad-distance", node) {
                "\(nodePhrase($0)): \(Self.nodeBase)/nodeN/distance is not a list of NUMA distances (0-255); distances unknown"
            }
            return []
        }
        return values
    }

    /// A node's memory and free memory from its `meminfo`, as far as a host
    /// can have them (at most `HostSnapshot.maximumMemoryBytes`).
    func nodeMemory(_ meminfo: Meminfo?, node: Int, _ warnings: inout ProbeWarnings) -> (total: UInt64, free: UInt64) {
        guard let total = meminfo?.total else { return (0, 0) }
        guard total <= HostSnapshot.maximumMemoryBytes else {
            warnings.note("meminfo-absurd", node) {
                "\(nodePhrase($0)): \(Self.nodeBase)/nodeN/meminfo gives MemTotal past what any host has (1 PiB); memory unknown (0)"
            }
            return (0, 0)
        }
        let free = meminfo?.free ?? 0
        guard free <= total else {
            warnings.note("meminfo-free", node) {
                "\(nodePhrase($0)): \(Self.nodeBase)/nodeN/meminfo gives more MemFree than MemTotal; free memory unknown (0)"
            }
            return (total, 0)
        }
        return (total, free)
    }

    /// A `hugepages-<size>kB` directory's pool, nil (with a warning naming
    /// it) when the size is not a hugepage size or the counts are no pool.
    func hugepagePool(_ sys: SysfsReader, dir: String, name: String, _ warnings: inout ProbeWarnings) -> HugepagePool? {
        guard let kB = UInt64(name.dropFirst("hugepages-".count).dropLast(2)) else { return nil }
        let (bytes, overflow) = kB.multipliedReportingOverflow(by: 1024)
        let counts = ["nr_hugepages", "free_hugepages"].map { file -> (value: Int?, unreadable: Bool) in
            let value = sys.int("\(dir)/\(name)/\(file)")
            return (value, value == nil && sys.exists("\(dir)/\(name)/\(file)"))
        }
        if counts.contains(where: \.unreadable) {
            warnings.add("\(dir)/\(name): nr_hugepages or free_hugepages is not a number; pool left out")
            return nil
        }
        let total = counts[0].value ?? 0
        let free = counts[1].value ?? 0
        return checkedPool(sizeBytes: overflow ? 0 : bytes, total: total, free: free, source: "\(dir)/\(name)", &warnings)
    }

    /// A pool a host can have: a hugepage size, 0 <= free <= total, at most 1 PiB.
    func checkedPool(sizeBytes: UInt64, total: Int, free: Int, source: String, _ warnings: inout ProbeWarnings) -> HugepagePool? {
        guard sizeBytes >= 4096, sizeBytes <= 16 << 30, sizeBytes & (sizeBytes - 1) == 0 else {
            warnings.add("\(source): not a hugepage size (a power of two from 4 KiB to 16 GiB); pool left out")
            return nil
        }
        guard total >= 0, free >= 0, free <= total, UInt64(total) <= HostSnapshot.maximumMemoryBytes / sizeBytes else {
            warnings.add("\(source): \(total) pages, \(free) free, is no pool a host has; pool left out")
            return nil
        }
        return HugepagePool(sizeBytes: sizeBytes, total: total, free: free)
    }

    /// `block_size_bytes` (hexadecimal): a power of two a host can have.
    func memoryBlockSize(_ sys: SysfsReader, _ warnings: inout ProbeWarnings) -> UInt64? {
        let path = "\(Self.memoryBase)/block_size_bytes"
        guard let text = sys.trimmed(path) else { return nil }
        guard let size = UInt64(text, radix: 16), size >= 4096, size & (size - 1) == 0, size <= HostSnapshot.maximumMemoryBytes else {
            warnings.add("\(path) is not a memory block size (a power of two, in hexadecimal, up to 1 PiB); memory blocks left out")
            return nil
        }
        return size
    }
}
