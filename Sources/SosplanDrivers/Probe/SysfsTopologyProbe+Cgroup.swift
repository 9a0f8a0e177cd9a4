import SosplanCore

/// The cpuset cgroup the probing process sits in, as hwloc finds it: the
/// mount point from `/proc/mounts` (cgroup2 with the cpuset controller, a
/// `cpuset` filesystem, or cgroup1 with the cpuset option), the group name
/// from `/proc/self/cpuset` or `/proc/self/cgroup`, then its CPU and memory
/// node lists. On a snapshot folder these are the files of the process
/// that took the snapshot.
struct CpusetRestriction: Equatable {
    var name: String
    var cpus: CPUSet?
    var memoryNodes: CPUSet?
}

extension SysfsTopologyProbe {
    private enum CgroupKind { case cgroup2, cgroup1, cpusetFS }

    func readCpusetRestriction(_ sys: SysfsReader) -> CpusetRestriction? {
        guard let (kind, mountPoint) = cpusetMount(sys), let name = cgroupName(sys) else { return nil }
        // The name and mount point come from files: refuse to climb out of the root.
        let path = relative(mountPoint) + (name == "/" ? "" : name)
        guard !path.split(separator: "/").contains("..") else { return nil }
        func read(_ attribute: String) -> CPUSet? {
            switch kind {
            case .cgroup2: return sys.cpuList("\(path)/cpuset.\(attribute).effective")
            case .cgroup1: return sys.cpuList("\(path)/cpuset.\(attribute)")
            case .cpusetFS: return sys.cpuList("\(path)/\(attribute)") ?? sys.cpuList("\(path)/cpuset.\(attribute)")
            }
        }
        return CpusetRestriction(name: name, cpus: read("cpus"), memoryNodes: read("mems"))
    }

    private func cpusetMount(_ sys: SysfsReader) -> (CgroupKind, String)? {
        for line in (sys.text("proc/mounts") ?? "").split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count >= 4 else { continue }
            let mountPoint = String(fields[1]), type = fields[2]
            let options = fields[3].split(separator: ",")
            switch type {
            case "cgroup2":
                let controllers = sys.trimmed("\(relative(mountPoint))/cgroup.controllers") ?? ""
                if controllers.split(separator: " ").contains("cpuset") { return (.cgroup2, mountPoint) }
            case "cpuset":
                return (.cpusetFS, mountPoint)
            case "cgroup" where options.contains("cpuset"):
                return (options.contains("noprefix") ? .cpusetFS : .cgroup1, mountPoint)
            default:
                continue
            }
        }
        return nil
    }

    /// `/proc/self/cpuset` (old cpusets), else the cpuset (v1) or unified
    /// (v2) line of `/proc/self/cgroup`.
    private func cgroupName(_ sys: SysfsReader) -> String? {
        if let name = sys.trimmed("proc/self/cpuset"), !name.isEmpty { return name }
        for line in (sys.text("proc/self/cgroup") ?? "").split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let rest = line[colon...]
            if rest.hasPrefix(":cpuset:") { return String(rest.dropFirst(8)) }
            if rest.hasPrefix("::") { return String(rest.dropFirst(2)) }
        }
        return nil
    }

    private func relative(_ absolute: String) -> String {
        String(absolute.drop { $0 == "/" })
    }
}
