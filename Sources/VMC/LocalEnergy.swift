import Lattice
import NeuralAnsatz

/// The local energy of a real, positive trial state (docs/CONVENTIONS.md §1),
///
///     E_loc(phi) = -1/2 sum_x [ d^2 log psi/d phi_x^2 + (d log psi/d phi_x)^2 ] + V(phi),
///
/// for each field of the batch. Its mean over `|psi|^2` is `<psi|H|psi>/<psi|psi>`,
/// and it is constant exactly when `psi` is an eigenstate (zero-variance principle).
///
/// - Complexity: the model's derivative cost plus O(B V d) for the potential.
public func localEnergies<Model: WavefunctionModel>(
    _ model: Model, _ theory: ScalarTheory, _ fields: FieldBatch
) -> [Double] {
    localEnergies(theory, fields, derivatives: model.logPsiDerivatives(fields))
}

/// The local energies from derivatives already computed (`logPsiDerivatives` of `fields`).
public func localEnergies(_ theory: ScalarTheory, _ fields: FieldBatch, derivatives: LogPsiDerivatives) -> [Double] {
    var energies = theory.potential(fields)
    let v = fields.siteCount
    derivatives.gradient.storage.withUnsafeBufferPointer { g in
        for b in 0..<fields.sampleCount {
            var squared = 0.0
            for x in 0..<v { squared += g[b * v + x] * g[b * v + x] }
            energies[b] -= 0.5 * (derivatives.laplacian[b] + squared)
        }
    }
    return energies
}
