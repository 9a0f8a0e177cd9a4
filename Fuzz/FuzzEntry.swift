import Foundation

/// libFuzzer's entry points. One binary holds every target (the
/// instrumented SosplanCore is compiled once); `SOSPLAN_FUZZ_TARGET`
/// chooses which one runs. `scripts/fuzz` sets it.
nonisolated(unsafe) private var selected: FuzzTarget?

@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    let name = ProcessInfo.processInfo.environment["SOSPLAN_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTargets.all[name] else {
        let names = FuzzTargets.all.keys.sorted().joined(separator: ", ")
        FileHandle.standardError.write(Data("set SOSPLAN_FUZZ_TARGET to one of: \(names)\n".utf8))
        exit(2)
    }
    target.prepare()
    selected = target
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    selected?.run(bytes)
    return 0
}

/// One fuzz target: `prepare` loads what it needs once (fixtures), `run`
/// feeds one input and traps (`FuzzCheck.require`) on a broken invariant;
/// a crash, a timeout or a memory blow-up is a finding as well.
protocol FuzzTarget: Sendable {
    func prepare()
    func run(_ bytes: [UInt8])
}

enum FuzzTargets {
    static let all: [String: any FuzzTarget] = [
        "layout": LayoutFuzzTarget(),
        "snapshot": SnapshotFuzzTarget(),
        "plan": PlanFuzzTarget(),
        "sysfs": SysfsFuzzTarget(),
        "state": StateFuzzTarget(),
        "protobuf": ProtobufFuzzTarget(),
    ]
}

enum FuzzCheck {
    /// A broken invariant: print it and abort, so libFuzzer saves the input.
    static func require(_ condition: Bool, _ message: @autoclosure () -> String) {
        if !condition {
            FileHandle.standardError.write(Data("invariant broken: \(message())\n".utf8))
            abort()
        }
    }

    /// The repository root: `SOSPLAN_REPO` (set by scripts/fuzz).
    static var repository: URL {
        URL(fileURLWithPath: ProcessInfo.processInfo.environment["SOSPLAN_REPO"] ?? FileManager.default.currentDirectoryPath)
    }

    static func read(_ relativePath: String) -> [UInt8] {
        let url = repository.appendingPathComponent(relativePath)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            FileHandle.standardError.write(Data("cannot read \(url.path) (set SOSPLAN_REPO)\n".utf8))
            exit(2)
        }
        return [UInt8](data)
    }
}
