import Foundation
import Synchronization

/// The signal number of the first SIGINT or SIGTERM received, 0 before. The run
/// loop polls it between steps, so a step is never cut in half.
private let stopSignal = Atomic<Int32>(0)

enum StopSignal {
    static var received: Int32 { stopSignal.load(ordering: .relaxed) }

    /// Routes SIGINT and SIGTERM to `received` instead of terminating the process,
    /// and unblocks them (a parent may have started us with them blocked).
    static func install() {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        for s in [SIGINT, SIGTERM] {
            signal(s) { number in
                // Only async-signal-safe work here: one atomic store.
                _ = stopSignal.compareExchange(expected: 0, desired: number, ordering: .relaxed)
            }
        }
    }
}
