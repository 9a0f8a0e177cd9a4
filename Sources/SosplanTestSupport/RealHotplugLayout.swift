/// The layout the real-hotplug test and benchmark run `reconcile --watch`
/// with: the host keeps CPU 0, `web` holds one CPU (CPU 1) and may shrink to
/// none, so CPU 1 going offline moves web to CPU 0 and coming back returns it.
public enum RealHotplugLayout {
    public static func text(name: String) -> String {
        """
        apiVersion: sosplan/v1
        kind: HostLayout
        metadata: {name: \(name)}
        spec:
          policy: {topology: none, smt: threads}
          host:
            cpus: {list: "0"}
          services:
            - name: web
              exec: ["/bin/sleep", "infinity"]
              cpus: {count: 1, min: 0}
        """
    }
}
