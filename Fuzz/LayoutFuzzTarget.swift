import SosplanCore

/// YAML -> layout -> checks, and for a layout without errors a plan
/// against two real hosts (a small two-socket machine and a 4-node one):
/// decoding never crashes, a layout comes back exactly when there is no
/// error, every error points inside the file, and planning a valid layout
/// gives a plan or diagnostics, never a crash.
struct LayoutFuzzTarget: FuzzTarget {
    nonisolated(unsafe) static var hosts: [HostSnapshot] = []
    static let capabilities = Dictionary(uniqueKeysWithValues: EnclaveDriverKind.allCases.map { ($0, $0.capabilities) })

    func prepare() {
        for name in ["8em64t-2s2ca2c", "16amd64-4n4c-cgroup-distance-merge"] {
            let bytes = FuzzCheck.read("Tests/Fixtures/Snapshots/\(name).json")
            do {
                Self.hosts.append(try HostSnapshot.decode(json: String(decoding: bytes, as: UTF8.self)))
            } catch {
                FuzzCheck.require(false, "fixture \(name) does not decode: \(error)")
            }
        }
    }

    func run(_ bytes: [UInt8]) {
        let result = LayoutDecoder.decode(bytes, file: "f.yaml")
        FuzzCheck.require((result.layout == nil) == result.diagnostics.hasErrors, "a layout with errors, or none without")
        let end = YAMLParser.endMark(of: bytes)
        for d in result.diagnostics {
            FuzzCheck.require(!d.message.isEmpty, "empty message")
            guard d.severity == .error else { continue }
            guard let mark = d.mark else {
                FuzzCheck.require(false, "error without a position: \(d.message)")
                return
            }
            FuzzCheck.require(mark.line >= 1 && mark.column >= 1 && mark <= end, "position \(mark) past the end \(end): \(d.message)")
        }
        guard let layout = result.layout else { return }
        for host in Self.hosts {
            let planned = Planner(layout: layout, snapshot: host, capabilities: Self.capabilities).plan()
            FuzzCheck.require((planned.plan == nil) == planned.diagnostics.hasErrors, "a plan with errors, or none without")
            if let plan = planned.plan {
                _ = PlanFormatter.text(plan)
                FuzzCheck.require((try? Plan.decode(json: plan.jsonText())) != nil, "a plan's own JSON does not read back")
            }
        }
    }
}
