/// Whether a measured value agrees with the value it is checked against, by one
/// rule everywhere: its deviation `(value - expected) / error`. A zero error
/// counts as agreement only when the value is the expected one exactly; an
/// empty error or a missing expectation never does.
public enum Agreement {
    /// `(value - expected) / error`; 0 when both are equal (a zero error then
    /// agrees), +-infinity when they differ with a zero error (a failure: a
    /// value that cannot fluctuate but is wrong), NaN when anything is missing.
    public static func deviation(_ value: Double, error: Double, from expected: Double) -> Double {
        guard value.isFinite, expected.isFinite, error.isFinite, error >= 0 else { return .nan }
        if value == expected { return 0 }
        return error > 0 ? (value - expected) / error : (value > expected ? .infinity : -.infinity)
    }

    /// Whether `deviation` is within `sigmas` (NaN and infinity are not).
    public static func within(_ deviation: Double, sigmas: Double) -> Bool { deviation.isFinite && abs(deviation) <= sigmas }
}
