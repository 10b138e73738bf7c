import Execution
import Foundation
import Parallelism
import Synchronization

/// This process's place in an MPI job (`mpirun -np N nqft run CONFIG`): the
/// world of ranks, and what differs between them. Every rank reads the config,
/// runs the same stages on the same replicated state and does its share of the
/// sampling; only rank 0 (the leader) touches the run directory and the
/// terminal. Without an MPI launcher (or without the MPI build) the process is
/// the one rank of a job of one, and everything below is the single-process behaviour.
enum Job {
    /// Initialised (MPI_Init) on first use, from `nqft run` on the main thread.
    static let world: Communicator = {
        do {
            return try Communicator.world()
        } catch {
            writeStandardError("nqft: cannot start MPI: \(error)\n")
            exit(1)
        }
    }()

    private static let started = Atomic<Bool>(false)

    /// Initialises the world (when launched by MPI) and returns it.
    static func start() -> Communicator {
        let world = Job.world
        started.store(true, ordering: .relaxed)
        return world
    }

    /// Whether this process writes files and messages: rank 0, or a single process.
    static var isLeader: Bool { !started.load(ordering: .relaxed) || world.rank == 0 }

    /// MPI_Finalize when MPI was started; every exit of `nqft` goes through it.
    static func finish() {
        if started.load(ordering: .relaxed) { world.finalize() }
    }

    /// The stop check of a run: the signal flag of this process, or for a job of
    /// several ranks whether any rank received a stop signal — a collective
    /// (every rank polls at the same points of the same control flow), so all
    /// ranks stop at the same unit of work.
    static func stopCheck(_ world: Communicator) -> StopCheck {
        guard world.size > 1 else { return StopSignal.check }
        return StopCheck({
            let agreed = world.any(StopSignal.received != 0)
            if agreed { stopAgreed.store(true, ordering: .relaxed) }
            return agreed
        }, here: { StopSignal.received != 0 })
    }

    /// Set once the ranks agreed to stop (the watchdog's all-clear).
    static let stopAgreed = Atomic<Bool>(false)

    /// The signal the job stops for: the largest any rank received (launchers
    /// send the same one to all).
    static func agreedSignal(_ world: Communicator) -> Int32 {
        Int32(world.maximum(Int(StopSignal.received)))
    }

    /// Open MPI's mpirun passes a SIGTERM or SIGINT on to the ranks only after
    /// odls_base_sigkill_timeout seconds (1 by default), and sends SIGKILL as
    /// long after (measured with Open MPI 4.1.4), often too soon for the ranks to
    /// agree and save; srun waits KillWait (30 s by default). The note tells how
    /// to give a stop its time.
    static func sigkillNote(_ world: Communicator) -> String? {
        let environment = ProcessInfo.processInfo.environment
        guard world.size > 1, environment["OMPI_COMM_WORLD_SIZE"] != nil else { return nil }
        let timeout = environment["OMPI_MCA_odls_base_sigkill_timeout"].flatMap(Int.init) ?? 1
        guard timeout < 10 else { return nil }
        return "note: mpirun passes SIGTERM and SIGINT on \(timeout) s late and kills the ranks \(timeout) s after, which may"
            + " not leave time to save a checkpoint; stop the job with SIGUSR1 (passed at once), or launch with"
            + " --mca odls_base_sigkill_timeout 30"
    }

    /// Threads per rank when --threads is not given: this machine's cores (at
    /// most 2, the single-process default) shared by the ranks on it.
    static func defaultThreads(_ world: Communicator) -> Int {
        let cores = min(2, ProcessInfo.processInfo.activeProcessorCount)
        let local = ProcessInfo.processInfo.environment["OMPI_COMM_WORLD_LOCAL_SIZE"].flatMap(Int.init) ?? world.size
        return max(1, cores / max(1, min(local, world.size)))
    }
}

/// What the leader tells when a job ends before its ranks could agree to stop
/// (another rank died and the launcher is killing the rest, or the launcher
/// kills the ranks sooner than they can save): where the last checkpoint is.
/// A thread polls the stop signal, since the main thread may be blocked in a
/// collective that will never complete.
final class CheckpointWatchdog: Sendable {
    private let description = Mutex<String>("no checkpoint saved yet")
    private let resumeHint: String

    init(resumeHint: String) {
        self.resumeHint = resumeHint
    }

    /// Records a saved checkpoint ("after optimisation step 12") in `directory`.
    func saved(_ position: String, in directory: String) {
        description.withLock { $0 = "the last checkpoint, \(position), is in \(directory)" }
    }

    /// Starts the polling thread (leader of a job of several ranks only).
    func start() {
        let thread = Thread { [self] in
            while StopSignal.received == 0 { usleep(50_000) }
            usleep(500_000)
            guard !Job.stopAgreed.load(ordering: .relaxed) else { return }
            let text = description.withLock { $0 }
            writeStandardError(
                "\nnqft run: rank 0 received signal \(StopSignal.received) but the ranks have not reached a common stop"
                    + " (a rank has failed, or the launcher is ending the job); \(text)\(self.resumeHint)\n")
        }
        thread.start()
    }
}
