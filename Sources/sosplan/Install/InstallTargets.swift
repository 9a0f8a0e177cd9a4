import ArgumentParser
import Foundation
import SosplanCore
import SosplanDrivers

/// Every file `sosplan install` writes, with its absolute path and text:
/// the units and the udev rule (rendered in Core), the shell completions
/// (from swift-argument-parser) and the manual page (from the command tree).
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

    func files(_ settings: InstallFiles.Settings) throws -> [InstalledFiles.Planned] {
        let rendered: [InstallFiles.File]
        do { rendered = try InstallFiles.render(settings) } catch {
            throw Failure.report(error.description, hint: "give paths without control characters, e.g. --layout /etc/sosplan/host.yaml")
        }
        var out: [InstalledFiles.Planned] = []
        for f in rendered {
            let dir = f.name == InstallFiles.udevRuleName ? udevDir : unitDir
            out.append(.init(path: "\(dir)/\(f.name)", text: f.text))
        }
        out.append(.init(path: "\(bashCompletionDir)/sosplan", text: Sosplan.completionScript(for: .bash)))
        out.append(.init(path: "\(zshCompletionDir)/_sosplan", text: Sosplan.completionScript(for: .zsh)))
        out.append(.init(path: "\(fishCompletionDir)/sosplan.fish", text: Sosplan.completionScript(for: .fish)))
        do {
            let man = try ManPage.render(helpJSON: Sosplan._dumpHelp(), version: Sosplan.configuration.version)
            out.append(.init(path: "\(manDir)/sosplan.1", text: man))
        } catch {
            throw Failure.report("cannot make the manual page: \(error)")
        }
        return out
    }
}
