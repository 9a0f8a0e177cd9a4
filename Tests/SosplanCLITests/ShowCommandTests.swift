import Foundation
import SosplanCore
import SosplanTestSupport
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// `sosplan show`: the ownership picture, as text and as SVG.
@Suite struct ShowCommandTests {
    @Test(.enabled(if: TopologyFixtures.isAvailable, "\(TopologyFixtures.unavailableReason ?? "")"))
    func textPictureGolden() throws {
        for name in ["8ia64-2s2c2t", "16em64t-4s2c2t-offlines", "256ppc-8n8s4t"] {
            let root = try TopologyFixtures.load(name).root.path
            let result = try CommandRunner.sosplan(["show", "--root", root], environment: ["COLUMNS": "80"])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(!result.stdout.contains("\u{1B}"), "no colours into a pipe")
            let outcome = Golden.check(result.stdout, against: ObserveCommandTests.golden("show-\(name).txt"))
            #expect(outcome.isMatch, "\(outcome.message)")
        }
    }

    @Test(.enabled(if: TopologyFixtures.isAvailable, "\(TopologyFixtures.unavailableReason ?? "")"))
    func everyCPUAppearsOnceWithItsOwnerCode() throws {
        for name in ["16em64t-4s2c2t-offlines", "256ia64-64n2s2c", "2arm-2c"] {
            let root = try TopologyFixtures.load(name).root.path
            let snapshot = try HostSnapshot.decode(
                json: try CommandRunner.sosplan(["observe", "--root", root, "--format", "json"]).stdout)
            let text = try CommandRunner.sosplan(["show", "--root", root, "--no-color"]).stdout
            let picture = text.components(separatedBy: "\nmemory\n")[0]
            for cpu in snapshot.topology.cpus {
                let cell = "\(cpu.id)\(cpu.online ? "H" : "-")"
                let hits = picture.components(separatedBy: CharacterSet(charactersIn: " []|\n")).filter { $0 == cell }
                #expect(hits.count == 1, "\(name): CPU \(cpu.id) shown as \(cell) once")
            }
        }
    }

    @Test(.enabled(if: TopologyFixtures.isAvailable, "\(TopologyFixtures.unavailableReason ?? "")"))
    func svgIsValidWithOneElementPerCPU() throws {
        let scratch = try ScratchDirectory("show-svg")
        defer { scratch.remove() }
        for name in ["16em64t-4s2c2t-offlines", "256ppc-8n8s4t"] {
            let root = try TopologyFixtures.load(name).root.path
            let file = scratch.path("\(name).svg")
            let result = try CommandRunner.sosplan(["show", "--root", root, "--svg", file.path])
            #expect(result.status == 0, "\(result.stderr)")
            let snapshot = try HostSnapshot.decode(
                json: try CommandRunner.sosplan(["observe", "--root", root, "--format", "json"]).stdout)

            let svg = SVGElements()
            let parser = XMLParser(data: try Data(contentsOf: file))
            parser.delegate = svg
            #expect(parser.parse(), "\(name): \(parser.parserError.map { "\($0)" } ?? "")")
            #expect(svg.root == "svg")
            var seen: [Int: String] = [:]
            for attributes in svg.elements where (attributes["class"] ?? "").split(separator: " ").contains("cpu") {
                let cpu = try #require(attributes["data-cpu"].flatMap(Int.init))
                #expect(seen[cpu] == nil, "CPU \(cpu) drawn twice")
                seen[cpu] = attributes["class"]
            }
            #expect(seen.count == snapshot.topology.cpus.count)
            for cpu in snapshot.topology.cpus {
                #expect(seen[cpu.id] == (cpu.online ? "cpu host" : "cpu offline"), "\(name): CPU \(cpu.id)")
            }
        }
    }

    @Test(.enabled(if: TopologyFixtures.isAvailable, "\(TopologyFixtures.unavailableReason ?? "")"))
    func savedSnapshotDrawsTheSame() throws {
        let scratch = try ScratchDirectory("show-snapshot")
        defer { scratch.remove() }
        let root = try TopologyFixtures.load("8ia64-2s2c2t").root.path
        let file = scratch.path("host.json").path
        #expect(try CommandRunner.sosplan(["observe", "--root", root, "-o", file]).status == 0)
        let live = try CommandRunner.sosplan(["show", "--root", root])
        let saved = try CommandRunner.sosplan(["show", "--snapshot", file])
        #expect(saved.status == 0 && saved.stdout == live.stdout)

        try Data("{\"schema\": \"sosplan.plan/v1\"}".utf8).write(to: scratch.path("plan.json"))
        let wrong = try CommandRunner.sosplan(["show", "--snapshot", scratch.path("plan.json").path])
        #expect(wrong.status == 1 && wrong.stderr.contains("not a sosplan snapshot"))
        try Data("{\n  \"schema\": ".utf8).write(to: scratch.path("broken.json"))
        let broken = try CommandRunner.sosplan(["show", "--snapshot", scratch.path("broken.json").path])
        #expect(broken.status == 1 && broken.stderr.hasPrefix("error: \(scratch.path("broken.json").path):2:"))
        let both = try CommandRunner.sosplan(["show", "--snapshot", file, "--root", root])
        #expect(both.status != 0 && both.stderr.contains("give one"))
    }

