import Lattice
import LinearAlgebra

/// A real function `f(phi)` of a whole lattice field with learnable parameters,
/// evaluated on a batch, with the exact derivatives the local energy and the
/// optimiser need. Parameters are passed in, so one network value serves every
/// parameter vector (the optimiser's, finite-difference tests').
public protocol FieldNetwork: Sendable {
    /// Number of parameters.
    var parameterCount: Int { get }
    /// `f(phi_b)` for each field.
    func value(_ fields: FieldBatch, parameters: [Double]) -> [Double]
    /// `f` and `df/dphi` (`B x V`).
    func valueAndGradient(_ fields: FieldBatch, parameters: [Double]) -> (value: [Double], gradient: FieldBatch)
    /// `f`, `df/dphi` and `sum_x d^2 f/dphi_x^2`, all exact.
    func derivatives(_ fields: FieldBatch, parameters: [Double]) -> LogPsiDerivatives
    /// `df(phi_b)/d theta_q`, `B x P` (factored where the network allows).
    func parameterJacobian(_ fields: FieldBatch, parameters: [Double]) -> ParameterJacobian
    /// `derivatives` and `parameterJacobian` of the same fields, in one pass where the network allows.
    func derivativesAndJacobian(_ fields: FieldBatch, parameters: [Double]) -> (derivatives: LogPsiDerivatives, jacobian: ParameterJacobian)
}

extension FieldNetwork {
    /// The two computed apart.
    public func derivativesAndJacobian(_ fields: FieldBatch, parameters: [Double]) -> (derivatives: LogPsiDerivatives, jacobian: ParameterJacobian) {
        (derivatives(fields, parameters: parameters), parameterJacobian(fields, parameters: parameters))
    }
}
