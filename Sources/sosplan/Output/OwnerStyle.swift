import SosplanCore

/// How each owner looks: a one-character code (so a picture without colour
/// still says who owns each CPU) and a colour for terminals and SVG.
///
/// Codes: `H` host, `S` shared, `-` offline, services `a`-`z`, enclaves
/// `A`-`Z` (minus the fixed letters), co-kernel pools `P`, `Q`, `R`; `*`
/// once a kind runs out. Never digits: a code follows the CPU id. Assigned
/// in legend order, so the same owners always get the same codes.
struct OwnerStyle {
    private(set) var codes: [Owner: Character] = [:]
    private(set) var colors: [Owner: (ansi: Int, svg: String)] = [:]

    init(owners: [Owner]) {
        let serviceCodes = Array("abcdefghijklmnopqrstuvwxyz")
        let enclaveCodes = Array("ABCDEFGIJKLMNOTUVWXYZ")
        let poolCodes = Array("PQR")
        // 256-colour terminal backgrounds and SVG fills of similar hue.
        let servicePalette: [(Int, String)] = [
            (33, "#3b82f6"), (135, "#a855f7"), (214, "#f59e0b"), (38, "#06b6d4"), (170, "#d946ef"), (100, "#84cc16"),
        ]
        let enclavePalette: [(Int, String)] = [(160, "#dc2626"), (202, "#ea580c"), (125, "#be185d"), (94, "#92400e")]
        var services = 0, enclaves = 0, pools = 0
        for owner in owners.sorted() {
            switch owner {
            case .host:
                codes[owner] = "H"
                colors[owner] = (28, "#86c98b")
            case .shared:
                codes[owner] = "S"
                colors[owner] = (30, "#5eb8b0")
            case .offline:
                codes[owner] = "-"
                colors[owner] = (240, "#9ca3af")
            case .service:
                codes[owner] = services < serviceCodes.count ? serviceCodes[services] : "*"
                colors[owner] = servicePalette[services % servicePalette.count]
                services += 1
            case .enclave:
                codes[owner] = enclaves < enclaveCodes.count ? enclaveCodes[enclaves] : "*"
                colors[owner] = enclavePalette[enclaves % enclavePalette.count]
                enclaves += 1
            case .pool:
                codes[owner] = pools < poolCodes.count ? poolCodes[pools] : "*"
                colors[owner] = (178, "#eab308")
                pools += 1
            }
        }
    }

    func code(_ owner: Owner) -> Character { codes[owner] ?? "?" }

    /// The terminal escape that starts a cell of this owner (white or black
    /// text chosen for contrast).
    func ansiStart(_ owner: Owner) -> String {
        let background = colors[owner]?.ansi ?? 240
        let foreground = [28, 30, 33, 135, 160, 125, 94, 240].contains(background) ? 15 : 16
        return "\u{1B}[48;5;\(background)m\u{1B}[38;5;\(foreground)m"
    }

    static let ansiReset = "\u{1B}[0m"

    func svgFill(_ owner: Owner) -> String { colors[owner]?.svg ?? "#9ca3af" }
}