    @Test(.enabled(if: TopologyFixtures.isAvailable, "\(TopologyFixtures.unavailableReason ?? "")"))
    func enclavesAndPoolsAreDrawn() throws {
        // A saved snapshot where enclave lwk0 holds package 1 and McKernel's pool CPU 3.
        let scratch = try ScratchDirectory("show-enclave")
        defer { scratch.remove() }
        let root = try TopologyFixtures.load("8ia64-2s2c2t").root.path
        var snapshot = try HostSnapshot.decode(
            json: try CommandRunner.sosplan(["observe", "--root", root, "--format", "json"]).stdout)
        for i in snapshot.topology.cpus.indices where snapshot.topology.cpus[i].id >= 3 {
            snapshot.topology.cpus[i].online = false
            snapshot.topology.cpus[i].owner = snapshot.topology.cpus[i].id == 3 ? "mckernel:pool" : "enclave:lwk0"
        }
        snapshot.enclaves = [
            EnclaveInstance(
                driver: .mckernel, instance: "0", name: "lwk0", state: "RUNNING", cpus: CPUSet(4...7),
                memory: [MemoryChunk(node: 0, bytes: 4 << 30)])
        ]
        snapshot.enclavePools = [EnclavePool(driver: .mckernel, cpus: CPUSet([3]), memory: [])]
        snapshot.refreshFingerprint()
        let file = scratch.path("enclave.json")
        try Data(snapshot.jsonText().utf8).write(to: file)
        let svg = scratch.path("enclave.svg")
        let result = try CommandRunner.sosplan(["show", "--snapshot", file.path, "--svg", svg.path])
        #expect(result.status == 0, "\(result.stderr)")
        let outcome = Golden.check(result.stdout, against: ObserveCommandTests.golden("show-enclave-8ia64-2s2c2t.txt"))
        #expect(outcome.isMatch, "\(outcome.message)")
        let elements = SVGElements()
        let parser = XMLParser(data: try Data(contentsOf: svg))
        parser.delegate = elements
        #expect(parser.parse())
        let classes = Dictionary(uniqueKeysWithValues: elements.elements.compactMap { a -> (Int, String)? in
            guard a["class"]?.hasPrefix("cpu ") == true, let id = a["data-cpu"].flatMap(Int.init) else { return nil }
            return (id, a["class"]!)
        })
        #expect(classes == [0: "cpu host", 1: "cpu host", 2: "cpu host", 3: "cpu pool",
            4: "cpu enclave", 5: "cpu enclave", 6: "cpu enclave", 7: "cpu enclave"])
    }

    @Test(.enabled(if: TopologyFixtures.isAvailable, "\(TopologyFixtures.unavailableReason ?? "")"))
    func aLayoutThatIsInvalidOrMissingFailsWithItsDiagnostics() throws {
        let scratch = try ScratchDirectory("show-layout")
        defer { scratch.remove() }
        let layout = scratch.path("node.yaml")
        try Data("host:\n  cpus: 0\n".utf8).write(to: layout)
        let root = try TopologyFixtures.load("2arm-2c").root.path
        let result = try CommandRunner.sosplan(["show", layout.path, "--root", root])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("\(layout.path):1:1: error: "))
        #expect(result.stdout.isEmpty)
        let none = scratch.path("none.yaml").path
        let missing = try CommandRunner.sosplan(["show", none, "--root", root])
        #expect(missing.status == 1 && missing.stderr.hasPrefix("\(none): error: cannot read:"), "\(missing.stderr)")
    }

    @Test(.enabled(if: TopologyFixtures.isAvailable, "\(TopologyFixtures.unavailableReason ?? "")"))
    func coloursOnATerminalUnlessNoColor() throws {
        // `script` gives the command a pseudo-terminal as stdout.
        let root = try TopologyFixtures.load("2arm-2c").root.path
        let command = "'\(RepositoryPaths.product("sosplan").path)' show --root '\(root)'"
        func run(_ env: [String: String], _ extra: String = "") throws -> String {
            try CommandRunner.run(
                URL(fileURLWithPath: "/usr/bin/script"), ["-qec", command + extra, "/dev/null"], environment: env
            ).stdout
        }
        #expect(try run(["NO_COLOR": ""]).contains("\u{1B}[48;5;"))
        #expect(!(try run(["NO_COLOR": "1"])).contains("\u{1B}["))
        #expect(!(try run(["NO_COLOR": ""], " --no-color")).contains("\u{1B}["))
    }
}

/// Collects the root element and every element's attributes.
final class SVGElements: NSObject, XMLParserDelegate {
    var root: String?
    var elements: [[String: String]] = []

    func parser(
        _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        if root == nil { root = name }
        elements.append(attributes)
    }
}
