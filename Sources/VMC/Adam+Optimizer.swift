import Optimizers

/// Adam on the variational energy: the gradient `g = dE/d theta = 2 F` from the
/// force `F = <(O - <O>)^* (E_loc - <E>)>`.
extension Adam: Optimizer {
    public mutating func update(_ parameters: inout [Double], from samples: EnergySamples) throws {
        update(&parameters, gradient: samples.force.map { 2 * $0 })
    }
}
