import SosplanCore

extension ApplyFailure {
    /// Refuses a host that a layout's (or saved plan's) `metadata.hostname`
    /// does not name: `apply` before it changes anything, `plan
    /// --check-hostname` (Ansible's check mode) the same way.
    public static func checkHost(_ pattern: String?, hostname: String?) throws(ApplyFailure) {
        guard let pattern else { return }
        guard let p = try? HostnamePattern(pattern), let name = hostname, p.matches(name) else {
            throw .wrongHost(pattern: pattern, hostname: hostname)
        }
    }
}
