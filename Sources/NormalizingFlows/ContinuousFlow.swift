internal import CActivations
import Foundation
import FourierTransform
import Lattice
import LinearAlgebra
import Statistics

/// An equivariant continuous normalizing flow for lattice fields (Gerdes, de Haan,
/// Rainone, Bondesan and Cheng, arXiv:2207.00283), with kernels whose meaning does
/// not depend on the lattice's size. A prior draw z ~ N(0, 1) per site is first
/// shaped by an exact Gaussian layer, then transported by the ODE
///
///     phi_0 = F^{-1}[ e^{a(k)} F[z] ],     a(k) = sum_j d_j b_j(k),
///     d phi_x / dt = v_x(phi, t) = sum_f sum_y K_f(x - y, t) g_f(phi_y),   t in [0, 1],
///
/// with features g_0(phi) = phi and g_f(phi) = tanh(w_f phi) / w_f (f = 1..F-1; the
/// frequencies w_f = e^{theta_f} learnt), and kernels K_f(k, t) = sum_{tau, j}
/// c_{f tau j} P_tau(t) b_j(k) in momentum space (P_tau the shifted Legendre
/// polynomials on [0, 1], b_j the `FlowKernelBasis`). Every g_f is odd and every
/// K_f a symmetric convolution, so the flow commutes with phi -> -phi, with
/// translations and with the lattice's point group exactly, and the sampled
/// density has those symmetries. The parameters (d, c, theta) are the same
/// numbers on any lattice of the same dimension: a flow trained at L is a flow
/// at 2L.
///
/// The density: log q(phi(1)) = log N(z) - sum_k a(k) - int_0^1 div v dt, and the
/// divergence is exact and cheap because a site's velocity depends on its own
/// field only through K_f(0, t) g_f(phi_x):
///
///     div v = sum_f K_f(0, t) sum_x g_f'(phi_x),   K_f(0, t) = (1/V) sum_k K_f(k, t).
///
/// The ODE and the log-density together are integrated by `steps` steps of the
/// classical Runge–Kutta method (order 4): the map is the integrator's, and its
/// log-density is the integrated divergence, exact to O(h^4) (tests check the
/// order against the log-determinant of the map's Jacobian; runs report the
/// difference between `steps` and `2 steps` on a validation batch). Training
/// differentiates the discrete integrator exactly (`ContinuousFlow+Training`).
public struct ContinuousFlow: FieldFlow {
    public let lattice: Lattice
    /// F: the linear feature and F - 1 tanh features.
    public let features: Int
    /// T: Legendre polynomials of degree < T in the kernels' time dependence.
    public let timeBasis: Int
    /// Runge–Kutta steps over t in [0, 1].
    public let steps: Int
    public let basis: FlowKernelBasis
    let fft: RealFFT
    /// `[d_j (J)] [c_{f tau j} (F T J)] [theta_f (F - 1)]`.
    public var parameters: [Double]

    /// A flow with every coefficient 0 (the identity: q = N(0, 1)) and the
    /// frequencies spread geometrically from 1/4 to 4, or with `parameters`.
    public init(lattice: Lattice, features: Int, timeBasis: Int, steps: Int, parameters: [Double]? = nil) {
        precondition(features >= 1 && timeBasis >= 1 && steps >= 1)
        self.lattice = lattice
        self.features = features
        self.timeBasis = timeBasis
        self.steps = steps
        fft = RealFFT(extent: lattice.extent)
        basis = FlowKernelBasis(lattice: lattice, spectrum: fft.spectrum)
        let j = basis.count
        var p = [Double](repeating: 0, count: j + features * timeBasis * j + (features - 1))
        for f in 1..<features {
            let x = features > 2 ? Double(f - 1) / Double(features - 2) : 0.5
            p[j + features * timeBasis * j + f - 1] = log(0.25) + x * log(16.0)
        }
        self.parameters = parameters ?? p
        precondition(self.parameters.count == Self.parameterCount(dimension: lattice.dimension, features: features, timeBasis: timeBasis))
    }

    public static func parameterCount(dimension: Int, features: Int, timeBasis: Int) -> Int {
        let j = FlowKernelBasis.count(dimension: dimension)
        return j + features * timeBasis * j + (features - 1)
    }

    /// The same flow on another lattice of the same dimension (its parameters mean the same there).
    public func on(_ other: Lattice) -> ContinuousFlow {
        ContinuousFlow(lattice: other, features: features, timeBasis: timeBasis, steps: steps, parameters: parameters)
    }

    /// The same flow with another number of integration steps.
    public func with(steps n: Int) -> ContinuousFlow {
        ContinuousFlow(lattice: lattice, features: features, timeBasis: timeBasis, steps: n, parameters: parameters)
    }

    var j: Int { basis.count }
    var h: Int { fft.spectrum.count }
    var coefficientOffset: Int { j }
    var frequencyOffset: Int { j + features * timeBasis * j }

