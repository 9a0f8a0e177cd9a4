import Foundation
import Testing
@testable import SosplanReact

/// How long the watcher waits for a burst to end: one CPU's hotplug is a
/// single event, so it is acted on after `hotplugQuiet`; a multi-CPU burst
/// is waited for by twice its longest gap, never longer than `quiet` after
/// its last event or `maxDelay` after its first; a layout edit waits `quiet`.
@Suite struct WatchSettleTests {
    static let start = Date(timeIntervalSinceReferenceDate: 1_000_000)

    static func pending(_ trigger: String, events: [Double]) -> WatchLoop.Pending {
        var p = WatchLoop.Pending(trigger: trigger, first: start.addingTimeInterval(events[0]),
                                  last: start.addingTimeInterval(events[0]), changes: ["x"])
        for t in events.dropFirst() {
            let now = start.addingTimeInterval(t)
            p.longestGap = max(p.longestGap, now.timeIntervalSince(p.last))
            p.last = now
        }
        return p
    }

    func after(_ p: WatchLoop.Pending, _ s: WatchLoop.Settings = .init()) -> Double {
        p.settled(s).timeIntervalSince(Self.start)
    }

    @Test func oneCPUsEventSettlesAfterTheHotplugQuiet() {
        let s = WatchLoop.Settings()
        #expect(s.hotplugQuiet < s.quiet)
        #expect(abs(after(Self.pending("hotplug", events: [0])) - s.hotplugQuiet) < 1e-6)
    }

    @Test func aBurstIsWaitedForByTwiceItsLongestGap() {
        // CPUs going offline 60 ms apart (one hotplug each).
        let p = Self.pending("hotplug", events: [0, 0.06, 0.1])
        #expect(abs(after(p) - (0.1 + 0.12)) < 1e-6)
    }

    @Test func aSlowBurstWaitsNoLongerThanQuietOrMaxDelay() {
        var s = WatchLoop.Settings()
        #expect(abs(after(Self.pending("hotplug", events: [0, 0.3]), s) - (0.3 + s.quiet)) < 1e-6)
        s.maxDelay = 0.4
        #expect(abs(after(Self.pending("hotplug", events: [0, 0.3]), s) - 0.4) < 1e-6)
    }

    @Test func aLayoutEditWaitsTheFullQuiet() {
        let s = WatchLoop.Settings()
        #expect(abs(after(Self.pending("layout", events: [0])) - s.quiet) < 1e-6)
    }
}

/// The durations the watcher logs, formatted without Foundation's `String(format:)`.
@Suite struct WatchDurationTextTests {
    @Test(arguments: [(0.0004, "0 ms"), (0.02, "20 ms"), (0.9994, "999 ms"), (1.0, "1.00 s"), (1.234, "1.23 s"), (2.05, "2.05 s"), (61.5, "61.50 s")])
    func durations(_ seconds: Double, _ text: String) {
        #expect(WatchLoop.ms(seconds) == text)
    }
}
