import FoundationEssentials
import Glibc
import SosplanCore

/// slurmd's v1 cpusets (`<root>/slurm_<node>`, and `uid_<N>` below it).
/// When a CPU goes offline the kernel takes it out of every v1 cpuset, and
/// when it comes back only the root gets it again: slurmd's own cpusets
/// keep the smaller list, and every step placed on the returned CPU fails
/// ("Slurmd could not execve job") until they are widened again, which
/// restarting slurmd does not do (slurm-on-these-vms.md, "The stale v1
/// cpuset"). Job cpusets below are slurmd's and are left alone.
public struct SlurmCpusets: Sendable {
    public var root: String

    public init(root: String) { self.root = root }

    /// Widens `slurm_<node>` and its `uid_*` and `system` cpusets to the
    /// root's CPUs and memory nodes, parents first; returns what it changed.
    public func widen(node: String) throws(SlurmError) -> [String] {
        guard SlurmNodeDefinition.isName(node) else { throw SlurmError("'\(ControlCharacters.shown(node))' is not a Slurm node name") }
        let top = root + "/slurm_" + node
        guard access(top, F_OK) == 0 else { return [] }
        guard let cpus = Self.read(root + "/cpuset.cpus"), let mems = Self.read(root + "/cpuset.mems") else {
            throw SlurmError("cannot read \(root)/cpuset.cpus and cpuset.mems")
        }
        var dirs = [top]
        let children = (try? FileManager.default.contentsOfDirectory(atPath: top)) ?? []
        dirs += children.sorted().filter { $0.hasPrefix("uid_") || $0 == "system" }.map { top + "/" + $0 }
        var changed: [String] = []
        for dir in dirs {
            // mems first: a cpuset needs both before tasks can join it.
            for (file, value) in [("cpuset.mems", mems), ("cpuset.cpus", cpus)] where Self.read(dir + "/" + file) != value {
                // `system` is slurmd's own (core specialisation): slurmd sets it when it starts.
                if dir.hasSuffix("/system") && file == "cpuset.cpus" { continue }
                do { try value.write(toFile: dir + "/" + file, atomically: false, encoding: .utf8) } catch {
                    throw SlurmError("cannot write \(dir)/\(file): \(FileErrorText.describe(error))")
                }
                changed.append("\(dir)/\(file)=\(value)")
            }
        }
        return changed
    }

    static func read(_ path: String) -> String? {
        (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingWhitespace()
    }
}
