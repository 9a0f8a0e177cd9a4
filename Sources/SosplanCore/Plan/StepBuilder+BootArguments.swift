/// `spec.isolation.kernelArgs`: the arguments computed for the isolated
/// CPUs go into sosplan's drop-in for the boot loader. A `reboot` step: it
/// writes the file and never reboots, and stays in the plan until
/// `/proc/cmdline` shows every argument (the host runs them).
extension StepBuilder {
    mutating func buildBootArguments(_ kernel: KernelState, _ t: KernelTargets) {
        let want = t.bootArguments
        let written = kernel.bootArguments?.arguments ?? []
        guard !want.isEmpty || !written.isEmpty else { return }
        guard let place = kernel.bootArguments else {
            diagnostics.append(.error(
                "this host keeps no GRUB configuration (/etc/default/grub), where sosplan writes kernel arguments for the next boot",
                file: layout.file, at: layout.isolation.marks["kernelArgs"],
                hints: ["add them to the boot loader's command line yourself: " + want.joined(separator: " "),
                        "then remove kernelArgs from the layout"]))
            return
        }
        let running = Set(kernel.bootArgumentsRunning)
        let pending = want.filter { !running.contains($0) }
        guard written != want || !pending.isEmpty else { return }
        let reason: String
        if written == want {
            reason = "written to \(place.path); the running kernel lacks \(pending.joined(separator: " ")) until the next boot"
        } else if want.isEmpty {
            reason = "remove sosplan's kernel arguments from \(place.path) (the next boot goes without them)"
        } else {
            reason = "for the next boot (\(place.path)); sosplan never reboots"
        }
        addKernelDraft(
            "kernel:cmdline", .kernelCommandLine, .kernel(.commandLine), ["arguments": .string(written.joined(separator: " "))],
            ["arguments": .string(want.joined(separator: " "))], reason, disruption: .reboot)
    }
}
