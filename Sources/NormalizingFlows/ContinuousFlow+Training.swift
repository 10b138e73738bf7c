internal import CActivations
import Foundation
import Lattice
import LinearAlgebra
import Parallelism

/// The reverse-KL gradient of the continuous flow: the exact derivative of the
/// discrete Runge–Kutta map and its integrated log-density (reverse mode through
/// the stored stages, a checkpointed discrete adjoint), so the loss that is
/// minimised is exactly the one that is computed. Per step, with stage inputs
/// u_1..u_4 and adjoint lambda of the step's output:
///
///     a_4 = h/6 lambda,              b_4 = J(u_4)^T a_4
///     a_3 = h/3 lambda + h b_4,      b_3 = J(u_3)^T a_3
///     a_2 = h/3 lambda + h/2 b_3,    b_2 = J(u_2)^T a_2
///     a_1 = h/6 lambda + h/2 b_2,    b_1 = J(u_1)^T a_1
///     lambda <- lambda + b_1 + b_2 + b_3 + b_4,
///
/// with the log-density's adjoint h/6, h/3, h/3, h/6 at the stages (it is 1 at
/// the end and nothing depends on it). For one stage, J^T a = sum_f g_f'(u) (K_f * a)
/// - a_l sum_f K_f(0) g_f''(u); the coefficients' gradients are accumulated in
/// momentum space (sum over stages of P_tau(t) Re(conj(a~) g~_f) per half-spectrum
/// element) and projected onto the basis once per block.
extension ContinuousFlow {
    /// One block of draws: forward with tape, backward; returns the block's log q,
    /// -S and the gradient of `mean(log q + S)` over `batch` draws.
    public func blockLossAndGradient(_ z: Matrix, action: some LatticeAction, batch: Int) -> FlowBatch {
        let v = lattice.volume, b = z.rows, h = self.h, hf = features
        let inverseBatch = 1 / Double(batch)
        let base = baseLayer(), schedule = schedule()
        let w = Workspace(sites: v, half: h, features: features)
        let omega = frequencies
        let dt = 1 / Double(steps)
        var logQ = [Double](repeating: 0, count: b), logP = logQ
        // Momentum-space accumulators: per (f, tau) the weighted Re(conj(a~) g~_f), and the divergence's sums.
        var spectral = [Double](repeating: 0, count: hf * timeBasis * h)
        var divergenceSums = [Double](repeating: 0, count: hf * timeBasis)
        var frequencyGradient = [Double](repeating: 0, count: max(0, hf - 1))
        var baseSpectral = [Double](repeating: 0, count: h)
        let multiplicity = fft.spectrum.multiplicity
        var x = [Double](repeating: 0, count: v), lambda = x, result = x, conv = x
        var transformed = [Double](repeating: 0, count: 2 * h), scratch = transformed
        let tape = Tape(steps: steps)
        for i in 0..<b {
            let zi = Array(z.storage[(i * v)..<((i + 1) * v)])
            logQ[i] = zi.withUnsafeBufferPointer { zs in
                x.withUnsafeMutableBufferPointer { transport(zs.baseAddress!, into: $0.baseAddress!, base: base, schedule: schedule, w, tape: tape) }
            }
            x.withUnsafeBufferPointer { xs in
                logP[i] = -action.action(xs.baseAddress!)
                lambda.withUnsafeMutableBufferPointer { action.force(xs.baseAddress!, into: $0.baseAddress!) }
            }
            for q in 0..<v { lambda[q] *= -inverseBatch }  // d(mean(log q + S))/dx = -F / B
            var stageAdjoints = [[Double]](repeating: [Double](repeating: 0, count: v), count: 4)
            for n in stride(from: steps - 1, through: 0, by: -1) {
                let kernels = schedule.stages[n]
                var b = [[Double]](repeating: [Double](repeating: 0, count: v), count: 4)
                let logWeights = [dt / 6, dt / 3, dt / 3, dt / 6].map { $0 * inverseBatch }
                for stage in stride(from: 3, through: 0, by: -1) {
                    // a_stage from lambda and the later stage's b.
                    let (c, later, factor): (Double, Int?, Double) = switch stage {
                    case 3: (dt / 6, nil, 0)
                    case 2: (dt / 3, 3, dt)
                    case 1: (dt / 3, 2, dt / 2)
                    default: (dt / 6, 1, dt / 2)
                    }
                    for q in 0..<v { stageAdjoints[stage][q] = c * lambda[q] + (later.map { factor * b[$0][q] } ?? 0) }
                    let kernel = kernels[[0, 1, 1, 2][stage]]
                    let input = tape.inputs[4 * n + stage], spectra = tape.spectra[4 * n + stage]
                    // a~ = FFT(a).
                    stageAdjoints[stage].withUnsafeBufferPointer { a in
                        transformed.withUnsafeMutableBufferPointer { fft.forward(a.baseAddress!, $0.baseAddress!) }
                    }
                    for q in 0..<v { result[q] = 0 }
                    let al = logWeights[stage]
                    for f in 0..<hf {
                        // K_f * a.
                        for q in 0..<h {
                            let kq = kernel.k[f * h + q]
                            scratch[2 * q] = kq * transformed[2 * q]
                            scratch[2 * q + 1] = kq * transformed[2 * q + 1]
                        }
                        scratch.withUnsafeMutableBufferPointer { s in conv.withUnsafeMutableBufferPointer { fft.backward(destroying: s.baseAddress!, $0.baseAddress!) } }
                        let inverseVolume = 1 / Double(v)
                        // Momentum-space gradient of the coefficients: Re(conj(a~) g~_f) with multiplicities, / V.
                        for tau in 0..<timeBasis {
                            let pt = kernel.time[tau]
                            let row = (f * timeBasis + tau) * h
                            for q in 0..<h {
                                let re = transformed[2 * q] * spectra[2 * h * f + 2 * q] + transformed[2 * q + 1] * spectra[2 * h * f + 2 * q + 1]
                                spectral[row + q] += pt * multiplicity[q] * re * inverseVolume
                            }
                        }
                        if f == 0 {
                            for q in 0..<v { result[q] += conv[q] * inverseVolume }
                            for tau in 0..<timeBasis { divergenceSums[tau] -= al * kernel.time[tau] * Double(v) }
                            continue
                        }
                        let wf = omega[f - 1]
                        w.g.withUnsafeMutableBufferPointer { t in
                            w.first.withUnsafeMutableBufferPointer { d1 in
                                w.second.withUnsafeMutableBufferPointer { d2 in
                                    for q in 0..<v { t[q] = wf * input[q] }
                                    nqft_activation(NQFT_TANH, t.baseAddress, d1.baseAddress, d2.baseAddress, v)
                                    var sumFirst = 0.0, frequencyValue = 0.0, frequencyDivergence = 0.0
                                    let kappa = kernel.origin[f]
                                    for q in 0..<v {
                                        let c = conv[q] * inverseVolume
                                        // J^T a: g'(u) (K * a) - a_l K(0) g''(u), g'' = w tanh''(w u).
                                        result[q] += d1[q] * c - al * kappa * wf * d2[q]
                                        sumFirst += d1[q]
                                        // d g / d theta = w dg/dw = u tanh'(w u) - tanh(w u)/w.
                                        frequencyValue += c * (input[q] * d1[q] - t[q] / wf)
                                        // d g' / d theta = w u tanh''(w u).
                                        frequencyDivergence += wf * input[q] * d2[q]
                                    }
                                    frequencyGradient[f - 1] += frequencyValue - al * kappa * frequencyDivergence
                                    for tau in 0..<timeBasis { divergenceSums[f * timeBasis + tau] -= al * kernel.time[tau] * sumFirst }
                                }
                            }
                        }
                    }
                    b[stage] = result
                }
                for q in 0..<v { lambda[q] += b[0][q] + b[1][q] + b[2][q] + b[3][q] }
            }
            // The Gaussian layer: d(lambda . phi_0)/d a(k) = Re(conj(Lambda~) e^{a} z~)/V per k.
            zi.withUnsafeBufferPointer { zs in scratch.withUnsafeMutableBufferPointer { fft.forward(zs.baseAddress!, $0.baseAddress!) } }
            lambda.withUnsafeBufferPointer { l in transformed.withUnsafeMutableBufferPointer { fft.forward(l.baseAddress!, $0.baseAddress!) } }
            for q in 0..<h {
                let re = transformed[2 * q] * scratch[2 * q] + transformed[2 * q + 1] * scratch[2 * q + 1]
                baseSpectral[q] += multiplicity[q] * (exp(base.a[q]) * re / Double(v) - inverseBatch)
            }
        }
        // Project the momentum-space gradients onto the basis.
        var gradient = [Double](repeating: 0, count: parameters.count)
        for jj in 0..<j {
            let bj = basis.values[jj]
            var sum = 0.0
            for q in 0..<h { sum += baseSpectral[q] * bj[q] }
            gradient[jj] = sum
            for f in 0..<hf {
                for tau in 0..<timeBasis {
                    let row = (f * timeBasis + tau) * h
                    var s = 0.0
                    for q in 0..<h { s += spectral[row + q] * bj[q] }
                    gradient[coefficientOffset + (f * timeBasis + tau) * j + jj] = s + divergenceSums[f * timeBasis + tau] * basis.atOrigin[jj]
                }
            }
        }
        for f in 1..<max(1, hf) { gradient[frequencyOffset + f - 1] = frequencyGradient[f - 1] }
        return FlowBatch(loss: 0, logQ: logQ, logP: logP, gradient: gradient)
    }
}
