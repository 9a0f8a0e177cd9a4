/// One encoding for both the fingerprint and the output: `computeFingerprint`
/// encodes a copy with the hostname, warnings and fingerprint blanked and
/// the kernel as planned; the same tree follows from the snapshot's own
/// encoding by changing those members (only the planned kernel is encoded
/// again), so `observe` no longer encodes the whole snapshot twice.
extension HostSnapshot {
    /// Sets `fingerprint` and keeps the encoded tree (with it) for `jsonValue()`.
    mutating func takeFingerprint() {
        fingerprint = ""
        guard case .object(let members)? = try? JSONValueEncoder().encode(self),
            let printed = Self.fingerprintTree(of: members, plannedKernel: kernel?.planned)
        else {
            fingerprint = computeFingerprint()
            return
        }
        let taken = "sha256:" + SHA256.hex(JSONWriter.compactBytes(printed))
        fingerprint = taken
        let key = CodingKeys.fingerprint.stringValue
        encoding = EncodingMemo(tree: .object(members.map { $0.0 == key ? (key, .string(taken)) : $0 }))
    }

    /// What `computeFingerprint` encodes, made from the snapshot's own
    /// members (encoded with an empty fingerprint); nil if the planned
    /// kernel does not encode.
    static func fingerprintTree(of members: [(String, JSONValue)], plannedKernel: KernelState?) -> JSONValue? {
        var out: [(String, JSONValue)] = []
        out.reserveCapacity(members.count)
        for (key, value) in members {
            switch key {
            case CodingKeys.hostname.stringValue: continue
            case CodingKeys.warnings.stringValue: out.append((key, .array([])))
            case CodingKeys.kernel.stringValue:
                guard let plannedKernel, let tree = try? JSONValueEncoder().encode(plannedKernel) else { return nil }
                out.append((key, tree))
            default: out.append((key, value))
            }
        }
        return .object(out)
    }

    /// A snapshot's encoded tree, carried beside it but no part of its value.
    struct EncodingMemo: Hashable, Sendable {
        var tree: JSONValue?
        init(tree: JSONValue? = nil) { self.tree = tree }
        static func == (_: EncodingMemo, _: EncodingMemo) -> Bool { true }
        func hash(into _: inout Hasher) {}
    }
}
