import SosplanCommandLine
import FoundationEssentials
import SosplanCore
import SosplanDrivers

/// Every file `sosplan install` writes, with its absolute path and text:
/// the units and the udev rule (rendered in Core), the shell completions
/// and the manual page (both from the command line's `CommandSpec` tree).
struct InstallTargets {
    var unitDir: String
    var udevDir: String
    var bashCompletionDir = "/usr/share/bash-completion/completions"
    var zshCompletionDir = "/usr/share/zsh/vendor-completions"
    var fishCompletionDir = "/usr/share/fish/vendor_completions.d"
    var manDir = "/usr/local/share/man/man1"

    /// A path as the user gave it, made absolute against the current
    /// directory (a unit runs with `/` as its directory) and normalized.
    static func absolute(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }

    /// Where install puts each file it writes, by name.
    var unitFile: (String) -> String { { "\(unitDir)/\($0)" } }
    var udevRule: String { "\(udevDir)/\(InstallFiles.udevRuleName)" }
    var bashCompletion: String { "\(bashCompletionDir)/sosplan" }
    var zshCompletion: String { "\(zshCompletionDir)/_sosplan" }
    var fishCompletion: String { "\(fishCompletionDir)/sosplan.fish" }
    var manPage: String { "\(manDir)/sosplan.1" }

    /// Every path install writes with these directories.
    var paths: [String] {
        [unitFile(InstallFiles.serviceName), unitFile(InstallFiles.pathUnitName), udevRule, bashCompletion, zshCompletion,
         fishCompletion, manPage]
    }

    /// The places install puts its files when given no directories.
    static let defaults = InstallTargets(unitDir: "/etc/systemd/system", udevDir: "/etc/udev/rules.d")

    /// The only files `--uninstall` (or an install replacing an earlier
    /// one) may remove, whatever the manifest says: sosplan's own file
    /// names in the directories given now or the default ones. A manifest
    /// naming `/etc/passwd` names nothing removable.
    var removable: Set<String> { Set(paths + Self.defaults.paths) }

    func files(_ settings: InstallFiles.Settings) throws -> [InstalledFiles.Planned] {
        let rendered: [InstallFiles.File]
        do { rendered = try InstallFiles.render(settings) } catch {
            throw Failure.report(error.description, hint: "give paths without control characters, e.g. --layout /etc/sosplan/host.yaml")
        }
        var out: [InstalledFiles.Planned] = []
        for f in rendered {
            out.append(.init(path: f.name == InstallFiles.udevRuleName ? udevRule : unitFile(f.name), text: f.text))
        }
        out.append(.init(path: bashCompletion, text: CompletionScript.render(Sosplan.spec, shell: .bash)))
        out.append(.init(path: zshCompletion, text: CompletionScript.render(Sosplan.spec, shell: .zsh)))
        out.append(.init(path: fishCompletion, text: CompletionScript.render(Sosplan.spec, shell: .fish)))
        out.append(.init(path: manPage, text: ManualPage.render(Sosplan.spec)))
        return out
    }
}
