/// One node's line in `slurm.conf` (`NodeName=... CPUs=... CpuSpecList=...`)
/// as sosplan writes it into its drop-in (`Include`d by slurm.conf): typed,
/// validated once, rendered at the edge. Slurm 22.05 reads a node's CPUs,
/// topology and core specialisation only from this line when slurmctld and
/// slurmd start (`scontrol update` refuses them: "Update of this parameter
/// is not supported"), so a change is written here and both daemons
/// restart (see `SlurmNodeExecutor`).
public struct SlurmNodeDefinition: Sendable, Hashable, Codable {
    /// `NodeName`: the name slurmd registers with (its short host name).
    public var name: String
    /// `CPUs`: the node's online CPUs as slurmd counts them. slurmctld marks
    /// a node invalid ("Low CPUs") when slurmd registers fewer.
    public var cpus: Int
    /// `SocketsPerBoard`/`CoresPerSocket`/`ThreadsPerCore` (with `Boards=1`),
    /// when the online CPUs are the same on every socket; nil leaves them to
    /// Slurm's defaults for `CPUs` alone.
    public var shape: Shape?
    /// `RealMemory` in MiB (nil: not written, Slurm's default).
    public var realMemoryMiB: Int?
    /// `CpuSpecList`: Slurm's abstract CPU ids kept from jobs (core
    /// specialisation: slurmd and its stepds run there, jobs never).
    public var cpuSpecList: [Int]
    /// `Features`: what `--constraint` can ask for (`lwk` for LWK jobs).
    public var features: [String]

    public struct Shape: Sendable, Hashable, Codable {
        public var sockets: Int
        public var coresPerSocket: Int
        public var threadsPerCore: Int

        public init(sockets: Int, coresPerSocket: Int, threadsPerCore: Int) {
            self.sockets = sockets
            self.coresPerSocket = coresPerSocket
            self.threadsPerCore = threadsPerCore
        }
    }

    public init(name: String, cpus: Int, shape: Shape? = nil, realMemoryMiB: Int? = nil, cpuSpecList: [Int] = [], features: [String] = []) {
        self.name = name
        self.cpus = cpus
        self.shape = shape
        self.realMemoryMiB = realMemoryMiB
        self.cpuSpecList = cpuSpecList
        self.features = features
    }

