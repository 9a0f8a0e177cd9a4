import SosplanCore
import SosplanTestSupport
import Testing

/// `kernelArgs`: computed for the isolated CPUs, a `reboot` step writing
/// sosplan's GRUB drop-in, kept in the plan until `/proc/cmdline` shows it.
@Suite struct BootArgumentsPlanTests {
    static let spec = "  isolation: {kernelArgs: [nohz_full, rcu_nocbs, \"isolcpus=managed_irq,domain\", irqaffinity]}\n" + KernelTestHost.isolatedSpec

    @Test func theArgumentsAreComputedForTheIsolatedCPUsInARebootStep() throws {
        let plan = try #require(KernelTestHost.plan(try KernelTestHost.layout(Self.spec), on: KernelTestHost.snapshot()).plan)
        let step = try #require(plan.steps(.kernelCommandLine).first)
        #expect(step.disruption == .reboot)
        #expect(step.target == .kernel(.commandLine))
        #expect(step.after["arguments"] == .string("nohz_full=1-2,9-10 rcu_nocbs=1-2,9-10 isolcpus=managed_irq,domain,1-2,9-10 irqaffinity=0,8"))
        #expect(PlanFormatter.text(plan).contains("! \(step.id) reboot: kernel.cmdline cmdline"))
    }

    @Test func theStepStaysUntilTheRunningKernelShowsIt() throws {
        let layout = try KernelTestHost.layout(Self.spec)
        let (written, again) = KernelTestHost.converge(layout, KernelTestHost.snapshot())
        #expect(again.map(\.action) == [.kernelCommandLine], "written, not running yet")
        #expect(again.first?.before == again.first?.after)
        var booted = written
        booted.kernel!.commandLine = "BOOT_IMAGE=/vmlinuz ro quiet " + written.kernel!.bootArguments!.arguments.joined(separator: " ")
        #expect(try #require(KernelTestHost.plan(layout, on: booted).plan).kernelSteps.isEmpty)
    }

    @Test func argumentsAfterTheInitSeparatorDoNotCount() throws {
        var s = KernelTestHost.snapshot()
        s.kernel!.commandLine = "ro quiet -- nohz_full=1-2,9-10"
        let layout = try KernelTestHost.layout("  isolation: {kernelArgs: [nohz_full]}\n" + KernelTestHost.isolatedSpec)
        #expect(try #require(KernelTestHost.plan(layout, on: s).plan).steps(.kernelCommandLine).count == 1)
    }

    @Test func aHostWithoutGRUBIsAnErrorAtKernelArgs() throws {
        let result = KernelTestHost.plan(try KernelTestHost.layout(Self.spec), on: KernelTestHost.snapshot(grub: false))
        #expect(result.plan == nil)
        let text = DiagnosticFormatter.text(result.diagnostics)
        #expect(text.hasPrefix("k.yaml:6:15: error: this host keeps no GRUB configuration"), "\(text)")
        #expect(text.contains("nohz_full=1-2,9-10"))
    }

    @Test func droppingKernelArgsRemovesTheDropIn() throws {
        let (written, _) = KernelTestHost.converge(try KernelTestHost.layout(Self.spec), KernelTestHost.snapshot())
        let plan = try #require(KernelTestHost.plan(try KernelTestHost.layout(KernelTestHost.isolatedSpec), on: written).plan)
        let step = try #require(plan.steps(.kernelCommandLine).first)
        #expect(step.after["arguments"] == .string(""))
        #expect(step.reason?.contains("remove sosplan's kernel arguments") == true)
    }
}