    /// w_f for f = 1..F-1 (index f - 1).
    var frequencies: [Double] { (0..<(features - 1)).map { exp(parameters[frequencyOffset + $0]) } }

    /// The shifted Legendre polynomials P_0..P_{T-1} at t (Bonnet's recursion in x = 2t - 1).
    static func legendre(_ t: Double, count: Int) -> [Double] {
        let x = 2 * t - 1
        var p = [1.0, x]
        while p.count < count {
            let n = Double(p.count - 1)
            p.append(((2 * n + 1) * x * p[p.count - 1] - n * p[p.count - 2]) / (n + 1))
        }
        return Array(p.prefix(count))
    }

    /// The kernels at time t: K_f(h) over the half spectrum (F x H) and K_f(0) (F).
    func kernels(at t: Double) -> (k: [Double], origin: [Double], time: [Double]) {
        let p = Self.legendre(t, count: timeBasis)
        var k = [Double](repeating: 0, count: features * h)
        var origin = [Double](repeating: 0, count: features)
        for f in 0..<features {
            for jj in 0..<j {
                var c = 0.0
                for tau in 0..<timeBasis { c += parameters[coefficientOffset + (f * timeBasis + tau) * j + jj] * p[tau] }
                guard c != 0 else { continue }
                origin[f] += c * basis.atOrigin[jj]
                let b = basis.values[jj]
                for q in 0..<h { k[f * h + q] += c * b[q] }
            }
        }
        return (k, origin, p)
    }

    /// The Gaussian layer's exponents a(h) over the half spectrum, and log det = sum_k a(k).
    func baseLayer() -> (a: [Double], logDet: Double) {
        var a = [Double](repeating: 0, count: h)
        for jj in 0..<j where parameters[jj] != 0 {
            let b = basis.values[jj]
            for q in 0..<h { a[q] += parameters[jj] * b[q] }
        }
        let logDet = zip(a, fft.spectrum.multiplicity).reduce(0) { $0 + $1.0 * $1.1 }
        return (a, logDet)
    }

    /// The kernels of every stage time of the integrator, made once per batch.
    struct Schedule {
        /// Per step: the kernels at t, t + h/2, t + h.
        var stages: [[(k: [Double], origin: [Double], time: [Double])]]
    }

    func schedule() -> Schedule {
        let dt = 1 / Double(steps)
        return Schedule(stages: (0..<steps).map { n in
            let t = Double(n) * dt
            return [kernels(at: t), kernels(at: t + dt / 2), kernels(at: t + dt)]
        })
    }

    /// Scratch of one sample's passes (made once per thread and block).
    final class Workspace {
        let v: Int, h: Int, features: Int
        var spectrum: [Double]
        var combined: [Double]
        var g: [Double]
        var first: [Double]
        var second: [Double]
        var real: [Double]

        init(sites v: Int, half h: Int, features: Int) {
            (self.v, self.h, self.features) = (v, h, features)
            spectrum = [Double](repeating: 0, count: 2 * h * features)
            combined = [Double](repeating: 0, count: 2 * h)
            g = [Double](repeating: 0, count: v)
            first = [Double](repeating: 0, count: v)
            second = [Double](repeating: 0, count: v)
            real = [Double](repeating: 0, count: v)
        }
    }

    /// The velocity at `phi` and time-kernels `kernel` into `out` (V), the
    /// features' spectra left in `w.spectrum` (F x H complex); returns -div v.
    func velocity(
        _ phi: UnsafePointer<Double>, _ kernel: (k: [Double], origin: [Double], time: [Double]), into out: UnsafeMutablePointer<Double>,
        _ w: Workspace
    ) -> Double {
        let v = lattice.volume, h = self.h
        var divergence = kernel.origin[0] * Double(v)
        let omega = frequencies
        w.spectrum.withUnsafeMutableBufferPointer { spectra in
            fft.forward(phi, spectra.baseAddress!)
            for f in 1..<features {
                let wf = omega[f - 1]
                w.g.withUnsafeMutableBufferPointer { g in
                    w.first.withUnsafeMutableBufferPointer { d1 in
                        w.second.withUnsafeMutableBufferPointer { d2 in
                            for x in 0..<v { g[x] = wf * phi[x] }
                            nqft_activation(NQFT_TANH, g.baseAddress, d1.baseAddress, d2.baseAddress, v)
                            var sum = 0.0
                            for x in 0..<v {
                                g[x] /= wf
                                sum += d1[x]
                            }
                            divergence += kernel.origin[f] * sum
                            fft.forward(g.baseAddress!, spectra.baseAddress! + 2 * h * f)
                        }
                    }
                }
            }
            w.combined.withUnsafeMutableBufferPointer { c in
                kernel.k.withUnsafeBufferPointer { k in
                    for q in 0..<(2 * h) { c[q] = 0 }
                    for f in 0..<features {
                        let s = spectra.baseAddress! + 2 * h * f, kf = k.baseAddress! + h * f
                        for q in 0..<h {
                            c[2 * q] += kf[q] * s[2 * q]
                            c[2 * q + 1] += kf[q] * s[2 * q + 1]
                        }
                    }
                }
                fft.backward(destroying: c.baseAddress!, out)
            }
        }
        let inverseVolume = 1 / Double(v)
        for x in 0..<v { out[x] *= inverseVolume }
        return -divergence
    }

