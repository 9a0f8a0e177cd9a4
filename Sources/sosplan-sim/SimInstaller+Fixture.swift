import Foundation
import SosplanCore

extension SimInstaller {
    /// Copies a captured `/sys` + `/proc` (e.g. a topology fixture) and
    /// derives nodes and memory from it; memory blocks are generated (128 MiB)
    /// when the capture has none.
    func importFixture(_ fixture: String, into root: String) throws -> ([SimNode], UInt64) {
        for top in ["sys", "proc"] {
            let source = "\(fixture)/\(top)"
            guard fm.fileExists(atPath: source) else { continue }
            try? fm.removeItem(atPath: "\(root)/\(top)")
            try fm.copyItem(atPath: source, toPath: "\(root)/\(top)")
        }
        let sys = root + "/sys/devices/system"
        guard fm.fileExists(atPath: sys + "/cpu") else {
            throw SimStore.SimError(description: "\(fixture) has no sys/devices/system/cpu")
        }
        let present = presentCPUs(sys)
        var nodes: [SimNode] = []
        let nodeNames = ((try? fm.contentsOfDirectory(atPath: sys + "/node")) ?? []).filter { $0.hasPrefix("node") }
        for name in nodeNames {
            guard let id = Int(name.dropFirst(4)) else { continue }
            // cpulist, else the older cpumap (hex mask).
            let cpus = (try? String(contentsOfFile: "\(sys)/node/\(name)/cpulist", encoding: .utf8))
                .flatMap { try? CPUSet(lenientList: $0) }
                ?? (try? String(contentsOfFile: "\(sys)/node/\(name)/cpumap", encoding: .utf8)).flatMap { CPUSet(hexMask: $0) }
                ?? CPUSet()
            let info = (try? String(contentsOfFile: "\(sys)/node/\(name)/meminfo", encoding: .utf8)) ?? ""
            let total = kb(info, "MemTotal:") * 1024
            nodes.append(SimNode(id: id, cpus: cpus.sorted, baseTotal: total, baseFree: kb(info, "MemFree:") * 1024))
        }
        if !nodes.isEmpty, nodes.allSatisfy({ $0.cpus.isEmpty }), let first = nodes.indices.min(by: { nodes[$0].id < nodes[$1].id }) {
            nodes[first].cpus = present.sorted
        }
        // hwloc's captures omit the hotplug files; a real host has cpuN/online
        // for every CPU but 0.
        let hasOnlineFiles = present.contains { fm.fileExists(atPath: "\(sys)/cpu/cpu\($0)/online") }
        if !hasOnlineFiles {
            for cpu in present where cpu != 0 { try put("\(sys)/cpu/cpu\(cpu)/online", "1\n") }
        }
        if nodes.isEmpty {
            let info = (try? String(contentsOfFile: root + "/proc/meminfo", encoding: .utf8)) ?? ""
            let total = kb(info, "MemTotal:") * 1024
            nodes = [SimNode(id: 0, cpus: present.sorted, baseTotal: total, baseFree: kb(info, "MemFree:") * 1024)]
            try put("\(sys)/node/node0/cpulist", "\(present)\n")
            try put("\(sys)/node/node0/meminfo", "Node 0 MemTotal: \(total / 1024) kB\nNode 0 MemFree: \(kb(info, "MemFree:")) kB\n")
        }
        if let text = try? String(contentsOfFile: sys + "/memory/block_size_bytes", encoding: .utf8),
            let size = UInt64(text.trimmingASCIIWhitespace(), radix: 16)
        {
            return (nodes, size)
        }
        return (nodes, try generateBlocks(sys: sys, nodes: nodes))
    }

    func presentCPUs(_ sys: String) -> CPUSet {
        if let text = try? String(contentsOfFile: sys + "/cpu/present", encoding: .utf8),
            let set = try? CPUSet(lenientList: text)
        {
            return set
        }
        let names = (try? fm.contentsOfDirectory(atPath: sys + "/cpu")) ?? []
        return CPUSet(names.compactMap { $0.hasPrefix("cpu") ? Int($0.dropFirst(3)) : nil })
    }

    func generateBlocks(sys: String, nodes: [SimNode]) throws -> UInt64 {
        let blockSize: UInt64 = 128 << 20
        var id = 0
        for node in nodes.sorted(by: { $0.id < $1.id }) {
            let count = min(Int(node.baseTotal / blockSize), 4096)
            for b in 0..<count {
                let dir = "\(sys)/memory/memory\(id)"
                try put(dir + "/state", "online\n")
                try put(dir + "/online", "1\n")
                try put(dir + "/removable", b == 0 ? "0\n" : "1\n")
                try put(dir + "/phys_index", String(format: "%08x\n", id))
                try fm.createSymbolicLink(atPath: "\(dir)/node\(node.id)", withDestinationPath: "../../node/node\(node.id)")
                id += 1
            }
        }
        try put(sys + "/memory/block_size_bytes", String(blockSize, radix: 16) + "\n")
        return blockSize
    }

    func kb(_ text: String, _ key: String) -> UInt64 {
        for line in text.split(separator: "\n") {
            let words = line.split(separator: " ")
            if let i = words.firstIndex(where: { $0 == key }), i + 1 < words.count, let v = UInt64(words[i + 1]) {
                return v
            }
        }
        return 0
    }
}
