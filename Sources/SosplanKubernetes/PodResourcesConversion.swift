import SosplanCore

/// The v1 messages as sosplan's `KubeletPodResources`, checked on
/// the way in: CPU ids and NUMA ids in range, nothing else interpreted.
enum PodResourcesConversion {
    static func resources(
        allocatable: PodResourcesV1.AllocatableResponse, list: PodResourcesV1.ListResponse
    ) throws(PodResourcesClient.Failure) -> KubeletPodResources {
        let pods = try list.pods.map { pod throws(PodResourcesClient.Failure) in
            KubeletPodResources.Pod(
                namespace: pod.namespace, name: pod.name,
                containers: try pod.containers.map { c throws(PodResourcesClient.Failure) in
                    KubeletPodResources.Container(
                        name: c.name, cpus: try cpus(c.cpuIDs), memory: try c.memory.map(memory),
                        devices: try c.devices.map(device))
                })
        }
        return KubeletPodResources(
            allocatable: KubeletPodResources.Allocatable(
                cpus: try cpus(allocatable.cpuIDs), memory: try allocatable.memory.map(memory),
                devices: try allocatable.devices.map(device)),
            pods: pods)
    }

    static func cpus(_ ids: [Int64]) throws(PodResourcesClient.Failure) -> CPUSet {
        if let bad = ids.first(where: { $0 < 0 || $0 > Int64(CPUSet.maximumObservedID) }) {
            throw PodResourcesClient.Failure(description: "the kubelet reported CPU id \(bad), which no host has")
        }
        return CPUSet(ids.map { Int($0) })
    }

    /// NUMA ids; `-1` is the API's "no affinity" and names no node.
    static func nodes(_ ids: [Int64]) throws(PodResourcesClient.Failure) -> [Int] {
        var out: [Int] = []
        for id in ids where id >= 0 {
            guard id <= Int64(CPUSet.maximumID) else {
                throw PodResourcesClient.Failure(description: "the kubelet reported NUMA node \(id), which no host has")
            }
            out.append(Int(id))
        }
        return out
    }

    static func memory(_ m: PodResourcesV1.Memory) throws(PodResourcesClient.Failure) -> KubeletPodResources.MemoryBlock {
        KubeletPodResources.MemoryBlock(type: m.type, bytes: m.size, nodes: try nodes(m.nodes))
    }

    static func device(_ d: PodResourcesV1.Devices) throws(PodResourcesClient.Failure) -> KubeletPodResources.Device {
        KubeletPodResources.Device(resource: d.resource, ids: d.ids, nodes: try nodes(d.nodes))
    }
}
