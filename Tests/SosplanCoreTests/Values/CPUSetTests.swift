import Testing
@testable import SosplanCore

@Suite struct CPUSetTests {
    @Test(arguments: [
        ("0-3,8,10-11", [0, 1, 2, 3, 8, 10, 11]),
        ("5", [5]),
        ("0,2,4", [0, 2, 4]),
        ("63-65", [63, 64, 65]),
    ])
    func parsesAndPrintsListForm(text: String, ids: [Int]) throws {
        let set = try CPUSet(strictList: text)
        #expect(set.sorted == ids)
        #expect(set.description == text)
        #expect(set.count == ids.count)
    }

    @Test(arguments: ["3-1", "1,1", "4,2", "0-3,2", "a", "1-", "", "1,,2", " 1", "99999999"])
    func strictListRejects(text: String) {
        #expect(throws: CPUListError.self) { try CPUSet(strictList: text) }
    }

    @Test func lenientListAcceptsKernelOutput() throws {
        #expect(try CPUSet(lenientList: "0-3,8\n").sorted == [0, 1, 2, 3, 8])
        #expect(try CPUSet(lenientList: "\n").isEmpty)
    }

    @Test func errorOffsetPointsAtThePart() {
        #expect(throws: CPUListError(message: "range '7-5' runs backwards", offset: 4)) {
            try CPUSet(strictList: "0-3,7-5")
        }
    }

    @Test func hexMasksReadMostSignificantWordFirst() {
        #expect(CPUSet(hexMask: "00000000,00000003\n")?.sorted == [0, 1])
        #expect(CPUSet(hexMask: "00000001,00000000")?.sorted == [32])
        #expect(CPUSet(hexMask: "80000000,00000000,00000000")?.sorted == [95])
        #expect(CPUSet(hexMask: "zz") == nil)
    }

    @Test func setAlgebra() {
        let a = CPUSet(0...9), b = CPUSet([5, 70, 130])
        #expect(a.union(b).count == 12)
        #expect(a.intersection(b).sorted == [5])
        #expect(b.subtracting(a).sorted == [70, 130])
        #expect(CPUSet([130]).subtracting(CPUSet([130])) == CPUSet())
        #expect(b.last == 130 && b.first == 5)
    }
}
