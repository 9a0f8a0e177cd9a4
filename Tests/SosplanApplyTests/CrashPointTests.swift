import SosplanApply
import Testing

/// `--crash-at` / `SOSPLAN_CRASH_AT` values: `before:N` or `after:N`, N ≥ 1.
@Suite struct CrashPointTests {
    @Test func afterAndBeforeParse() throws {
        let after = try #require(CrashPoint("after:3"))
        #expect(after.when == .after && after.step == 3)
        #expect(after == CrashPoint(when: .after, step: 3))
        let before = try #require(CrashPoint("before:1"))
        #expect(before.when == .before && before.step == 1)
        #expect(CrashPoint("before:120")?.step == 120)
    }

    @Test(arguments: [
        "", "after", "after:", ":3", "after:0", "after:-1", "after:x", "after:1:2", "during:1", "After:1", "BEFORE:2",
        " after:1", "after: 1", "after:1.5", "after=1", "3",
    ])
    func invalidValuesAreRefused(text: String) {
        #expect(CrashPoint(text) == nil)
    }
}
