import SosplanCore

/// Draws an `OwnershipPicture` as a standalone SVG file: boxes for the
/// groups, rows and cores, one `rect` per CPU whose `class` is
/// `cpu <owner kind>` (with `data-cpu` and `data-owner`, and a tooltip),
/// then the memory per node and a legend. Same layout rules as the text
/// form; rows wrap at a fixed width, so big hosts grow downwards.
enum OwnershipSVGRenderer {
    private static let margin = 16, cellWidth = 30, cellHeight = 22, cellGap = 2, corePad = 3, coreGap = 8
    private static let cacheGap = 18, labelWidth = 96, rowWidth = 960, lineHeight = 18

    static func render(_ picture: OwnershipPicture) -> String {
        let style = OwnerStyle(owners: picture.legend.map(\.owner))
        var body = ""
        var y = margin + 14
        body += text(picture.title, x: margin, y: y, cls: "title")
        y += 16
        let coreHeight = cellHeight + 2 * corePad
        let rowStart = margin + 8 + labelWidth
        for group in picture.groups {
            let top = y
            var content = text(group.title, x: margin + 8, y: y + 16, cls: "group-title")
            y += 24
            for row in group.rows {
                content += text(row.label, x: margin + 8, y: y + 18, cls: "row-label")
                var x = rowStart
                var previous: Int?? = .none
                for core in row.cores {
                    let coreWidth = 2 * corePad + core.threads.count * cellWidth + (core.threads.count - 1) * cellGap
                    let newCache = previous != nil && previous != .some(core.l3)
                    previous = .some(core.l3)
                    let extra = newCache ? cacheGap - coreGap : 0
                    if x > rowStart && x + extra + coreWidth > rowStart + rowWidth {
                        x = rowStart
                        y += coreHeight + 6
                    } else if newCache && x > rowStart {
                        // A dashed line between cores of different last-level caches.
                        let mid = x - coreGap + (coreGap + extra) / 2
                        content += "<line class=\"cache-edge\" x1=\"\(mid)\" y1=\"\(y)\" x2=\"\(mid)\" y2=\"\(y + coreHeight)\"/>\n"
                        x += extra
                    }
                    content += "<rect class=\"core\" x=\"\(x)\" y=\"\(y)\" width=\"\(coreWidth)\" height=\"\(coreHeight)\" rx=\"4\"/>\n"
                    for (i, thread) in core.threads.enumerated() {
                        content += cell(thread, x: x + corePad + i * (cellWidth + cellGap), y: y + corePad, style: style)
                    }
                    x += coreWidth + coreGap
                }
                y += coreHeight + 8
            }
            let height = y - top + 4
            body += "<rect class=\"group\" x=\"\(margin)\" y=\"\(top)\" width=\"\(rowStart + rowWidth - margin + 8)\" height=\"\(height)\" rx=\"6\"/>\n"
            body += content
            y += 14
        }
        for node in picture.memory {
            let tier = node.tier.map { " (\($0.hwlocName))" } ?? ""
            var line = "node \(node.node) memory\(tier): \(ByteSize(node.total).humanReadable), \(ByteSize(node.free).humanReadable) free"
            line += node.holdings.map { " · \($0.owner) holds \(ByteSize($0.bytes).humanReadable)" }.joined()
            body += text(line, x: margin, y: y + 12, cls: "memory")
            y += lineHeight
        }
        for device in picture.devices {
            body += deviceLine(device, x: margin, y: y + 12)
            y += lineHeight
        }
        y += 8
        for entry in picture.legend {
            body += "<rect class=\"swatch \(entry.owner.kind)\" x=\"\(margin)\" y=\"\(y)\" width=\"14\" height=\"14\" fill=\"\(style.svgFill(entry.owner))\"/>\n"
            let bytes = entry.bytes > 0 ? ", \(ByteSize(entry.bytes).humanReadable)" : ""
            body += text("\(style.code(entry.owner))  \(entry.owner): \(entry.cpus.count) CPUs\(bytes)", x: margin + 20, y: y + 12, cls: "legend")
            y += lineHeight
        }
        let width = rowStart + rowWidth + margin + 8
        let height = y + margin
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" viewBox="0 0 \(width) \(height)">
            <title>\(escape(picture.title))</title>
            <style>
            text { font-family: sans-serif; font-size: 12px; fill: #111827; }
            .title { font-size: 15px; font-weight: bold; }
            .group-title { font-weight: bold; }
            .group { fill: #f9fafb; stroke: #9ca3af; }
            .core { fill: #ffffff; stroke: #6b7280; }
            .cache-edge { stroke: #6b7280; stroke-dasharray: 3 2; }
            .cpu { stroke: #374151; stroke-width: 0.5; }
            .cpu-id { font-size: 10px; text-anchor: middle; }
            </style>
            <rect x="0" y="0" width="\(width)" height="\(height)" fill="#ffffff"/>

            """ + body + "</svg>\n"
    }

    private static func cell(_ thread: OwnershipPicture.Thread, x: Int, y: Int, style: OwnerStyle) -> String {
        let owner = thread.owner
        let tip = "CPU \(thread.id): \(owner)"
        // Light text on the saturated service and enclave colours.
        let dark = owner.kind == "service" || owner.kind == "enclave"
        return "<rect class=\"cpu \(owner.kind)\" data-cpu=\"\(thread.id)\" data-owner=\"\(escape(owner.description))\" "
            + "x=\"\(x)\" y=\"\(y)\" width=\"\(cellWidth)\" height=\"\(cellHeight)\" rx=\"3\" fill=\"\(style.svgFill(owner))\">"
            + "<title>\(escape(tip))</title></rect>\n"
            + "<text class=\"cpu-id\"\(dark ? " style=\"fill: #ffffff\"" : "") x=\"\(x + cellWidth / 2)\" y=\"\(y + 15)\">\(thread.id)\(style.code(owner))</text>\n"
    }

    /// One line per device, with `data-address` and `data-node` for scripts.
    private static func deviceLine(_ device: OwnershipPicture.Device, x: Int, y: Int) -> String {
        var line = "\(device.deviceClass) \(device.address)"
        if !device.names.isEmpty { line += " " + device.names.joined(separator: ", ") }
        line += device.node.map { " on node \($0)" } ?? " (CPUs \(device.localCPUs))"
        if !device.near.isEmpty { line += " · near " + device.near.map(\.description).joined(separator: ", ") }
        let node = device.node.map { " data-node=\"\($0)\"" } ?? ""
        return "<text class=\"device\" data-address=\"\(escape(device.address.description))\"\(node) x=\"\(x)\" y=\"\(y)\">\(escape(line))</text>\n"
    }

    private static func text(_ s: String, x: Int, y: Int, cls: String) -> String {
        "<text class=\"\(cls)\" x=\"\(x)\" y=\"\(y)\">\(escape(s))</text>\n"
    }

    /// Text and attribute values: XML's five specials as entities, and
    /// whatever XML 1.0 does not allow at all (C0 controls even as `&#1;`,
    /// U+FFFE, U+FFFF) shown as escapes, so the file is well-formed XML
    /// whatever the names in it hold.
    static func escape(_ s: String) -> String {
        var out = ""
        for c in ControlCharacters.escaped(s).unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\u{FFFE}", "\u{FFFF}": out += "\\u{\(String(c.value, radix: 16))}"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }
}
