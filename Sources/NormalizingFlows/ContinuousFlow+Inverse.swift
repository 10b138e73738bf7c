import Foundation
import Lattice
import LinearAlgebra

extension ContinuousFlow {
    /// Rows per block of a batch over threads (a draw's forward and backward
    /// passes are independent of the others').
    public static let blockRows = 4

    /// Per draw and stage: F + 1 real FFTs of V sites (~2.5 V log2 V each), F - 1
    /// tanh over the sites (~20 operations each) and the kernels' products (8 F per
    /// half-spectrum element); four stages per step.
    public var flopsPerSample: Double {
        let v = Double(lattice.volume), f = Double(features)
        let fft = 2.5 * v * log2(max(2, v))
        return Double(4 * steps) * ((f + 1) * fft + (f - 1) * 20 * v + 8 * f * Double(h) + 4 * v)
    }

    /// `log q(x)` by integrating the ODE backwards (RK4 from t = 1 to 0 with the
    /// same steps, the divergence accumulated along), then the Gaussian layer's
    /// inverse. The backward integration inverts the forward map to O(h^4), so this
    /// is the density of the forward map to that order (used only to reweigh chains
    /// that HMC moved between proposals).
    public func logDensity(ofBlock x: Matrix) -> [Double] {
        let v = lattice.volume, b = x.rows, dt = 1 / Double(steps)
        let base = baseLayer(), schedule = schedule()
        let w = Workspace(sites: v, half: h, features: features)
        var result = [Double](repeating: 0, count: b)
        var phi = [Double](repeating: 0, count: v), u = phi, z = phi
        var k = [[Double]](repeating: [Double](repeating: 0, count: v), count: 4)
        for i in 0..<b {
            for q in 0..<v { phi[q] = x.storage[i * v + q] }
            var integral = 0.0  // int_0^1 (-div v) dt, accumulated backwards
            for n in stride(from: steps - 1, through: 0, by: -1) {
                let kernels = schedule.stages[n]
                var stageL = [Double](repeating: 0, count: 4)
                // Stages of the reversed ODE at times t + h, t + h/2, t + h/2, t.
                for stage in 0..<4 {
                    let c = [0, -dt / 2, -dt / 2, -dt][stage]
                    for q in 0..<v { u[q] = stage == 0 ? phi[q] : phi[q] + c * k[stage - 1][q] }
                    let kernel = kernels[[2, 1, 1, 0][stage]]
                    stageL[stage] = u.withUnsafeBufferPointer { input in
                        k[stage].withUnsafeMutableBufferPointer { velocity(input.baseAddress!, kernel, into: $0.baseAddress!, w) }
                    }
                }
                for q in 0..<v { phi[q] -= dt / 6 * (k[0][q] + 2 * k[1][q] + 2 * k[2][q] + k[3][q]) }
                integral += dt / 6 * (stageL[0] + 2 * stageL[1] + 2 * stageL[2] + stageL[3])
            }
            // z = F^{-1}[e^{-a} F phi_0].
            let negative = base.a.map { -$0 }
            phi.withUnsafeBufferPointer { p in z.withUnsafeMutableBufferPointer { applyBase(p.baseAddress!, negative, into: $0.baseAddress!, w) } }
            result[i] = z.withUnsafeBufferPointer { Self.logPrior($0.baseAddress!, sites: v) } - base.logDet + integral
        }
        return result
    }
}
