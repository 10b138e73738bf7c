import Lattice
import LinearAlgebra

/// `log psi`, its input gradient and its input Laplacian for a batch of fields.
public struct LogPsiDerivatives: Sendable {
    /// `log psi(phi_b)`, one per field.
    public var value: [Double]
    /// `d log psi / d phi_x`, `B x V`.
    public var gradient: FieldBatch
    /// `sum_x d^2 log psi / d phi_x^2`, one per field.
    public var laplacian: [Double]
}

/// A real, positive trial wavefunction `psi(phi) = exp(log psi(phi))` of a lattice
/// field, with learnable parameters `theta`.
///
/// Everything is batched: a call takes `B` fields (a `B x V` matrix) and returns
/// `B` results. Derivatives are exact (analytic or forward-mode), never finite
/// differences: the local energy (docs/CONVENTIONS.md §1) needs the Laplacian to machine precision.
public protocol WavefunctionModel: Sendable {
    /// The lattice the fields live on.
    var lattice: Lattice { get }
    /// The parameters `theta`, flattened.
    var parameters: [Double] { get set }

    /// `log psi` for each field (up to a field-independent constant).
    func logPsi(_ fields: FieldBatch) -> [Double]

    /// `log psi`, `d log psi/d phi_x` and `sum_x d^2 log psi/d phi_x^2` for each field.
    func logPsiDerivatives(_ fields: FieldBatch) -> LogPsiDerivatives

    /// `log psi` and `d log psi/d phi_x` for each field, without the Laplacian.
    func logPsiAndGradient(_ fields: FieldBatch) -> (value: [Double], gradient: FieldBatch)

    /// `O_{b,p} = d log psi(phi_b) / d theta_p`, a `B x P` matrix (factored where
    /// the model allows: see `ParameterJacobian`).
    func parameterJacobian(_ fields: FieldBatch) -> ParameterJacobian

    /// `logPsiDerivatives` and `parameterJacobian` of the same fields, which an
    /// optimisation step needs both of: a model may compute them in one pass.
    func derivativesAndJacobian(_ fields: FieldBatch) -> (derivatives: LogPsiDerivatives, jacobian: ParameterJacobian)
}

extension WavefunctionModel {
    /// Number of parameters `P`.
    public var parameterCount: Int { parameters.count }

    /// The two computed apart.
    public func derivativesAndJacobian(_ fields: FieldBatch) -> (derivatives: LogPsiDerivatives, jacobian: ParameterJacobian) {
        (logPsiDerivatives(fields), parameterJacobian(fields))
    }

    /// From `logPsiDerivatives`, for models whose Laplacian costs nothing extra.
    public func logPsiAndGradient(_ fields: FieldBatch) -> (value: [Double], gradient: FieldBatch) {
        let d = logPsiDerivatives(fields)
        return (d.value, d.gradient)
    }
}
