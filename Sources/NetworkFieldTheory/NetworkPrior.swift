import Statistics

/// A probability density over one-hidden-layer networks whose neurons are
/// independent and identically distributed: phi(x) = b + sum_{i<N} v_i s_i(x) with
/// s_i(x) = sigma(w_i . x + c_i), v_i ~ N(0, `amplitudeVariance`) independent of
/// (w_i, c_i), b ~ N(0, `offsetVariance`). The ensemble over networks is a field
/// theory (Halverson, Maiti and Stoner, arXiv:2008.08601): its two-point function
/// is the kernel
///
///     G2(x, y) = offsetVariance + N amplitudeVariance E[s(x) s(y)],
///
/// and, the neurons being independent, its connected four-point function is N
/// times one neuron's fourth cumulant (zero means; the offset is Gaussian):
///
///     G4c(x1..x4) = N amplitudeVariance^2 [3 E(s1 s2 s3 s4) - E(s1 s2)E(s3 s4) - E(s1 s3)E(s2 s4) - E(s1 s4)E(s2 s3)],
///
/// which falls like 1/N at fixed N amplitudeVariance.
public protocol NetworkPrior: Sendable {
    var activation: NetworkActivation { get }
    /// N, the hidden neurons.
    var width: Int { get }
    var inputs: NetworkInputs { get }
    var amplitudeVariance: Double { get }
    var offsetVariance: Double { get }
    /// Var z(x_p) per input (the Gauss-net's normaliser; zeros otherwise).
    var preactivationVariance: [Double] { get }

    /// Draws every parameter of `parameters` (all its networks) from the prior.
    func draw(_ parameters: inout NetworkParameters, _ random: inout RandomSource)

    /// Draws neuron `i` of network `n` of `parameters` alone (its weights, bias and amplitude).
    func drawNeuron(_ i: Int, ofNetwork n: Int, in parameters: inout NetworkParameters, _ random: inout RandomSource)

    /// E[s(x_p) s(x_q)] of one neuron, exactly.
    func neuronTwoPoint(_ p: Int, _ q: Int) -> Double

    /// E[s(x_p1) s(x_p2) s(x_p3) s(x_p4)] of one neuron, in closed form or by quadrature.
    func neuronFourPoint(_ points: [Int]) -> Double
}

extension NetworkPrior {
    /// The fields of `parameters`' networks at the inputs, `networks x P`, into `fields`.
    public func evaluate(_ parameters: NetworkParameters, into fields: UnsafeMutablePointer<Double>) {
        parameters.evaluate(activation, at: inputs, variance: preactivationVariance, into: fields)
    }

    /// G2(x_p, x_q) of the ensemble.
    public func twoPoint(_ p: Int, _ q: Int) -> Double {
        offsetVariance + Double(width) * amplitudeVariance * neuronTwoPoint(p, q)
    }

    /// G4c(x_p1..x_p4) of the ensemble (protocol doc).
    public func connectedFourPoint(_ points: [Int]) -> Double {
        let (a, b, c, d) = (points[0], points[1], points[2], points[3])
        let pairs = neuronTwoPoint(a, b) * neuronTwoPoint(c, d) + neuronTwoPoint(a, c) * neuronTwoPoint(b, d)
            + neuronTwoPoint(a, d) * neuronTwoPoint(b, c)
        return Double(width) * amplitudeVariance * amplitudeVariance * (3 * neuronFourPoint(points) - pairs)
    }
}
