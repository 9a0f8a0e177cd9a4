import SosplanCore

/// Collects how a probe degraded, one line per kind of degradation, with
/// the CPUs (or nodes) it concerns gathered into one list, so a 256-CPU
/// host with 64 offline CPUs gets one warning, not 64. Lines come out in
/// the order their kinds were first noted: deterministic for a given input.
struct ProbeWarnings {
    private var order: [String] = []
    private var sets: [String: CPUSet] = [:]
    private var templates: [String: (CPUSet) -> String] = [:]

    /// Notes that `id` is concerned by the degradation `key`; `message`
    /// renders the final line from every id noted under that key.
    mutating func note(_ key: String, _ id: Int, _ message: @escaping (CPUSet) -> String) {
        if sets[key] == nil {
            order.append(key)
            templates[key] = message
        }
        sets[key, default: CPUSet()].insert(id)
    }

    /// A one-off warning.
    mutating func add(_ message: String) {
        guard sets[message] == nil else { return }
        order.append(message)
        sets[message] = CPUSet()
        templates[message] = { _ in message }
    }

    var isEmpty: Bool { order.isEmpty }

    var messages: [String] { order.map { templates[$0]!(sets[$0]!) } }
}

/// "CPU 3" or "CPUs 2,5,13-14".
func cpuPhrase(_ set: CPUSet) -> String { set.count == 1 ? "CPU \(set)" : "CPUs \(set)" }

/// "node 3" or "nodes 1-7".
func nodePhrase(_ set: CPUSet) -> String { set.count == 1 ? "node \(set)" : "nodes \(set)" }
