import SosplanCore
import SosplanDrivers
import Testing

/// `scontrol --oneliner show node` as 22.05 prints it, read into the state
/// the slurm.node step waits for and checks.
@Suite struct SlurmNodeStateTests {
    static let idle = "NodeName=vm Arch=x86_64 CoresPerSocket=2 CPUAlloc=0 CPUEfctv=1 CPUTot=2 CPULoad=0.01 AvailableFeatures=lwk "
        + "ActiveFeatures=lwk Gres=(null) NodeAddr=vm NodeHostName=vm Version=22.05.8 OS=Linux 6.1.0 RealMemory=1000 AllocMem=0 "
        + "FreeMem=20000 Sockets=1 Boards=1 CoreSpecCount=1 CPUSpecList=0 State=IDLE ThreadsPerCore=1 TmpDisk=0 Weight=1 "
        + "Owner=N/A MCS_label=N/A Partitions=main BootTime=2026-12-07T04:00:00 SlurmdStartTime=2026-12-07T11:00:00 "
        + "LastBusyTime=2026-12-07T11:00:01 CfgTRES=cpu=1,mem=1000M,billing=1 AllocTRES= CapWatts=n/a CurrentWatts=0 AveWatts=0 "
        + "ExtSensorsJoules=n/s ExtSensorsWatts=0 ExtSensorsTemp=n/s\n"

    @Test func anIdleNodeWithASpecialisedCPU() throws {
        let s = try #require(SlurmNodeState(scontrolLine: Self.idle))
        #expect(s.flags == ["IDLE"] && s.isSchedulable && !s.isBroken)
        #expect(s.cpuTotal == 2 && s.cpuSpecList == CPUSet([0]))
    }

    @Test func aDrainedInvalidNodeIsBrokenWithItsReason() throws {
        let line = Self.idle.replacingOccurrences(of: "State=IDLE", with: "State=IDLE+DRAIN+INVALID_REG")
            .replacingOccurrences(of: " CapWatts=n/a", with: " Reason=Low socket*core*thread count, Low CPUs [root@2026-12-07T11:02:03] CapWatts=n/a")
        let s = try #require(SlurmNodeState(scontrolLine: line))
        #expect(!s.isSchedulable && s.isBroken)
        #expect(s.reason == "Low socket*core*thread count, Low CPUs [root@2026-12-07T11:02:03]")
        #expect(s.description.hasPrefix("IDLE+DRAIN+INVALID_REG (Reason=Low socket"))
    }

    @Test func aNodeNotYetRegisteredIsNeitherSchedulableNorBroken() throws {
        let s = try #require(SlurmNodeState(scontrolLine: Self.idle.replacingOccurrences(of: "State=IDLE", with: "State=UNKNOWN")))
        #expect(!s.isSchedulable && !s.isBroken, "the step keeps waiting for slurmd's registration")
        #expect(SlurmNodeState(scontrolLine: "slurm_load_node error: Invalid node name specified") == nil)
    }
}
