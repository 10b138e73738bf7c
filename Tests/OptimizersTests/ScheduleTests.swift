import Testing
import TestSupport
import Optimizers

@Suite struct ScheduleTests {
    @Test func geometricFromInitialToFinal() {
        let s = Schedule(initial: 1e-2, final: 1e-4, steps: 5)
        #expect(s.value(at: 0) == 1e-2)
        #expect(isClose(s.value(at: 2), 1e-3, relative: 1e-14))
        #expect(isClose(s.value(at: 4), 1e-4, relative: 1e-14))
        #expect(isClose(s.value(at: 100), 1e-4, relative: 1e-14))
        #expect(Schedule.constant(0.3).value(at: 7) == 0.3)
    }
}
