/// A request to stop, polled by long computations between small pieces of
/// work (a sweep, a Lanczos iteration), so that a run stops within about a
/// second of work whatever phase it is in.
///
/// The contract: `check()` throws `Interrupted` once a stop was requested, and
/// the caller discards whatever the interrupted piece of work had changed (the
/// run engine keeps the state from before the unit of work it was in).
public struct StopCheck: Sendable {
    private let requested: @Sendable () -> Bool

    /// A check that asks `requested`, which must be cheap and thread-safe (an atomic load).
    public init(_ requested: @escaping @Sendable () -> Bool) {
        self.requested = requested
    }

    /// Never requests a stop.
    public static let never = StopCheck { false }

    /// Whether a stop was requested.
    public var isRequested: Bool { requested() }

    /// Throws `Interrupted` when a stop was requested.
    public func check() throws {
        if requested() { throw Interrupted() }
    }
}

/// Thrown by `StopCheck.check()`: the computation gave up at a stop request.
public struct Interrupted: Error, Equatable {
    public init() {}
}