    /// `log N(z)` of a prior draw of V sites.
    static func logPrior(_ z: UnsafePointer<Double>, sites v: Int) -> Double {
        var sum = 0.0
        for x in 0..<v { sum += z[x] * z[x] }
        return -0.5 * Double(v) * log(2 * Double.pi) - 0.5 * sum
    }

    /// The Gaussian layer on one draw: phi_0 = F^{-1}[e^a F z] / V.
    func applyBase(_ z: UnsafePointer<Double>, _ a: [Double], into out: UnsafeMutablePointer<Double>, _ w: Workspace) {
        let v = lattice.volume, h = self.h
        w.combined.withUnsafeMutableBufferPointer { c in
            fft.forward(z, c.baseAddress!)
            for q in 0..<h {
                let e = exp(a[q])
                c[2 * q] *= e
                c[2 * q + 1] *= e
            }
            fft.backward(destroying: c.baseAddress!, out)
        }
        let inverseVolume = 1 / Double(v)
        for x in 0..<v { out[x] *= inverseVolume }
    }

    /// x = f(z) for one draw, and log q(x); with `tape`, every stage's input and
    /// features' spectra for the backward pass.
    func transport(
        _ z: UnsafePointer<Double>, into x: UnsafeMutablePointer<Double>, base: (a: [Double], logDet: Double), schedule: Schedule,
        _ w: Workspace, tape: Tape? = nil
    ) -> Double {
        let v = lattice.volume, dt = 1 / Double(steps)
        applyBase(z, base.a, into: x, w)
        var logQ = Self.logPrior(z, sites: v) - base.logDet
        var k = [[Double]](repeating: [Double](repeating: 0, count: v), count: 4)
        var u = [Double](repeating: 0, count: v)
        for n in 0..<steps {
            let kernels = schedule.stages[n]
            var stageL = [Double](repeating: 0, count: 4)
            for stage in 0..<4 {
                // u_1 = y, u_2 = y + h/2 k_1, u_3 = y + h/2 k_2, u_4 = y + h k_3.
                let c = [0, dt / 2, dt / 2, dt][stage]
                for i in 0..<v { u[i] = stage == 0 ? x[i] : x[i] + c * k[stage - 1][i] }
                let kernel = kernels[[0, 1, 1, 2][stage]]
                stageL[stage] = u.withUnsafeBufferPointer { input in
                    k[stage].withUnsafeMutableBufferPointer { velocity(input.baseAddress!, kernel, into: $0.baseAddress!, w) }
                }
                tape?.record(step: n, stage: stage, input: u, spectra: w.spectrum)
            }
            for i in 0..<v { x[i] += dt / 6 * (k[0][i] + 2 * k[1][i] + 2 * k[2][i] + k[3][i]) }
            logQ += dt / 6 * (stageL[0] + 2 * stageL[1] + 2 * stageL[2] + stageL[3])
        }
        return logQ
    }

    /// What the forward pass of one draw keeps for its backward pass.
    final class Tape {
        var inputs: [[Double]]
        var spectra: [[Double]]
        let stagesPerStep = 4

        init(steps: Int) {
            inputs = [[Double]](repeating: [], count: 4 * steps)
            spectra = [[Double]](repeating: [], count: 4 * steps)
        }

        func record(step: Int, stage: Int, input: [Double], spectra s: [Double]) {
            inputs[4 * step + stage] = input
            spectra[4 * step + stage] = s
        }
    }

    /// Fields drawn by the flow from prior draws `z` (`B x V`), with log q.
    public func sample(_ z: Matrix) -> (x: Matrix, logQ: [Double]) {
        let v = lattice.volume, b = z.rows
        var x = Matrix(rows: b, columns: v)
        var logQ = [Double](repeating: 0, count: b)
        let base = baseLayer(), schedule = schedule()
        let w = Workspace(sites: v, half: h, features: features)
        z.storage.withUnsafeBufferPointer { zs in
            x.storage.withUnsafeMutableBufferPointer { xs in
                for i in 0..<b {
                    logQ[i] = transport(zs.baseAddress! + i * v, into: xs.baseAddress! + i * v, base: base, schedule: schedule, w)
                }
            }
        }
        return (x, logQ)
    }
}
