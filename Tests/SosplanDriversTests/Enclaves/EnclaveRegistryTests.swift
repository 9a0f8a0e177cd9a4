import Foundation
import SosplanCore
import Testing

@testable import SosplanDrivers

@Suite struct EnclaveRegistryTests {
    func directory() -> StateDirectory {
        StateDirectory(path: FileManager.default.temporaryDirectory.appendingPathComponent("sosplan-state-\(UUID().uuidString)").path)
    }

    @Test func recordsReplacesAndForgets() throws {
        let dir = directory()
        defer { try? FileManager.default.removeItem(at: dir.url) }
        #expect(dir.readEnclaveRegistry().entries.isEmpty)
        let a = EnclaveRegistryEntry(name: "a", driver: .pisces, instance: "0", cpus: CPUSet([4]), memory: [mib(128)])
        try dir.recordEnclave(a)
        var b = a
        b.name = "b"  // the same instance under a new name replaces the old entry
        try dir.recordEnclave(b)
        try dir.recordEnclave(EnclaveRegistryEntry(name: "m", driver: .mos, instance: "partition", cpus: CPUSet([2]), memory: []))
        #expect(dir.readEnclaveRegistry().entries.map(\.name) == ["b", "m"])
        try dir.forgetEnclave(name: "b", driver: .pisces)
        #expect(dir.readEnclaveRegistry().entries.map(\.name) == ["m"])
        let text = String(decoding: dir.read(StateDirectory.enclaveRegistryName) ?? Data(), as: UTF8.self)
        #expect(text.contains("\"schema\": \"sosplan.enclave-registry/v1\""))
    }

    @Test(arguments: [
        ("{not json", "unreadable"),
        ("{\"schema\": \"other/v1\", \"enclaves\": []}", "not an enclave registry"),
        ("{\"schema\": \"sosplan.enclave-registry/v1\", \"enclaves\": [{\"name\": 3}]}", "unreadable"),
    ])
    func damagedFilesAreIgnoredWithAWarning(text: String, warning: String) throws {
        let dir = directory()
        defer { try? FileManager.default.removeItem(at: dir.url) }
        try dir.writeAtomically(Data(text.utf8), to: StateDirectory.enclaveRegistryName)
        let read = dir.readEnclaveRegistry()
        #expect(read.entries.isEmpty)
        #expect(read.warnings.count == 1 && read.warnings[0].contains(warning))
    }

    @Test func badAndRepeatedEntriesAreDropped() throws {
        let dir = directory()
        defer { try? FileManager.default.removeItem(at: dir.url) }
        let text = """
            {"schema": "sosplan.enclave-registry/v1", "enclaves": [
              {"name": "ok", "driver": "mckernel", "instance": "0", "cpus": "2-3", "memory": []},
              {"name": "Bad Name", "driver": "pisces", "instance": "1", "cpus": "4", "memory": []},
              {"name": "ok", "driver": "pisces", "instance": "2", "cpus": "5", "memory": []},
              {"name": "dup", "driver": "mckernel", "instance": "0", "cpus": "2", "memory": []}
            ]}
            """
        try dir.writeAtomically(Data(text.utf8), to: StateDirectory.enclaveRegistryName)
        let read = dir.readEnclaveRegistry()
        #expect(read.entries.map(\.name) == ["ok"])
        #expect(read.warnings.count == 3)
    }
}
