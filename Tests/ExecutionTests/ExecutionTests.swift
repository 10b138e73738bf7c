import Execution
import Foundation
import Testing

@Suite struct ExecutionTests {
    @Test func stopCheckThrowsOnlyWhenRequested() throws {
        try StopCheck.never.check()
        #expect(throws: Interrupted.self) { try StopCheck { true }.check() }
    }

    @Test func deadlineExpires() throws {
        try Deadline.none.check()
        try Deadline(seconds: 60).check()
        let short = Deadline(seconds: 0.01)
        Thread.sleep(forTimeInterval: 0.03)
        #expect(throws: DeadlineExceeded.self) { try short.check() }
    }
}
