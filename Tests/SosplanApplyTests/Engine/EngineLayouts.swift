/// Layouts for the engine's tests on `EngineHost` (16 CPUs, 2 nodes).
enum EngineLayouts {
    /// Every kind of step the in-memory host can carry out: the host's
    /// confinement, slices, a placed unit, an `exec:` unit, hugepages, and
    /// an enclave whose CPUs go offline first.
    static let full = """
        apiVersion: sosplan/v1
        kind: HostLayout
        metadata: {name: engine-full}
        spec:
          host: {cpus: 2}
          hugepages:
            - {size: 2Mi, count: 64, numa: 0}
          enclaves:
            - name: kit
              driver: pisces
              cpus: {count: 2, numa: 1}
              memory: [{size: 1Gi, numa: 1}]
          services:
            - name: web
              units: [nginx.service]
              cpus: {count: 2, numa: 0}
              memory: {max: 1Gi}
            - name: batch
              exec: ["/bin/sleep", "infinity"]
              cpus: {count: 2, numa: 0}
              cpuWeight: 300

        """

    /// Nothing: sosplan takes back everything it made.
    static let empty = """
        apiVersion: sosplan/v1
        kind: HostLayout
        metadata: {name: engine-empty}
        spec:
          host: {confine: false}
          hugepages:
            - {size: 2Mi, count: 0, numa: 0}

        """

    /// `count` Linux services running a command, each with `weight + i` as
    /// its CPU weight: a first plan of independent slice steps (then the
    /// units); later, with other weights, slice updates only.
    static func slices(_ count: Int, weight: Int = 100) -> String {
        var text = """
            apiVersion: sosplan/v1
            kind: HostLayout
            metadata: {name: engine-slices}
            spec:
              host: {confine: false}
              services:

            """
        for i in 0..<count { text += "    - {name: s\(i), exec: [/bin/sleep, infinity], cpuWeight: \(weight + i)}\n" }
        return text
    }
}
