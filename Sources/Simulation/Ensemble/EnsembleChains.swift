import NetworkFieldTheory
import Sampling

/// The chains of an ensemble's sampler as a checkpoint keeps them: one case
/// per kind of chain state (`EnsembleSampler.store`).
public enum EnsembleChains: Codable, Sendable {
    case hmc(HMCState)
    case independence(IndependenceState)
    case interleaved(independence: IndependenceState, hmc: HMCState)
    case network([DeformedNetworkChains.Chain])

}
