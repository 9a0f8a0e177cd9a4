import SosplanCore
import Testing

/// The co-kernel text formats, with the exact strings of research/cokernels.md.
@Suite struct EnclaveFormatTests {
    // MARK: IHK (§1.2)

    @Test func ihkQueryMemoryIsRawBytesPerChunkAndNodesMayRepeat() throws {
        #expect(
            try IHKFormat.parseMemoryQuery("536870912@0,268435456@1\n")
                == [MemoryChunk(node: 0, bytes: 536_870_912), MemoryChunk(node: 1, bytes: 268_435_456)])
        #expect(
            try IHKFormat.parseMemoryQuery("268435456@0,268435456@0")
                == [MemoryChunk(node: 0, bytes: 268_435_456), MemoryChunk(node: 0, bytes: 268_435_456)])
        #expect(try IHKFormat.parseMemoryQuery("\n").isEmpty)
        #expect(try IHKFormat.parseMemoryQuery("4194304") == [MemoryChunk(node: 0, bytes: 4 << 20)])
        for bad in ["512M@0", "12@x", "1@2@3", ",", "-1@0"] {
            #expect(throws: EnclaveFormatError.self) { try IHKFormat.parseMemoryQuery(bad) }
        }
        #expect(IHKFormat.formatMemoryQuery([MemoryChunk(node: 0, bytes: 536_870_912), MemoryChunk(node: 1, bytes: 268_435_456)]) == "536870912@0,268435456@1")
    }

    @Test func ihkCPUListsAndInstances() throws {
        #expect(try IHKFormat.parseCPUList("2-4,10\n") == CPUSet([2, 3, 4, 10]))
        #expect(try IHKFormat.parseCPUList("24-31") == CPUSet(24...31))
        #expect(try IHKFormat.parseCPUList("\n").isEmpty)
        #expect(throws: EnclaveFormatError.self) { try IHKFormat.parseCPUList("2-x") }
        #expect(try IHKFormat.parseOSInstances("0,1\n") == [0, 1])
        #expect(try IHKFormat.parseOSInstances("\n") == [])
        #expect(throws: EnclaveFormatError.self) { try IHKFormat.parseOSInstances("0,,1") }
    }

    @Test func ihkStatusWords() throws {
        for word in ["INACTIVE", "BOOTING", "RUNNING", "SHUTDOWN", "PANIC", "HUNGUP", "FREEZING", "FROZEN"] {
            #expect(try IHKFormat.parseStatus(word + "\n").rawValue == word)
        }
        #expect(throws: EnclaveFormatError.self) { try IHKFormat.parseStatus("running") }
    }

    @Test func ihkMemlistArgumentsAsIHKMemparseReadsThem() throws {
        #expect(
            try IHKFormat.parseMemoryArgument("512M@0,1G@1,all@2,ALL,4096")
                == [.bytes(512 << 20, node: 0), .bytes(1 << 30, node: 1), .all(node: 2), .all(node: nil), .bytes(4096, node: 0)])
        #expect(try IHKFormat.parseMemoryArgument("2k@3") == [.bytes(2048, node: 3)])
        for bad in ["", "12X@0", "M@0", "1G@", "1G@0@1"] {
            #expect(throws: EnclaveFormatError.self) { try IHKFormat.parseMemoryArgument(bad) }
        }
        let chunks = [MemoryChunk(node: 0, bytes: 1 << 30), MemoryChunk(node: 1, bytes: 516 << 20), MemoryChunk(node: 2, bytes: 5000)]
        #expect(IHKFormat.formatMemoryArgument(chunks) == "1G@0,516M@1,5000@2")
    }

    // MARK: Pisces (§2.3)

    @Test func piscesProcFiles() throws {
        #expect(try PiscesFormat.parseCPUs("Num CPUs: 2\nCPU 5\nCPU 6\n") == [5, 6])
        #expect(try PiscesFormat.parseCPUs("Num CPUs: 0\n") == [])
        #expect(PiscesFormat.formatCPUs([5, 6]) == "Num CPUs: 2\nCPU 5\nCPU 6\n")
        let memory = "Num Memory Blocks: 1\n0: 0000000008000000 - 0000000010000000\n"
        let ranges = try PiscesFormat.parseMemory(memory)
        #expect(ranges == [PiscesFormat.MemoryRange(start: 0x800_0000, end: 0x1000_0000)])
        #expect(ranges[0].blocks(blockSize: 128 << 20) == [1])
        #expect(PiscesFormat.formatMemory(ranges) == memory)
        for bad in ["Num CPUs: 2\nCPU 5\n", "CPU 5\n", "Num CPUs: 1\nCore 5\n"] {
            #expect(throws: EnclaveFormatError.self) { try PiscesFormat.parseCPUs(bad) }
        }
        // teardown.c wants exactly 16 hex digits (4.15+ hashed %p breaks this).
        for bad in ["Num Memory Blocks: 1\n0: 8000000 - 10000000\n", "Num Memory Blocks: 2\n0: 0000000008000000 - 0000000010000000\n"] {
            #expect(throws: EnclaveFormatError.self) { try PiscesFormat.parseMemory(bad) }
        }
        #expect(PiscesFormat.parseLoadOutput("Enclave Created: 3\n") == 3)
        #expect(PiscesFormat.parseLoadOutput("Enclave Created: -1\n") == -1)
        #expect(PiscesFormat.parseLoadOutput("oops") == nil)
    }

    // MARK: mOS (§3)

    @Test func mosShowInEveryKnownLayout() throws {
        let research = """
            mOS version   : 0.8
            Linux   CPU(s): 0-1 [ 2 CPU(s) ]
            LWK     CPU(s): 2-7 [ 6 CPU(s) ]
            Utility CPU(s): 1 [ 1 CPU(s) ]
            LWK Memory(KB): 16777216 0 [ 1 NUMA nodes ]
            """
        let expected = MOSFormat.Show(
            version: "0.8", linuxCPUs: CPUSet(0...1), lwkCPUs: CPUSet(2...7), utilityCPUs: CPUSet([1]), lwkMemoryKB: [16_777_216, 0])
        #expect(try MOSFormat.Show.parse(research) == expected)
        #expect(try MOSFormat.Show.parse(expected.text) == expected)
        #expect(expected.text.contains("LWK   Memory(KB): 16777216 0 [ 1 NUMA nodes ]\n"))
        let older = "mOS version   : 0.4\nLinux   CPU(s): 0-1\nLWK     CPU(s): 2-7\nSyscall CPU(s): 1\nLWK Memory(KB): 1024\n"
        #expect(try MOSFormat.Show.parse(older).utilityCPUs == CPUSet([1]))
        let none = MOSFormat.Show(version: "0.8", linuxCPUs: CPUSet(0...3), lwkCPUs: CPUSet(), utilityCPUs: CPUSet(), lwkMemoryKB: [0])
        #expect(none.text.contains("LWK       CPU(s): [ 0 CPU(s) ]"))
        #expect(try MOSFormat.Show.parse(none.text) == none)
        #expect(throws: EnclaveFormatError.self) { try MOSFormat.Show.parse("not a valid mOS kernel\n") }
    }

    @Test func mosSysfsAndSpecs() throws {
        #expect(try MOSFormat.parseLWKMem("17179869184 0\n") == [MemoryChunk(node: 0, bytes: 17_179_869_184)])
        #expect(try MOSFormat.parseLWKMem("0 1073741824\n") == [MemoryChunk(node: 1, bytes: 1 << 30)])
        #expect(throws: EnclaveFormatError.self) { try MOSFormat.parseLWKMem("16G") }
        let spec = try MOSFormat.PartitionSpec.parse("lwkcpus=1.2-7:8.9-15 lwkcpu_profile=normal lwkmem=0:16G,1:16G")
        #expect(spec.lwkCPUs == CPUSet([2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14, 15]))
        #expect(spec.utilityCPUs == CPUSet([1, 8]))
        #expect(spec.memory == [MemoryChunk(node: 0, bytes: 16 << 30), MemoryChunk(node: 1, bytes: 16 << 30)])
        #expect(spec.text == "lwkcpus=1.2-7:8.9-15 lwkmem=0:16G,1:16G lwkcpu_profile=normal")
        #expect(try MOSFormat.PartitionSpec.parse(spec.text) == spec)
        #expect(try MOSFormat.PartitionSpec.parse("lwkcpus=2-7").utilityCPUs.isEmpty)
        for bad in ["lwkmem=0:1G", "lwkcpus=1.x", "lwkcpus=1.2 lwkmem=0:lots", "lwkcpus"] {
            #expect(throws: EnclaveFormatError.self) { try MOSFormat.PartitionSpec.parse(bad) }
        }
    }
}
