import FoundationEssentials
import Glibc

/// The kernel's boot id (`/proc/sys/kernel/random/boot_id`, a new UUID at
/// every boot), under a root so the sandbox's simulated reboot changes it:
/// a reconcile that sees a new one knows the kernel forgot its state.
public enum BootID {
    public static func read(root: String) -> String? {
        let path = URL(fileURLWithPath: root).appendingPathComponent("proc/sys/kernel/random/boot_id").path
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        let id = text.trimmingWhitespace()
        return id.isEmpty ? nil : id
    }
}
