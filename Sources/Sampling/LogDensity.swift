import Lattice

/// An unnormalised log probability density over lattice fields, evaluated on a
/// batch: `|psi|^2` for variational Monte Carlo, `exp(-S)` for the path integral.
public protocol LogDensity {
    /// `log p(phi_b)` up to a field-independent constant, one per field.
    func logDensity(_ fields: FieldBatch) -> [Double]

    /// `log p(phi_b)` and its gradient `d log p / d phi_x` (`B x V`), for
    /// gradient-guided proposals (MALA).
    func logDensityAndGradient(_ fields: FieldBatch) -> (values: [Double], gradient: FieldBatch)
}
