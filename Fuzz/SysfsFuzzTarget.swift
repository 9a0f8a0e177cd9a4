import SosplanCore

/// The byte parsers of sysfs and procfs files. The first input byte picks
/// the file format, the rest is the file: no crash, and what a parser
/// accepts is within the kernel's limits and prints back to itself.
struct SysfsFuzzTarget: FuzzTarget {
    func prepare() {}

    func run(_ bytes: [UInt8]) {
        guard let selector = bytes.first else { return }
        let file = Array(bytes.dropFirst())
        file.withUnsafeBufferPointer { b in
            switch selector % 6 {
            case 0:
                if let set = SysfsParse.cpuList(b) {
                    FuzzCheck.require((set.last ?? 0) <= CPUSet.maximumID, "a CPU id beyond the maximum")
                    let again = Array(set.description.utf8).withUnsafeBufferPointer { SysfsParse.cpuList($0) }
                    FuzzCheck.require(again == set, "cpulist \(set) does not read back")
                }
            case 1:
                if let set = SysfsParse.hexMask(b) {
                    FuzzCheck.require((set.last ?? 0) <= CPUSet.maximumID, "a mask bit beyond the maximum CPU id")
                }
            case 2: _ = SysfsParse.int(b)
            case 3: _ = SysfsParse.ints(b)
            case 4: _ = Meminfo(bytes: b)
            default: _ = SysfsParse.trim(b)
            }
        }
        // The layout language's own CPU list and size parsers see the same text.
        let text = String(decoding: file, as: UTF8.self)
        if let set = try? CPUSet(strictList: text) {
            FuzzCheck.require((try? CPUSet(strictList: set.description)) == set, "strict list \(set) does not read back")
        }
        _ = try? CPUSet(lenientList: text)
        _ = CPUSet(hexMask: text)
        if case .success(let size) = ByteSize.parse(text) {
            FuzzCheck.require(ByteSize.parse(size.description) == .success(size), "size \(size) does not read back")
        }
    }
}
