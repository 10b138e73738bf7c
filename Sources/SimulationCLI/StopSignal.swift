import Execution
import Foundation
import Synchronization

/// The signal number of the first stop signal received, 0 before. The run loop
/// polls it between units of work and inside long ones (`StopCheck`).
private let stopSignal = Atomic<Int32>(0)

/// How `nqft` treats signals: SIGINT, SIGTERM, SIGHUP (a closed terminal),
/// SIGQUIT and SIGUSR1 ask the run to stop — it saves its checkpoint and exits
/// with 128 + the signal; a second stop signal ends the process at once.
/// SIGUSR1 is the clusters' checkpoint signal: mpirun passes it to every rank at
/// once (SIGTERM only after odls_base_sigkill_timeout), and Slurm sends it ahead
/// of a time limit (`#SBATCH --signal=USR1@300`). SIGPIPE is ignored: a progress
/// line written to a closed pipe fails quietly instead of killing the run.
enum StopSignal {
    static let handled = [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1]

    static var received: Int32 { stopSignal.load(ordering: .relaxed) }

    static var check: StopCheck { StopCheck { stopSignal.load(ordering: .relaxed) != 0 } }

    /// Routes the stop signals to `received` and unblocks them (a parent may
    /// have started us with them blocked); ignores SIGPIPE.
    static func install() {
        var set = sigset_t()
        sigemptyset(&set)
        for s in handled { sigaddset(&set, s) }
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        signal(SIGPIPE, SIG_IGN)
        for s in handled {
            signal(s) { number in
                // Only async-signal-safe work here: an atomic exchange, and _exit.
                let (first, _) = stopSignal.compareExchange(expected: 0, desired: number, ordering: .relaxed)
                if !first { _exit(128 + number) }
            }
        }
    }
}

/// Writes a line to standard error; a closed stream is ignored (never fatal).
/// Ranks other than 0 of an MPI job stay silent (they would repeat rank 0).
func printError(_ message: String) {
    guard Job.isLeader else { return }
    writeStandardError(message + "\n")
}

/// Writes `text` to standard error, ignoring failures.
func writeStandardError(_ text: String) {
    var bytes = Array(text.utf8)
    var offset = 0
    while offset < bytes.count {
        let n = bytes.withUnsafeMutableBytes { Foundation.write(STDERR_FILENO, $0.baseAddress! + offset, $0.count - offset) }
        if n <= 0 {
            if n < 0 && errno == EINTR { continue }
            return
        }
        offset += n
    }
}
