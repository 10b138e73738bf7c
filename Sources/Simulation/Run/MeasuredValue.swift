import Statistics

/// One measured value as every summary writes it — `mean`, `error`, `tau_int`,
/// and beside it, when one is known, the value it is checked against (`exact`,
/// or a `reference` measurement with its `reference_error`) and the `deviation`
/// in errors. Non-finite numbers become null with a warning (`SummaryFile`).
public struct MeasuredValue: Encodable, Sendable, Equatable {
    public var mean: Double
    public var error: Double
    public var tauInt: Double?
    public var exact: Double?
    public var reference: Double?
    public var referenceError: Double?
    public var deviation: Double?

    enum CodingKeys: String, CodingKey {
        case mean, error, exact, reference, deviation
        case tauInt = "tau_int", referenceError = "reference_error"
    }

    public init(_ estimate: Estimate, exact: Double? = nil) {
        mean = estimate.mean
        error = estimate.error
        tauInt = estimate.tauInt
        if let exact {
            self.exact = exact
            deviation = Agreement.deviation(estimate.mean, error: estimate.error, from: exact)
        }
    }

    /// Compared with another measurement: the deviation in their combined error.
    public mutating func compare(reference: Estimate) {
        self.reference = reference.mean
        referenceError = reference.error
        deviation = Agreement.deviation(
            mean, error: (error * error + reference.error * reference.error).squareRoot(), from: reference.mean)
    }
}

