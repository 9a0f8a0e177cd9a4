import Foundation

/// Physically contiguous free memory on a node that the buddy allocator can
/// hand IHK (what `__ihk_smp_reserve_mem` assembles from 4 MiB compound pages).
struct SimRun: Codable, Equatable {
    var node: Int
    var addr: UInt64
    var bytes: UInt64
    var end: UInt64 { addr + bytes }
}

/// One IHK memory chunk: `struct chunk` on `ihk_mem_free_chunks` (the
/// device's reserved pool) or `struct ihk_os_mem_chunk` on
/// `ihk_mem_used_chunks` (assigned to an OS). Sizes are never merged or
/// split except where the rules below say so.
struct SimChunk: Codable, Equatable {
    var bytes: UInt64
    var node: Int
    var addr: UInt64
    var end: UInt64 { addr + bytes }
}

/// IHK's memory rules (ihk @3114d9e `linux/driver/smp/smp-driver.c`), one
/// function per kernel routine. Pure functions over the device state; the
/// callers turn the errors into errnos.
enum IHKMemory {
    /// `IHK_SMP_CHUNK_BASE_SIZE` (x86_64 `smp-defines-driver.h:25`): the
    /// order of the compound pages a reservation gathers, and the multiple
    /// `smp_ihk_reserve_mem` requires (`smp-driver.c:4670`).
    static let granule: UInt64 = 4 << 20

    // MARK: Free memory layout

    /// The node's free memory as the buddy allocator holds it: runs of
    /// unrelated sizes (24 MiB to 320 MiB) with a page-sized gap of pinned
    /// memory between them, laid out from a seed so every host looks the
    /// same run after run. `sosplan-sim fault chunks` replaces the layout.
    static func defaultRuns(node: Int, freeBytes: UInt64) -> [SimRun] {
        var runs: [SimRun] = []
        var seed = UInt64(0x9E37_79B9) &+ UInt64(node) &* 0x1000_0001
        var addr = UInt64(node) << 40
        var left = freeBytes / granule * granule
        while left >= granule {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let units = 6 + (seed >> 33) % 75
            let bytes = min(units * granule, left)
            runs.append(SimRun(node: node, addr: addr, bytes: bytes))
            addr += bytes + granule
            left -= bytes
        }
        return runs
    }

    /// Runs of exactly these sizes on `node` (the `chunks` fault), placed
    /// above everything the default layout or earlier faults used.
    static func runs(node: Int, sizes: [UInt64], above: UInt64) -> [SimRun] {
        var addr = max(above, UInt64(node) << 40) / granule * granule + granule
        return sizes.map { size in
            defer { addr += size + granule }
            return SimRun(node: node, addr: addr, bytes: size)
        }
    }

    // MARK: Reservation (ihkconfig reserve mem)

    /// `__ihk_smp_reserve_mem` (`smp-driver.c:3444-3905`) for one item:
    /// compound pages are gathered and merged until one contiguous area holds
    /// `want` (`:3610-3612`, the loop) or memory runs out; then the largest
    /// areas move to the free list until `want` is met, the last one cut to
    /// fit and its leftover freed (`:3723-3797`). So a request becomes one
    /// chunk when a run is large enough, else several chunks of unrelated
    /// sizes. `available` is what the node lets IHK take (95 % of node 0,
    /// `:3619`). `want == nil` is `all` (every run up to `available`).
    static func reserve(
        want: UInt64?, node: Int, available: UInt64, runs: inout [SimRun]
    ) -> [SimChunk]? {
        let onNode = runs.indices.filter { runs[$0].node == node }.sorted { runs[$0].addr < runs[$1].addr }
        var taken: [(index: Int, bytes: UInt64)] = []
        if let want {
            guard want <= available else { return nil }
            if let fit = onNode.first(where: { runs[$0].bytes >= want }) {
                taken = [(fit, want)]
            } else {
                // Everything gathered (up to what the node lets go), largest areas first.
                var gathered: [(Int, UInt64)] = []
                var total: UInt64 = 0
                for i in onNode where total < available {
                    let b = min(runs[i].bytes, available - total)
                    gathered.append((i, b))
                    total += b
                }
                guard total >= want else { return nil }
                gathered.sort { $0.1 != $1.1 ? $0.1 > $1.1 : runs[$0.0].addr < runs[$1.0].addr }
                var left = want
                for (i, b) in gathered where left > 0 {
                    let part = min(b, left)
                    taken.append((i, part))
                    left -= part
                }
            }
        } else {
            var total: UInt64 = 0
            for i in onNode where total < available {
                let b = min(runs[i].bytes, (available - total) / granule * granule)
                if b > 0 { taken.append((i, b)) }
                total += b
            }
        }
        var chunks: [SimChunk] = []
        for (i, bytes) in taken {
            chunks.append(SimChunk(bytes: bytes, node: node, addr: runs[i].addr))
            runs[i].addr += bytes
            runs[i].bytes -= bytes
        }
        runs.removeAll { $0.bytes == 0 }
        return chunks
    }

