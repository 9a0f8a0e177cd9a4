import SosplanCore
import Testing

@Suite struct SuggestionsTests {
    let fields = ["name", "stack", "units", "exec", "slice", "cpus", "memory", "cpuWeight", "ioWeight", "tasksMax", "priority"]

    @Test(arguments: [
        ("cpu", ["cpus"]), ("memroy", ["memory"]), ("cpu_weight", ["cpuWeight"]), ("TasksMax", ["tasksMax"]),
        ("prority", ["priority"]), ("unit", ["units"]), ("zzz", []), ("execute", ["exec"]), ("image", []),
    ])
    func closest(_ typo: String, _ expected: [String]) {
        #expect(Suggestions.closest(to: typo, in: fields) == expected)
    }

    @Test func hintText() {
        #expect(Suggestions.hint(for: "lwk1", in: ["lwk0", "lwk2", "lwk0"]) == "did you mean 'lwk0' or 'lwk2'?")
        #expect(Suggestions.hint(for: "xyz", in: ["lwk0"]) == nil)
    }
}
