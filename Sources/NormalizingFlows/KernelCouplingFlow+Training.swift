import Foundation
import Lattice
import LinearAlgebra

/// The reverse-KL gradient of the kernel-coupling flow by reverse mode through
/// its layers. For the loss `l = (log q + S) / B` of one draw and the adjoint
/// `lambda = dl/dy` of a layer's output, on the active sites (u = x - mu, with
/// dl/du from rho's backward pass with adjoint lambda e^s and log weight -1/B)
///
///     dl/dt = lambda,   dl/ds = lambda e^s rho(u) - 1/B   (the log-determinant's share),   dl/dmu = -dl/du,
///     eta_m = dl/dH_m = dl/dt (alpha_m + alpha'_m sech^2 H_m) + dl/ds beta_m 2 tanh H_m sech^2 H_m
///                       + dl/dmu (nu_m + nu'_m sech^2 H_m),
///     dl/dx_A = dl/du,
///     dl/dx_B = lambda_B + sum_f g_f'(x_B) (sum_m K_{m f} * eta_m)_B,
///     dl/dc_{m f j} = (1/V) sum_k b_j(k) Re(conj(eta~_m,k) (1_B g_f)~_k),
///
/// the kernels' gradients accumulated in momentum space over a block's draws and
/// projected onto the basis once (the kernels are symmetric, so K^T = K); then
/// the layer's site map passes the adjoint on (`OddMonotoneMap.backward`).
extension KernelCouplingFlow {
    public func blockLossAndGradient(_ z: Matrix, action: some LatticeAction, batch: Int) -> FlowBatch {
        let v = lattice.volume, b = z.rows, h = self.h, nf = features, m = channels
        let inverseBatch = 1 / Double(batch), inverseVolume = 1 / Double(v)
        let pass = pass()
        let w = Workspace(sites: v, half: h, features: nf, channels: m)
        let multiplicity = fft.spectrum.multiplicity
        var logQ = [Double](repeating: 0, count: b), logP = logQ
        // Per layer, channel and feature, the weighted Re(conj(eta~) g~) per half-spectrum element.
        var spectral = [Double](repeating: 0, count: layers * m * nf * h)
        var gradient = [Double](repeating: 0, count: parameters.count)
        var frequencyGradient = [Double](repeating: 0, count: max(1, nf - 1))
        var baseSpectral = [Double](repeating: 0, count: h)
        var x = [Double](repeating: 0, count: v), lambda = x, conv = x
        var eta = [Double](repeating: 0, count: m * v), etaSpectra = [Double](repeating: 0, count: m * 2 * h)
        var scratch = [Double](repeating: 0, count: 2 * h), prior = scratch
        let tape = Tape(layers: layers)
        for i in 0..<b {
            let zi = Array(z.storage[(i * v)..<((i + 1) * v)])
            logQ[i] = zi.withUnsafeBufferPointer { zs in x.withUnsafeMutableBufferPointer { transport(zs.baseAddress!, into: $0.baseAddress!, pass, w, tape: tape) } }
            x.withUnsafeBufferPointer { xs in
                logP[i] = -action.action(xs.baseAddress!)
                lambda.withUnsafeMutableBufferPointer { action.force(xs.baseAddress!, into: $0.baseAddress!) }
            }
            for q in 0..<v { lambda[q] *= -inverseBatch }  // dl/dx = -F / B
            for l in stride(from: layers - 1, through: 0, by: -1) {
                let active = activeMask[l % 2]
                let input = tape.inputs[l], s = tape.scales[l], centre = tape.centres[l], hidden = tape.hidden[l]
                let spectra = tape.spectra[l], th = tape.tanh[l]
                let head = headOffset(layer: l), rhoOffset = siteMapOffset(layer: layers + l)
                // The heads: eta_m on the active sites, the heads' and rho's gradients, lambda_A.
                for q in 0..<(m * v) { eta[q] = 0 }
                gradient.withUnsafeMutableBufferPointer { gp in
                    frequencyGradient.withUnsafeMutableBufferPointer { fg in
                        for q in 0..<v where active[q] != 0 {
                            let e = exp(s[q]), u = input[q] - centre[q], dt = lambda[q]
                            let ds = lambda[q] * e * pass.couplingMaps[l].evaluate(u).value - inverseBatch
                            let du = pass.couplingMaps[l].backward(
                                u, adjoint: lambda[q] * e, logWeight: -inverseBatch, theta: gp.baseAddress! + rhoOffset, frequency: fg.baseAddress!)
                            gp[head] += ds
                            for c in 0..<m {
                                let hm = hidden[c * v + q], t = tanh(hm), sech2 = 1 - t * t
                                gp[head + 1 + c] += dt * hm
                                gp[head + 1 + m + c] += dt * t
                                gp[head + 1 + 2 * m + c] += ds * t * t
                                gp[head + 1 + 3 * m + c] -= du * hm
                                gp[head + 1 + 4 * m + c] -= du * t
                                eta[c * v + q] = dt * (parameters[head + 1 + c] + parameters[head + 1 + m + c] * sech2)
                                    + ds * parameters[head + 1 + 2 * m + c] * 2 * t * sech2
                                    - du * (parameters[head + 1 + 3 * m + c] + parameters[head + 1 + 4 * m + c] * sech2)
                            }
                            lambda[q] = du
                        }
                    }
                }
                eta.withUnsafeBufferPointer { e in
                    etaSpectra.withUnsafeMutableBufferPointer { es in
                        for c in 0..<m { fft.forward(e.baseAddress! + c * v, es.baseAddress! + c * 2 * h) }
                    }
                }
                for f in 0..<nf {
                    // The kernels' gradients, and sum_m K_{m f} eta~_m.
                    for q in 0..<(2 * h) { scratch[q] = 0 }
                    let feature = 2 * h * f
                    for c in 0..<m {
                        let row = ((l * m + c) * nf + f) * h, adjoint = 2 * h * c
                        for q in 0..<h {
                            let er = etaSpectra[adjoint + 2 * q], ei = etaSpectra[adjoint + 2 * q + 1]
                            spectral[row + q] += multiplicity[q] * (er * spectra[feature + 2 * q] + ei * spectra[feature + 2 * q + 1]) * inverseVolume
                            let kq = pass.kernels[row + q]
                            scratch[2 * q] += kq * er
                            scratch[2 * q + 1] += kq * ei
                        }
                    }
                    scratch.withUnsafeMutableBufferPointer { c in conv.withUnsafeMutableBufferPointer { fft.backward(destroying: c.baseAddress!, $0.baseAddress!) } }
                    if f == 0 {
                        for q in 0..<v where active[q] == 0 { lambda[q] += conv[q] * inverseVolume }
                        continue
                    }
                    let wf = pass.omega[f - 1], row0 = (f - 1) * v
                    var frequencySum = 0.0
                    for q in 0..<v where active[q] == 0 {
                        // g = tanh(w x)/w: g' = sech^2; w dg/dw = x sech^2 - tanh / w.
                        let c = conv[q] * inverseVolume, t = th[row0 + q], sech2 = 1 - t * t
                        lambda[q] += c * sech2
                        frequencySum += c * (input[q] * sech2 - t / wf)
                    }
                    frequencyGradient[f - 1] += frequencySum
                }
                // The site map before the coupling.
                let mapInput = tape.siteMapInputs[l], mapOffset = siteMapOffset(layer: l)
                gradient.withUnsafeMutableBufferPointer { g in
                    frequencyGradient.withUnsafeMutableBufferPointer { fg in
                        for q in 0..<v {
                            lambda[q] = pass.maps[l].backward(
                                mapInput[q], adjoint: lambda[q], logWeight: -inverseBatch, theta: g.baseAddress! + mapOffset, frequency: fg.baseAddress!)
                        }
                    }
                }
            }
            // The Gaussian layer: dl/da(k) = Re(conj(Lambda~) e^{a} z~)/V - 1/B per k.
            zi.withUnsafeBufferPointer { zs in prior.withUnsafeMutableBufferPointer { fft.forward(zs.baseAddress!, $0.baseAddress!) } }
            lambda.withUnsafeBufferPointer { l in scratch.withUnsafeMutableBufferPointer { fft.forward(l.baseAddress!, $0.baseAddress!) } }
            for q in 0..<h {
                let re = scratch[2 * q] * prior[2 * q] + scratch[2 * q + 1] * prior[2 * q + 1]
                baseSpectral[q] += multiplicity[q] * (exp(pass.base.a[q]) * re * inverseVolume - inverseBatch)
            }
        }
        // Project the momentum-space gradients onto the basis.
        for jj in 0..<g {
            let bj = basis.gaussianValues[jj]
            var sum = 0.0
            for q in 0..<h { sum += baseSpectral[q] * bj[q] }
            gradient[jj] = sum
        }
        for jj in 0..<j {
            let bj = basis.values[jj]
            for row in 0..<(layers * m * nf) {
                var s = 0.0
                for q in 0..<h { s += spectral[row * h + q] * bj[q] }
                gradient[g + row * j + jj] = s
            }
        }
        for f in 1..<max(1, nf) { gradient[frequencyOffset + f - 1] = frequencyGradient[f - 1] }
        return FlowBatch(loss: 0, logQ: logQ, logP: logP, gradient: gradient)
    }
}