    /// Pages of a released chunk go back to the buddy allocator
    /// (`__ihk_smp_release_chunk`, `smp-driver.c:3907-3950`): the run they
    /// came from grows back.
    static func giveBack(_ chunk: SimChunk, to runs: inout [SimRun]) {
        var merged = SimRun(node: chunk.node, addr: chunk.addr, bytes: chunk.bytes)
        while let i = runs.firstIndex(where: { $0.node == merged.node && ($0.end == merged.addr || merged.end == $0.addr) }) {
            let r = runs.remove(at: i)
            merged = SimRun(node: r.node, addr: min(r.addr, merged.addr), bytes: r.bytes + merged.bytes)
        }
        runs.append(merged)
        runs.sort { ($0.node, $0.addr) < ($1.node, $1.addr) }
    }

    /// `echo 1 > /proc/sys/vm/compact_memory`: movable pages between runs
    /// are migrated away, so neighbouring runs join into larger ones
    /// (mck `scripts/mcreboot-smp.sh.in:273-274`, "Merge free memory areas
    /// into large, physically contiguous ones"). Here each pair of
    /// neighbours joins once per compaction, unless IHK holds memory
    /// between them (pages it holds cannot move).
    static func compact(_ runs: inout [SimRun], held: [SimChunk]) {
        var out: [SimRun] = []
        let sorted = runs.sorted { ($0.node, $0.addr) < ($1.node, $1.addr) }
        var i = 0
        while i < sorted.count {
            let a = sorted[i]
            if i + 1 < sorted.count, sorted[i + 1].node == a.node,
                !held.contains(where: { $0.node == a.node && $0.addr < sorted[i + 1].addr && $0.end > a.end })
            {
                out.append(SimRun(node: a.node, addr: a.addr, bytes: a.bytes + sorted[i + 1].bytes))
                i += 2
            } else {
                out.append(a)
                i += 1
            }
        }
        runs = out
    }

    // MARK: The free list

    /// `add_free_mem_chunk` (`smp-driver.c:1248-1272`): inserted in physical
    /// address order, never merged with its neighbours.
    static func insert(_ chunk: SimChunk, into list: inout [SimChunk]) {
        let i = list.firstIndex { $0.addr > chunk.addr } ?? list.endIndex
        list.insert(chunk, at: i)
    }

    /// `merge_mem_chunks` (`smp-driver.c:1274-1298`): adjacent chunks of one
    /// node join; only the failure path of `assign mem` calls it (`:2654`).
    static func merge(_ list: inout [SimChunk]) {
        var i = 0
        while i + 1 < list.count {
            if list[i].end == list[i + 1].addr && list[i].node == list[i + 1].node {
                list[i].bytes += list[i + 1].bytes
                list.remove(at: i + 1)
            } else {
                i += 1
            }
        }
    }

    /// `__ihk_smp_release_mem` (`smp-driver.c:3953-3984`): the first free
    /// chunk whose size is exactly `bytes` on `node` (test at `:3961`), or
    /// nil (-EINVAL).
    static func takeExact(_ bytes: UInt64, node: Int, from list: inout [SimChunk]) -> SimChunk? {
        guard let i = list.firstIndex(where: { $0.bytes == bytes && $0.node == node }) else { return nil }
        return list.remove(at: i)
    }

    /// `__smp_ihk_os_assign_mem` (`smp-driver.c:2424-2640`) for one item: an
    /// exact match on the node if there is one (`:2474-2477`), else the
    /// largest chunk (`:2479-2481`), cut at what is still wanted with the
    /// leftover back on the free list (`:2520-2561`); repeated until the
    /// item is met. `want == nil` (`all`) takes every chunk of the node.
    /// Returns the chunks taken, or nil (-ENOMEM) with the list as it was
    /// except that adjacent chunks were merged (`:2645-2657`).
    static func assign(want: UInt64?, node: Int, from list: inout [SimChunk]) -> [SimChunk]? {
        guard let want else {
            let all = list.filter { $0.node == node }
            guard !all.isEmpty else { return nil }
            list.removeAll { $0.node == node }
            return all
        }
        var taken: [SimChunk] = []
        var left = want
        while left > 0 {
            if let exact = list.firstIndex(where: { $0.node == node && $0.bytes == left }) {
                taken.append(list.remove(at: exact))
                left = 0
                continue
            }
            var maxIndex: Int?
            for i in list.indices where list[i].node == node {
                if maxIndex == nil || list[maxIndex!].bytes < list[i].bytes { maxIndex = i }
            }
            guard let m = maxIndex else {
                for c in taken { insert(c, into: &list) }
                merge(&list)
                return nil
            }
            let chunk = list.remove(at: m)
            let part = min(left, chunk.bytes)
            taken.append(SimChunk(bytes: part, node: node, addr: chunk.addr))
            if chunk.bytes > part {
                insert(SimChunk(bytes: chunk.bytes - part, node: node, addr: chunk.addr + part), into: &list)
            }
            left -= part
        }
        return taken
    }
}
