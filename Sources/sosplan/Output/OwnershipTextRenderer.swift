import SosplanCore

/// Draws an `OwnershipPicture` for a terminal, like lstopo's text output
/// but of ownership: one block per package (or node), one row per node (or
/// package) inside it, cores as `[ 0H  8H]` (CPU id and owner code), `|`
/// between last-level caches. Rows wrap at `width`. With `colors`, cells
/// also get their owner's background colour; the codes stay, so the
/// picture reads the same in both modes.
enum OwnershipTextRenderer {
    static func render(_ picture: OwnershipPicture, colors: Bool, width: Int = 80) -> String {
        let style = OwnerStyle(owners: picture.legend.map(\.owner))
        var out = shown(picture.title) + "\n"
        let labelWidth = (picture.groups.flatMap { $0.rows.map(\.label.count) }.max() ?? 0) + 2
        for group in picture.groups {
            out += group.title + "\n"
            for row in group.rows {
                let indent = 2 + labelWidth
                let lines = wrap(tokens(row, picture: picture, style: style, colors: colors), width: max(20, width - indent))
                for (i, line) in lines.enumerated() {
                    let head = i == 0 ? "  " + row.label.padding(to: labelWidth) : String(repeating: " ", count: indent)
                    out += head + line + "\n"
                }
            }
        }
        out += memorySection(picture)
        out += deviceSection(picture)
        out += legendSection(picture, style: style, colors: colors)
        out += hotplugSection(picture)
        return out
    }

    /// CPUs lost and returned since the last apply; enclave applications.
    private static func hotplugSection(_ picture: OwnershipPicture) -> String {
        var out = ""
        if !picture.lost.isEmpty || !picture.returned.isEmpty {
            out += "since the last apply\n"
            if !picture.lost.isEmpty { out += "  lost      CPUs \(picture.lost) (offline, held by no co-kernel)\n" }
            if !picture.returned.isEmpty { out += "  returned  CPUs \(picture.returned) (online again)\n" }
        }
        if !picture.applications.isEmpty {
            out += "enclave applications\n"
            let names = picture.applications.map { shown("\($0.enclave) / \($0.service)") }
            let width = (names.map(\.count).max() ?? 0) + 2
            for (a, name) in zip(picture.applications, names) {
                out += "  " + name.padding(to: width) + "CPUs \(a.cpus)\n"
            }
        }
        return out
    }

    /// A core of a row: its text (possibly with escapes), visible width,
    /// and whether a cache boundary (`|`) precedes it.
    private typealias Token = (text: String, width: Int, newCache: Bool)

    private static func tokens(_ row: OwnershipPicture.Row, picture: OwnershipPicture, style: OwnerStyle, colors: Bool)
        -> [Token]
    {
        var result: [Token] = []
        let separateCaches = Set(row.cores.map(\.l3)).count > 1
        var previous: Int?? = .none
        for core in row.cores {
            let newCache = separateCaches && previous != nil && previous != .some(core.l3)
            previous = .some(core.l3)
            let cells = core.threads.map { thread -> String in
                let cell = String(thread.id).leftPadded(to: picture.idWidth) + String(style.code(thread.owner))
                return colors ? style.ansiStart(thread.owner) + cell + OwnerStyle.ansiReset : cell
            }
            let width = 2 + core.threads.count * (picture.idWidth + 1) + max(0, core.threads.count - 1)
            result.append(("[" + cells.joined(separator: " ") + "]", width, newCache))
        }
        return result
    }

    /// Greedy wrap: cores separated by a space (` | ` across caches), lines
    /// at most `width` wide; a line never starts with a separator.
    private static func wrap(_ tokens: [Token], width: Int) -> [String] {
        var lines: [String] = []
        var line = "", used = 0
        for token in tokens {
            var gap = token.newCache ? " | " : " "
            if used > 0 && used + gap.count + token.width > width {
                lines.append(line)
                line = ""
                used = 0
            }
            if used == 0 { gap = "" }
            line += gap + token.text
            used += gap.count + token.width
        }
        if used > 0 || lines.isEmpty { lines.append(line) }
        return lines
    }

    private static func memorySection(_ picture: OwnershipPicture) -> String {
        guard !picture.memory.isEmpty else { return "" }
        var out = "memory\n"
        let labelWidth = (picture.memory.map { "node \($0.node)".count }.max() ?? 0) + 2
        for node in picture.memory {
            var parts = [
                (node.tier.map { "\($0.hwlocName) " } ?? "")
                    + (node.total == 0 ? "memory unknown" : "\(ByteSize(node.total).humanReadable), \(ByteSize(node.free).humanReadable) free")
            ]
            let pools = node.hugepages.filter { $0.total > 0 }
            if !pools.isEmpty {
                parts.append(
                    "hugepages " + pools.map { "\(ByteSize($0.sizeBytes).humanReadable): \($0.free) of \($0.total) free" }
                        .joined(separator: ", "))
            }
            parts += node.holdings.map { "\(shown($0.owner.description)) holds \(ByteSize($0.bytes).humanReadable)" }
            out += "  " + "node \(node.node)".padding(to: labelWidth) + parts.joined(separator: " · ") + "\n"
        }
        return out
    }

    /// PCI devices by node: `node 1  nic 0000:82:00.0 ib0, mlx4_0 · near service lustre-router`.
    private static func deviceSection(_ picture: OwnershipPicture) -> String {
        guard !picture.devices.isEmpty else { return "" }
        var out = "devices\n"
        let labels = picture.devices.map { $0.node.map { "node \($0)" } ?? "no node" }
        let labelWidth = (labels.map(\.count).max() ?? 0) + 2
        for (device, label) in zip(picture.devices, labels) {
            var line = "\(device.deviceClass) \(device.address)"
            if !device.names.isEmpty { line += " " + device.names.joined(separator: ", ") }
            if device.node == nil { line += " (CPUs \(device.localCPUs))" }
            if !device.near.isEmpty { line += " · near " + device.near.map(\.description).joined(separator: ", ") }
            out += "  " + label.padding(to: labelWidth) + shown(line) + "\n"
        }
        return out
    }

    private static func legendSection(_ picture: OwnershipPicture, style: OwnerStyle, colors: Bool) -> String {
        var out = "legend\n"
        let nameWidth = (picture.legend.map { shown($0.owner.description).count }.max() ?? 0) + 2
        for entry in picture.legend {
            var code = String(style.code(entry.owner))
            if colors { code = style.ansiStart(entry.owner) + code + OwnerStyle.ansiReset }
            var what = entry.cpus.isEmpty ? "no CPUs" : "\(entry.cpus.count) CPU\(entry.cpus.count == 1 ? "" : "s") (\(entry.cpus))"
            if entry.bytes > 0 { what += ", \(ByteSize(entry.bytes).humanReadable)" }
            out += "  \(code)  " + shown(entry.owner.description).padding(to: nameWidth) + what + "\n"
        }
        return out
    }
}

/// Names from the host and the layout, escaped: with colours this text
/// goes to the terminal as it is (`Terminal.outStyled`).
private func shown(_ s: String) -> String { ControlCharacters.escaped(s) }

extension String {
    /// Pads with spaces on the right to `width` characters (never truncates).
    fileprivate func padding(to width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }

    /// Pads with spaces on the left to `width` characters.
    fileprivate func leftPadded(to width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
