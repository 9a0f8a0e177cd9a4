import SosplanCore
import Testing

/// IHK frees only a free chunk of exactly a given size (ihk smp-driver.c:3961):
/// what to give back must be a set of chunks `query mem` listed.
@Suite struct IHKChunkSelectionTests {
    func mib(_ n: UInt64, node: Int = 0) -> MemoryChunk { MemoryChunk(node: node, bytes: n << 20) }

    @Test func picksChunksThatAddUpExactly() throws {
        let pool = [mib(300), mib(212), mib(100), mib(64, node: 1)]
        let picked = try #require(IHKChunkSelection.chunks(pool, node: 0, adding: 312 << 20))
        #expect(picked.reduce(0) { $0 + $1.bytes } == 312 << 20)
        #expect(picked.allSatisfy { $0.node == 0 } && Set(picked.map(\.bytes)) == [212 << 20, 100 << 20])
        #expect(IHKChunkSelection.chunks(pool, node: 0, adding: 612 << 20) == [mib(300), mib(212), mib(100)])
        #expect(IHKChunkSelection.chunks(pool, node: 0, adding: 0) == [])
        // No set of chunks makes 150 MiB: nothing is guessed.
        #expect(IHKChunkSelection.chunks(pool, node: 0, adding: 152 << 20) == nil)
    }

    @Test func whatThePoolHoldsBeyondWhatIsKept() {
        let pool = [mib(300), mib(212), mib(100), mib(64, node: 1)]
        let (release, stuck) = IHKChunkSelection.beyond(pool, keeping: [mib(100)])
        #expect(Set(release.map(\.bytes)) == [300 << 20, 212 << 20, 64 << 20] && stuck.isEmpty)
        let none = IHKChunkSelection.beyond(pool, keeping: [mib(50)])
        #expect(none.unreleasable == [mib(562)] && none.release == [mib(64, node: 1)])
    }
}