    /// Slurm node names and feature names as sosplan accepts them: a letter
    /// or digit, then letters, digits, `.`, `_`, `-` (at most 64). Nothing
    /// else can break the line (`=`, spaces, `#`, commas, newlines).
    public static func isName(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, s.utf8.count <= 64 else { return false }
        let alnum = { (c: Unicode.Scalar) in ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c) }
        return alnum(first) && s.unicodeScalars.allSatisfy { alnum($0) || $0 == "." || $0 == "_" || $0 == "-" }
    }

    /// Why this definition cannot be written, or nil.
    public var problem: String? {
        guard Self.isName(name) else { return "'\(ControlCharacters.shown(name))' is not a Slurm node name (letters, digits, '.', '_', '-')" }
        guard (1...100_000).contains(cpus) else { return "CPUs=\(cpus) is out of range" }
        if let s = shape {
            guard s.sockets >= 1, s.coresPerSocket >= 1, s.threadsPerCore >= 1,
                s.sockets * s.coresPerSocket * s.threadsPerCore == cpus
            else { return "SocketsPerBoard=\(s.sockets) CoresPerSocket=\(s.coresPerSocket) ThreadsPerCore=\(s.threadsPerCore) do not make CPUs=\(cpus)" }
        }
        if let m = realMemoryMiB, m < 1 { return "RealMemory=\(m) must be at least 1" }
        if cpuSpecList.contains(where: { $0 < 0 || $0 >= cpus }) || Set(cpuSpecList).count != cpuSpecList.count
            || cpuSpecList != cpuSpecList.sorted() {
            return "CpuSpecList=\(cpuSpecList.map(String.init).joined(separator: ",")) is not a sorted list of CPU ids below \(cpus)"
        }
        if cpuSpecList.count >= cpus { return "CpuSpecList keeps every CPU from jobs" }
        if let bad = features.first(where: { !Self.isName($0) }) {
            return "'\(ControlCharacters.shown(bad))' is not a Slurm feature name (letters, digits, '.', '_', '-')"
        }
        return nil
    }

    /// The CPUs jobs may use (`CPUs` minus the specialised ones).
    public var jobCPUCount: Int { cpus - cpuSpecList.count }

    /// The `slurm.conf` line (only from a definition without a `problem`).
    public var line: String {
        var words = ["NodeName=\(name)", "CPUs=\(cpus)"]
        if let s = shape {
            words += ["Boards=1", "SocketsPerBoard=\(s.sockets)", "CoresPerSocket=\(s.coresPerSocket)", "ThreadsPerCore=\(s.threadsPerCore)"]
        }
        if let m = realMemoryMiB { words.append("RealMemory=\(m)") }
        if !cpuSpecList.isEmpty { words.append("CpuSpecList=" + cpuSpecList.map(String.init).joined(separator: ",")) }
        if !features.isEmpty { words.append("Features=" + features.joined(separator: ",")) }
        words.append("State=UNKNOWN")
        return words.joined(separator: " ")
    }

    /// The drop-in's whole text.
    public var fileText: String {
        "# Written by sosplan (spec.slurm of the host layout); edits here are replaced on the next apply.\n" + line + "\n"
    }

    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        public var description: String
    }

    /// Reads a drop-in as sosplan writes it: comments, blank lines and one
    /// `NodeName=` line of the keys above. Anything else is refused (the
    /// file is untrusted; sosplan never carries a word it does not know
    /// into the line it writes).
    public static func parse(fileText text: String) throws(ParseError) -> SlurmNodeDefinition {
        let blank: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" }
        let lines = text.split(separator: "\n").map { String($0.drop(while: blank).reversed().drop(while: blank).reversed()) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
        guard lines.count == 1, let line = lines.first else {
            throw ParseError(description: "expected one NodeName= line, found \(lines.count) lines")
        }
        var values: [String: String] = [:]
        for word in line.split(whereSeparator: { $0 == " " || $0 == "\t" }) {
            let kv = word.split(separator: "=", maxSplits: 1).map(String.init)
            guard kv.count == 2, values[kv[0].lowercased()] == nil else {
                throw ParseError(description: "'\(ControlCharacters.shown(String(word)))' is not a single key=value")
            }
            values[kv[0].lowercased()] = kv[1]
        }
        let known: Set = ["nodename", "cpus", "boards", "socketsperboard", "corespersocket", "threadspercore", "realmemory",
                          "cpuspeclist", "features", "state"]
        if let other = values.keys.sorted().first(where: { !known.contains($0) }) {
            throw ParseError(description: "'\(ControlCharacters.shown(other))' is not a key sosplan writes")
        }
        func int(_ key: String) throws(ParseError) -> Int? {
            guard let v = values[key] else { return nil }
            guard let i = Int(v), i >= 0 else { throw ParseError(description: "\(key)=\(ControlCharacters.shown(v)) is not a number") }
            return i
        }
        guard let name = values["nodename"], let cpus = try int("cpus") else {
            throw ParseError(description: "the line needs NodeName= and CPUs=")
        }
        if let boards = try int("boards"), boards != 1 { throw ParseError(description: "Boards=\(boards): sosplan writes Boards=1") }
        if let state = values["state"], state.uppercased() != "UNKNOWN" {
            throw ParseError(description: "State=\(ControlCharacters.shown(state)): sosplan writes State=UNKNOWN")
        }
        var def = SlurmNodeDefinition(name: name, cpus: cpus, realMemoryMiB: try int("realmemory"))
        let s = try int("socketsperboard"), c = try int("corespersocket"), t = try int("threadspercore")
        if let s, let c, let t { def.shape = Shape(sockets: s, coresPerSocket: c, threadsPerCore: t) }
        else if s != nil || c != nil || t != nil { throw ParseError(description: "SocketsPerBoard, CoresPerSocket and ThreadsPerCore go together") }
        if let list = values["cpuspeclist"] {
            do { def.cpuSpecList = Array(try CPUSet(lenientList: list)) } catch {
                throw ParseError(description: "CpuSpecList=\(ControlCharacters.shown(list)) is not a CPU list")
            }
        }
        if let f = values["features"] { def.features = f.split(separator: ",").map(String.init) }
        if let problem = def.problem { throw ParseError(description: problem) }
        return def
    }

    /// Refuses a decoded (untrusted) definition that could not be written.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            name: try c.decode(String.self, forKey: .name), cpus: try c.decode(Int.self, forKey: .cpus),
            shape: try c.decodeIfPresent(Shape.self, forKey: .shape), realMemoryMiB: try c.decodeIfPresent(Int.self, forKey: .realMemoryMiB),
            cpuSpecList: try c.decodeIfPresent([Int].self, forKey: .cpuSpecList) ?? [],
            features: try c.decodeIfPresent([String].self, forKey: .features) ?? [])
        if let problem { throw DecodingError.dataCorruptedError(forKey: .name, in: c, debugDescription: problem) }
    }
}
