import Lattice

/// An unnormalised log probability density over lattice fields, evaluated on a
/// batch: `|psi|^2` for variational Monte Carlo, `exp(-S)` for the path integral.
public protocol LogDensity {
    /// `log p(phi_b)` up to a field-independent constant, one per field.
    func logDensity(_ fields: FieldBatch) -> [Double]
}
