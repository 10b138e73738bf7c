import Foundation
import Statistics

/// The standard parameterisation (arXiv:2008.08601 eq. 2.1; Neal 1996):
/// w ~ N(0, sigma_w^2/d) per component, c ~ N(0, sigma_b^2), v ~ N(0, sigma_w^2/N),
/// b ~ N(0, sigma_b^2). One neuron's pre-activations z(x) = w.x + c are jointly
/// Gaussian with covariance Sigma(x, y) = sigma_b^2 + sigma_w^2 x.y/d.
public struct StandardNetworkPrior: NetworkPrior {
    public let activation: NetworkActivation
    public let width: Int
    public let inputs: NetworkInputs
    public let sigmaW: Double
    public let sigmaB: Double
    public let preactivationVariance: [Double]

    public init(activation: NetworkActivation, width: Int, inputs: NetworkInputs, sigmaW: Double, sigmaB: Double) {
        self.activation = activation
        self.width = width
        self.inputs = inputs
        self.sigmaW = sigmaW
        self.sigmaB = sigmaB
        let d = Double(inputs.dimension)
        preactivationVariance = activation == .gauss
            ? (0..<inputs.count).map { sigmaB * sigmaB + sigmaW * sigmaW * inputs.dot($0, $0) / d }
            : [Double](repeating: 0, count: inputs.count)
    }

    public var amplitudeVariance: Double { sigmaW * sigmaW / Double(width) }
    public var offsetVariance: Double { sigmaB * sigmaB }

    /// Sigma(x_p, x_q) = Cov(z(x_p), z(x_q)).
    public func preactivationCovariance(_ p: Int, _ q: Int) -> Double {
        sigmaB * sigmaB + sigmaW * sigmaW * inputs.dot(p, q) / Double(inputs.dimension)
    }

    public func draw(_ parameters: inout NetworkParameters, _ random: inout RandomSource) {
        let d = Double(parameters.dimension)
        Self.fill(&parameters.weights, scale: sigmaW / d.squareRoot(), &random)
        Self.fill(&parameters.biases, scale: sigmaB, &random)
        Self.fill(&parameters.amplitudes, scale: amplitudeVariance.squareRoot(), &random)
        Self.fill(&parameters.offsets, scale: sigmaB, &random)
    }

    public func drawNeuron(_ i: Int, ofNetwork n: Int, in parameters: inout NetworkParameters, _ random: inout RandomSource) {
        let neuron = n * width + i, d = parameters.dimension
        for j in 0..<d { parameters.weights[neuron * d + j] = sigmaW / Double(d).squareRoot() * random.normal() }
        parameters.biases[neuron] = sigmaB * random.normal()
        parameters.amplitudes[neuron] = amplitudeVariance.squareRoot() * random.normal()
    }

    private static func fill(_ values: inout [Double], scale: Double, _ random: inout RandomSource) {
        values.withUnsafeMutableBufferPointer { random.fillNormal($0) }
        for k in values.indices { values[k] *= scale }
    }

    /// E[s(x) s(y)] in closed form (Williams, NeurIPS 1996; Cho and Saul, NeurIPS 2009;
    /// arXiv:2008.08601 §3), with Sigma as above:
    /// - erf: (2/pi) asin(2 Sxy / sqrt((1 + 2 Sxx)(1 + 2 Syy)));
    /// - relu: sqrt(Sxx Syy)/(2 pi) (sin t + (pi - t) cos t), cos t = Sxy / sqrt(Sxx Syy);
    /// - gauss: exp(-sigma_w^2 |x - y|^2 / (2d));
    /// - cos: (exp(-Var(z_x - z_y)/2) + exp(-Var(z_x + z_y)/2)) / 2.
    public func neuronTwoPoint(_ p: Int, _ q: Int) -> Double {
        let sxx = preactivationCovariance(p, p), syy = preactivationCovariance(q, q), sxy = preactivationCovariance(p, q)
        switch activation {
        case .erf:
            return 2 / Double.pi * asin(2 * sxy / ((1 + 2 * sxx) * (1 + 2 * syy)).squareRoot())
        case .relu:
            let norm = (sxx * syy).squareRoot()
            guard norm > 0 else { return 0 }
            let cosine = min(1, max(-1, sxy / norm))
            let t = acos(cosine)
            return norm / (2 * Double.pi) * (sin(t) + (Double.pi - t) * cosine)
        case .gauss:
            return exp(-(sxx + syy - 2 * sxy) / 2)
        case .cos:
            return (exp(-(sxx + syy - 2 * sxy) / 2) + exp(-(sxx + syy + 2 * sxy) / 2)) / 2
        }
    }

    /// E[s1 s2 s3 s4]: closed form for gauss (a Gaussian's moment generating
    /// function) and cos (a product of cosines is a sum of cosines of sums, and
    /// E cos Z = exp(-Var Z / 2)); by quadrature (`GaussianExpectation`) for erf and relu.
    public func neuronFourPoint(_ points: [Int]) -> Double {
        let sigma = points.map { p in points.map { q in preactivationCovariance(p, q) } }
        switch activation {
        case .gauss:
            var total = 0.0, diagonal = 0.0
            for k in 0..<4 {
                diagonal += sigma[k][k]
                for l in 0..<4 { total += sigma[k][l] }
            }
            return exp(total / 2 - diagonal)
        case .cos:
            var sum = 0.0
            for signs in 0..<8 {
                let s = [1.0, signs & 1 == 0 ? 1 : -1, signs & 2 == 0 ? 1 : -1, signs & 4 == 0 ? 1 : -1]
                var variance = 0.0
                for k in 0..<4 { for l in 0..<4 { variance += s[k] * s[l] * sigma[k][l] } }
                sum += exp(-variance / 2)
            }
            return sum / 8
        case .erf, .relu:
            return GaussianExpectation(covariance: sigma).productOf(activation)
        }
    }
}
