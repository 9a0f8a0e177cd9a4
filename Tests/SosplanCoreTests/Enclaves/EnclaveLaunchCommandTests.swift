import SosplanCore
import Testing

@Suite struct EnclaveLaunchCommandTests {
    let mck = EnclaveInstance(driver: .mckernel, instance: "0", name: "lwk0", state: "RUNNING", cpus: CPUSet(8...19), memory: [])
    let mos = EnclaveInstance(driver: .mos, instance: "partition", name: "lwk", state: "ACTIVE", cpus: CPUSet(2...9), memory: [])
    let kit = EnclaveInstance(driver: .pisces, instance: "3", name: "kit", state: "RUNNING", cpus: CPUSet([4, 5, 9]), memory: [])
    let exec = ["/opt/apps/lulesh2.0", "-s", "64"]

    func argv(_ instance: EnclaveInstance, cpus: CPUSet? = nil, count: Int = 2, memory: UInt64? = nil, exec: [String]? = nil)
        throws -> [String]
    {
        try EnclaveLaunchCommand.argumentVector(
            .init(service: "lulesh", instance: instance, exec: exec ?? self.exec, cpus: cpus, cpuCount: count, memoryBytes: memory))
    }

    @Test func mcexecTakesTheOSIndex() throws {
        #expect(try argv(mck) == ["/opt/ppos/bin/mcexec", "0", "/opt/apps/lulesh2.0", "-s", "64"])
        let custom = try EnclaveLaunchCommand.argumentVector(
            .init(service: "x", instance: mck, exec: exec, cpuCount: 1), launcher: "/usr/local/bin/mcexec")
        #expect(custom.first == "/usr/local/bin/mcexec")
    }

    @Test func yodGetsResourcesFromTheCPUCount() throws {
        #expect(try argv(mos, count: 2) == ["/usr/bin/yod", "--resources", "2/8"] + exec)
        #expect(try argv(mos, count: 8) == ["/usr/bin/yod", "--resources", "all"] + exec)
        #expect(try argv(mos, cpus: CPUSet(2...3)) == ["/usr/bin/yod", "--cpus", "2-3", "--mem", "2/8"] + exec)
        #expect(try argv(mos, cpus: CPUSet(2...9)) == ["/usr/bin/yod", "--cpus", "2-9", "--mem", "all"] + exec)
        #expect(try argv(mos, cpus: CPUSet([2]), memory: 1 << 30) == ["/usr/bin/yod", "--cpus", "2", "--mem", "1073741824"] + exec)
        #expect(throws: EnclaveTextError.self) { try argv(mos, count: 9) }
    }

    @Test func piscesRunUsesLogicalCPUsAndEndsItsOptions() throws {
        #expect(
            try argv(kit, cpus: CPUSet([5, 9]))
                == ["/opt/pisces/linux_usr/pisces_run", "--np=1", "--cpulist=1,2", "--name=lulesh", "--", "/dev/pisces-enclave3"] + exec)
        #expect(try argv(kit).contains("--cpulist=0,1") == false)
        #expect(throws: EnclaveTextError.self) { try argv(kit, exec: ["/bin/app", "two words"]) }
        #expect(throws: EnclaveTextError.self) { try argv(kit, exec: ["/bin/app", ""]) }
    }

    /// mcexec cannot confine a process to a CPU set (mcexec.c:2194-2375: `-c`
    /// picks the LWK core it starts on, `-n` splits among one parent's
    /// processes); a service with its own CPUs starts on the first of them,
    /// by its LWK id (rank in the OS's CPUs, assigned in ascending order).
    @Test func mcexecStartsAServiceOnItsFirstCPU() throws {
        #expect(try argv(mck, cpus: CPUSet(12...13)) == ["/opt/ppos/bin/mcexec", "-c", "4", "0"] + exec)
        #expect(try argv(mck, cpus: CPUSet(8...19)) == ["/opt/ppos/bin/mcexec", "0"] + exec)
    }

    /// Kitten numbers CPUs in the order they joined; /proc lists them sorted
    /// (pis src/enclave.c:354). The driver keeps the join order.
    @Test func piscesLogicalIDsFollowTheJoinOrder() throws {
        var joined = kit
        joined.cpuOrder = [5, 9, 4]
        #expect(try argv(joined, cpus: CPUSet([4])).contains("--cpulist=2"))
        #expect(try argv(joined, cpus: CPUSet([4, 5])).contains("--cpulist=0,2"))
        #expect(EnclaveLaunchCommand.returnsAtLaunch(.pisces) && !EnclaveLaunchCommand.returnsAtLaunch(.mckernel))
    }

    @Test func unsafeCommandLinesAreRefused() throws {
        for bad in [["relative/app"], [], ["/bin/app", "a\nb"], ["/bin/app", "nul\0"], ["/bin/\r"]] {
            #expect(throws: EnclaveTextError.self) { try argv(mck, exec: bad) }
        }
        #expect(throws: EnclaveTextError.self) { try argv(mck, cpus: CPUSet([1])) }  // outside the enclave
        #expect(throws: EnclaveTextError.self) {
            try EnclaveLaunchCommand.argumentVector(.init(service: "x", instance: mck, exec: exec, cpuCount: 1), launcher: "mcexec")
        }
        let error = #expect(throws: EnclaveTextError.self) { try argv(mck, exec: ["/bin/app", "a\nb"]) }
        #expect(error?.description == "exec[1] 'a\\u{a}b' must not contain a newline character")
    }
}
