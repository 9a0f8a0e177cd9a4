import FoundationEssentials
import Glibc
import SosplanCore

/// What mcreboot does around the IHK tools that a correct host needs too
/// (mckernel @e597be0 `scripts/mcreboot-smp.sh.in`).
extension IHKDriver {
    /// mcctrl must be loaded (`:361-366`) and IHK's build id must be
    /// McKernel's (`:369-373`): mcexec refuses to run otherwise
    /// (`executer/user/mcexec.c:1917-1937`). McKernel's id is the
    /// `MCK_BUILDID=` line of the `mcreboot.sh` installed beside the tools
    /// (`:28`); without that script the comparison is skipped.
    public func checkEnvironment() throws(EnclaveError) {
        let modules = FileManager.default.contents(atPath: configuration.hostPath("/proc/modules")).map { String(decoding: $0, as: UTF8.self) }
        if let modules, !modules.split(separator: "\n").contains(where: { $0.hasPrefix("mcctrl ") }) {
            throw EnclaveError(
                .notReady, "mcctrl is not loaded (no 'mcctrl' in /proc/modules): McKernel cannot run programs; load mcctrl.ko as mcreboot.sh does")
        }
        guard let wanted = mckernelBuildID() else { return }
        let r = try tool("ihkconfig", [dev, "get", "buildid"])
        let have = r.stdout.trimmingASCIIWhitespace()
        guard r.succeeded, have == wanted else {
            throw EnclaveError(
                .invalid, "IHK build-id (\(have.isEmpty ? "unreadable" : have)) didn't match McKernel build-id (\(wanted)): IHK, mcctrl and McKernel come from different builds", tool: r)
        }
    }

    /// `MCK_BUILDID=<id>` from the `mcreboot.sh` McKernel installs beside `ihkconfig`.
    func mckernelBuildID() -> String? {
        guard let script = configuration.locate("mcreboot.sh"), let data = FileManager.default.contents(atPath: script) else { return nil }
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") where line.hasPrefix("MCK_BUILDID=") {
            let id = line.dropFirst("MCK_BUILDID=".count).trimmingASCIIWhitespace()
            return id.isEmpty ? nil : id
        }
        return nil
    }

    /// Before a reservation: drop the page cache and compact memory
    /// (`:267-276`), so IHK gathers fewer, larger chunks. Best effort, as
    /// in mcreboot (a kernel without compaction has no `compact_memory`).
    public func prepareMemory() {
        if configuration.root == "/" || configuration.root.isEmpty { sync() }
        for (file, value) in [("/proc/sys/vm/drop_caches", "3"), ("/proc/sys/vm/compact_memory", "1")] {
            try? hotplug.writeAttribute(configuration.hostPath(file), value, what: file)
        }
    }

    /// mcreboot chowns `/dev/mcd*` and `/dev/mcos*` to the user who runs
    /// McKernel programs (`:437`); here the layout names a group, which gets
    /// read and write access, so its members can run `mcexec` without root.
    public func grantDevices(_ index: Int, group: String) throws(EnclaveError) {
        let gid = try Self.groupID(group)
        for node in ["/dev/mcd\(device)", "/dev/mcos\(index)"] {
            let path = configuration.hostPath(node)
            var st = stat()
            guard stat(path, &st) == 0 else {
                throw EnclaveError(.notFound, "\(node) does not exist, so group '\(group)' cannot be given it")
            }
            guard chown(path, uid_t.max, gid) == 0, chmod(path, (st.st_mode & 0o7777) | 0o060) == 0 else {
                let e = errno
                throw EnclaveError(EnclaveError.kind(errno: e), "cannot give \(node) to group '\(group)': \(String(cString: strerror(e)))")
            }
        }
    }

    /// The group's id; an unknown group is refused before any tool runs.
    static func groupID(_ name: String) throws(EnclaveError) -> gid_t {
        do { try EnclaveText.checkGroupName(name, field: "deviceGroup") } catch { throw EnclaveError.from(error) }
        guard let entry = getgrnam(name) else {
            throw EnclaveError(.invalid, "group '\(name)' does not exist on this host (deviceGroup)")
        }
        return entry.pointee.gr_gid
    }
}
