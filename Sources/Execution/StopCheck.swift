/// A request to stop, polled by long computations between small pieces of
/// work (a block of trajectories, a sweep, a Lanczos iteration, a lag block of
/// the Gamma method), so that a run stops within about a second of work
/// whatever phase it is in.
///
/// The contract: `check()` throws `Interrupted` once a stop was requested, and
/// the caller discards whatever the interrupted piece of work had changed (the
/// run engine keeps the state from before the unit of work it was in).
///
/// Two questions, because an MPI job's ranks must agree when they stop:
/// `isRequested` may be a collective (every rank asks it at the same point of
/// the same control flow); `isRequestedHere` is this process's own flag, cheap
/// and safe anywhere, even inside one rank's part of the work (a single long
/// trajectory), where it lets the part give up early. A part that gave up
/// must be followed by `check()`, which then stops every rank together.
public struct StopCheck: Sendable {
    private let requested: @Sendable () -> Bool
    private let here: @Sendable () -> Bool

    /// A check that asks `requested`, which must be cheap and thread-safe (an
    /// atomic load); `here` is this process's own flag (default: `requested`).
    public init(_ requested: @escaping @Sendable () -> Bool, here: (@Sendable () -> Bool)? = nil) {
        self.requested = requested
        self.here = here ?? requested
    }

    /// Never requests a stop.
    public static let never = StopCheck { false }

    /// Whether a stop was requested (agreed by every rank of a job).
    public var isRequested: Bool { requested() }

    /// Whether this process was asked to stop: not a collective.
    public var isRequestedHere: Bool { here() }

    /// Throws `Interrupted` when a stop was requested.
    public func check() throws {
        if requested() { throw Interrupted() }
    }
}

/// Thrown by `StopCheck.check()`: the computation gave up at a stop request.
public struct Interrupted: Error, Equatable {
    public init() {}
}
