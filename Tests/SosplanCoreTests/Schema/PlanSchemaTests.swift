import Foundation
import SosplanCore
import SosplanTestSupport
import Testing

/// `Schemas/plan.schema.json` against what `Plan.jsonText()` writes: the
/// plan goldens, a plan with a step of every action, a no-op plan, and
/// documents broken one field at a time, which it must reject.
@Suite struct PlanSchemaTests {
    static let schema = "plan.schema.json"

    @Test func schemaIsDocumented() throws {
        #expect(try SchemaCheck.undocumented(Self.schema) == [])
    }

    @Test func planGoldensAreValid() throws {
        let files = try SchemaCheck.jsonFiles(in: RepositoryPaths.tests.appendingPathComponent("Goldens/Plans"))
        #expect(!files.isEmpty, "no plan goldens under Tests/Goldens/Plans")
        let verdicts = try SchemaCheck.validate(files: files, against: Self.schema)
        for (name, _) in files {
            #expect(verdicts[name]?.valid == true, "\(name): \(verdicts[name]?.errors ?? [])")
        }
    }

    @Test func planOfEveryActionAndNoOpPlanAreValid() throws {
        let snapshot = UnusualHost.snapshot()
        let planned = UnusualHost.plan(snapshot)
        let first = try #require(planned.plan, "\(planned.diagnostics)")
        let plan = UnusualHost.withMemorySteps(first)
        let missing = StepAction.allCases.filter { action in !plan.steps.contains { $0.action == action } }
        #expect(missing.isEmpty, "no step of \(missing.map(\.rawValue)): make the unusual host need one")
        #expect(plan.steps.contains { $0.before.isEmpty } && plan.steps.contains { $0.after.isEmpty })
        #expect(!plan.notes.isEmpty)

        // After simulated execution the layout holds: the same placement, no steps.
        let after = PlanSimulator(capabilities: EnclaveCapabilities.known).apply(first, to: snapshot)
        let noOp = try #require(UnusualHost.plan(after).plan)
        #expect(!noOp.changes && noOp.steps.isEmpty, "\(PlanFormatter.text(noOp))")

        let verdicts = try SchemaCheck.validate(
            [("every action", plan.jsonText()), ("no changes", noOp.jsonText())], against: Self.schema)
        for (name, verdict) in verdicts.sorted(by: { $0.key < $1.key }) {
            #expect(verdict.valid, "\(name): \(verdict.errors)")
        }
    }

    /// Each mutation breaks one rule of the contract; the unmutated
    /// document is checked alongside, so a schema that rejects everything
    /// fails too.
    @Test func brokenPlansAreRejected() throws {
        let plan = UnusualHost.withMemorySteps(try #require(UnusualHost.plan(UnusualHost.snapshot()).plan))
        let base = plan.jsonValue()
        func index(_ action: StepAction) throws -> JSONPathStep {
            .index(try #require(plan.steps.firstIndex { $0.action == action }, "no \(action.rawValue) step"))
        }
        let confine = try index(.hostConfine), create = try index(.enclaveCreate), offline = try index(.cpuOffline)
        let hugepages = try index(.hugepagesSet), update = try index(.sliceUpdate), exec = try index(.unitCreate)
        let clearState = try index(.kubeletClearCPUState), stopKubelet = try index(.kubeletStop)
        let service = try #require(plan.placement.services.first?.name)
        let irqs = try index(.irqAffinity), cmdline = try index(.kernelCommandLine), cpufreq = try index(.cpufreqSet), ban = try index(.irqbalanceBan)
        let freqCPU = try #require(plan.steps.first { $0.action == .cpufreqSet }?.after.entries.first { $0.1["min"] != nil }?.0)
        let mutations: [(String, [JSONPathStep], JSONValue?)] = [
            ("another schema id", ["schema"], .string("sosplan.plan/v2")),
            ("a snapshot's schema id", ["schema"], .string("sosplan.snapshot/v1")),
            ("an unknown step action", ["steps", 0, "action"], .string("unit.explode")),
            ("an action in another spelling", ["steps", 0, "action"], .string("hostConfine")),
            ("an unknown disruption", ["steps", 0, "disruption"], .string("maybe")),
            ("no snapshotFingerprint", ["snapshotFingerprint"], nil),
            ("no notes", ["notes"], nil),
            ("a step without before", ["steps", 0, "before"], nil),
            ("an extra top-level field", ["extra"], .bool(true)),
            ("an extra step field", ["steps", 0, "ok"], .bool(true)),
            ("a step id s0", ["steps", 0, "id"], .string("s0")),
            ("a step id without s", ["steps", 0, "id"], .string("1")),
            ("a dependency by name", ["steps", create, "dependsOn"], .array([.string("host")])),
            ("a negative summary count", ["summary", "add"], .int(-1)),
            ("a summary count as text", ["summary", "destroy"], .string("0")),
            ("no changes with steps", ["changes"], .bool(false)),
            ("a layout name that is no DNS label", ["layout"], .string("Odd_Host")),
            ("a bad host CPU list", ["placement", "host", "cpus"], .string("0-")),
            ("a service placement without shared", ["placement", "services", .key(service), "shared"], nil),
            ("an extra service placement field", ["placement", "services", .key(service), "weight"], .int(5)),
            ("no hugepage placement", ["placement", "hugepages"], nil),
            ("enclaves as an array", ["placement", "enclaves"], .array([])),
            ("a property value that is an object", ["steps", update, "after", "AllowedCPUs"], .object([("list", .string("4-7"))])),
            ("a memory chunk with a size", ["steps", create, "after", "memory", 0, "size"], .string("1Gi")),
            ("host.confine on a unit", ["steps", confine, "target"], .string("system.slice")),
            ("cpu.offline of no CPU", ["steps", offline, "target"], .string("cpu:")),
            ("hugepages.set without a node", ["steps", hugepages, "target"], .string("hugepages:2Mi")),
            ("slice.update on a service", ["steps", update, "target"], .string("nginx.service")),
            ("unit.create of a foreign unit", ["steps", exec, "target"], .string("nginx.service")),
            ("the kubelet's state as another file", ["steps", clearState, "target"], .string("file:/etc/passwd")),
            ("kubelet.stop of a slice", ["steps", stopKubelet, "target"], .string("kubepods.slice")),
            ("irq.affinity on a CPU list", ["steps", irqs, "target"], .string("cpu:1")),
            ("an IRQ entry that is not irqN", ["steps", irqs, "after", "24"], .string("0")),
            ("an IRQ affinity that is no list", ["steps", irqs, "after", "irq24"], .string("all")),
            ("kernel.cmdline not labelled reboot", ["steps", cmdline, "disruption"], .string("live")),
            ("a frequency setting with a unit", ["steps", cpufreq, "after", .key(freqCPU), "min"], .string("3GHz")),
            ("a frequency setting with an unknown field", ["steps", cpufreq, "after", .key(freqCPU), "turbo"], .bool(true)),
            ("irqbalance.ban on another unit", ["steps", ban, "target"], .string("irqbalanced.service")),
        ]
        var documents = [("unmutated", JSONWriter.pretty(base))]
        for (name, path, value) in mutations {
            documents.append((name, JSONWriter.pretty(base.setting(path, to: value))))
        }
        let verdicts = try SchemaCheck.validate(documents, against: Self.schema)
        #expect(verdicts["unmutated"]?.valid == true, "the unmutated plan: \(verdicts["unmutated"]?.errors ?? [])")
        for (name, _, _) in mutations {
            #expect(verdicts[name]?.valid == false, "\(name): accepted, expected the schema to reject it")
        }
    }
}
