import Foundation

/// A bound on the wall time of a computation whose cost cannot be known in
/// advance (exact diagonalisation of a double well): `check()` throws
/// `DeadlineExceeded` once the time is up.
public struct Deadline: Sendable {
    /// Seconds allowed from `start`.
    public let seconds: Double
    private let start: ContinuousClock.Instant

    public init(seconds: Double) {
        self.seconds = seconds
        start = .now
    }

    /// No bound.
    public static var none: Deadline { Deadline(seconds: .infinity) }

    public var elapsed: Double {
        let d = (ContinuousClock.now - start).components
        return Double(d.seconds) + Double(d.attoseconds) * 1e-18
    }

    public func check() throws {
        if elapsed > seconds { throw DeadlineExceeded(seconds: seconds) }
    }
}

/// Thrown by `Deadline.check()`.
public struct DeadlineExceeded: Error, Equatable {
    public let seconds: Double
}
