import SosplanCore
import SosplanDrivers
import Testing

@Suite("systemd cpuset bitmaps")
struct CPUSetBitmapTests {
    @Test("bit j of byte i is CPU 8i+j", arguments: [
        ([], [UInt8]()), ([0], [0x01]), ([1], [0x02]), ([7], [0x80]), ([8], [0x00, 0x01]),
        ([0, 1, 2, 3], [0x0F]), ([0, 9, 63, 64], [0x01, 0x02, 0, 0, 0, 0, 0, 0x80, 0x01]),
    ])
    func encode(ids: [Int], bytes: [UInt8]) {
        #expect(CPUSet(ids).systemdBitmap == bytes)
        #expect(CPUSet(systemdBitmap: bytes) == CPUSet(ids))
    }

    @Test("systemd's 8-byte padded replies decode to the same set")
    func padded() {
        #expect(CPUSet(systemdBitmap: [0x02, 0, 0, 0, 0, 0, 0, 0]) == CPUSet([1]))
        #expect(CPUSet(systemdBitmap: [0, 0, 0, 0, 0, 0, 0, 0]).isEmpty)
    }

    @Test("large sets round-trip")
    func large() {
        let set = CPUSet(Array(stride(from: 0, through: 1023, by: 3)) + [4095])
        #expect(set.systemdBitmap.count == 512)
        #expect(CPUSet(systemdBitmap: set.systemdBitmap) == set)
    }
}
