import Foundation
import SosplanCore

extension Sandbox {
    /// A unit's `AllowedCPUs` as the lab's systemd reports it.
    public func allowedCPUs(_ unit: String) throws -> CPUSet {
        let r = try lab(["systemctl", "show", "--property", "AllowedCPUs", "--value", unit])
        return try CPUSet(lenientList: r.stdout.replacingOccurrences(of: " ", with: ","))
    }
}
