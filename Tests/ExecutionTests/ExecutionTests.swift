import Execution
import Foundation
import Testing

@Suite struct ExecutionTests {
    @Test func stopCheckThrowsOnlyWhenRequested() throws {
        try StopCheck.never.check()
        #expect(throws: Interrupted.self) { try StopCheck { true }.check() }
    }
}
