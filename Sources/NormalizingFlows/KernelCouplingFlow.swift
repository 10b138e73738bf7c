import Foundation
import FourierTransform
import Lattice
import LinearAlgebra
import Statistics

/// A normalizing flow for lattice fields whose coupling networks are built from
/// lattice-wide kernels with a fixed meaning on any lattice size. A Gaussian
/// layer, then `layers` times a site-wise odd monotone map and a coupling layer
/// with checkerboard masks (Dinh et al., arXiv:1605.08803; Albergo et al.,
/// arXiv:1904.12072) whose network is one lattice-wide convolution of odd
/// features of the frozen sites (the equivariant-convolution vector field of
/// Gerdes et al., arXiv:2207.00283, made a coupling so its log-determinant is
/// exact) followed by site-wise nonlinear heads:
///
///     phi_0 = F^{-1}[ e^{a(k)} F[z] ],               a(k) = sum_j d_j b_j(k),
///     x     = sigma_l(phi) at every site,            (`OddMonotoneMap`)
///     H_m   = sum_f K_{l m f} * (1_B g_f(x)),        g_0 = x,  g_f = tanh(w_f x) / w_f,
///     t     = sum_m alpha_m H_m + alpha'_m tanh H_m,  s = s_0 + sum_m beta_m tanh^2 H_m,
///     mu    = sum_m nu_m H_m + nu'_m tanh H_m,
///     y_A   = e^{s_A} rho_l(x_A - mu_A) + t_A,   y_B = x_B,   (A active, B frozen sites)
///     K_{l m f}(k) = sum_j c_{l m f j} b_j(k),
///     log |det| = sum_k a(k) + sum_l [sum_x log sigma_l'(phi_x) + sum_A (s + log rho_l'(x - mu))],
///
/// with `b_j` the `FlowKernelBasis` (functions of momentum defined the same way
/// on every lattice), sigma_l and rho_l odd monotone maps and `w_f = e^{theta_f}`
/// learnt. The heads make the shift a nonlinear function of the neighbourhood
/// (the conditional mean of a phi^4 site saturates in its neighbours' sum, which
/// a sum of per-neighbour features cannot); the site maps shape each site's
/// distribution, and rho_l applied off centre (mu) skews it as the neighbours
/// pull: the conditional exp(-lam x^4 + 2 h x) of a site is skewed for h != 0,
/// which no affine map of a symmetric shape is.
/// The parameters mean the same on L x L and 2L x 2L, so a flow trained on a
/// small lattice is a flow on a large one.
///
/// Symmetries: every g_f is odd, so H, t are odd and s even in the frozen field;
/// with sigma and rho odd and mu odd, the map commutes with phi -> -phi exactly. Every kernel is a
/// symmetric convolution and the masks are invariant under the translations by
/// vectors of even coordinate sum and under the point group, so the map commutes
/// with those exactly; the unit translations exchange the sublattices, and the
/// density the flow samples is the average over them, `m(phi) = [q(phi) + q(T phi)] / 2`
/// (`cosetShifts`), invariant under every lattice translation. The inverse is
/// exact (sigma and rho inverted to rounding by bracketed Newton), and so is the
/// log-density. Requires even extents (a checkerboard on a periodic lattice).
public struct KernelCouplingFlow: FieldFlow {
    public let lattice: Lattice
    public let layers: Int
    /// F: the linear feature and F - 1 tanh features.
    public let features: Int
    /// M: the convolution's output channels (the heads' inputs).
    public let channels: Int
    public let basis: FlowKernelBasis
    let fft: RealFFT
    /// `activeMask[p][x]`: 1 on the sites a layer of parity p moves.
    let activeMask: [[Double]]
    /// `[d_j (J + 6)] [kernels c_{l m f j} (layers M F J)] [heads (layers (1 + 5M))]
    /// [site maps sigma_l, rho_l (layers 2 (2F - 1))] [theta_f (F - 1)]`.
    public var parameters: [Double]

    /// The identity map — heads 0, site maps the identity — with the kernels'
    /// coefficients drawn from N(0, 0.1^2 / (F J)) by `random` (so the channels
    /// differ and the heads have gradients) and the frequencies spread
    /// geometrically from 1/4 to 4.
    public init(lattice: Lattice, layers: Int, features: Int, channels: Int, random: inout RandomSource) {
        self.init(lattice: lattice, layers: layers, features: features, channels: channels, parameters: nil)
        let scale = 0.1 / Double(features * j).squareRoot()
        for p in g..<headOffset(layer: 0) { parameters[p] = scale * random.normal() }
    }

    /// The flow with `parameters` (nil: every coefficient 0, the heads and site
    /// maps the identity, the frequencies spread).
    public init(lattice: Lattice, layers: Int, features: Int, channels: Int, parameters: [Double]?) {
        precondition(layers >= 1 && features >= 1 && channels >= 1 && lattice.extent.allSatisfy { $0 % 2 == 0 })
        self.lattice = lattice
        self.layers = layers
        self.features = features
        self.channels = channels
        fft = RealFFT(extent: lattice.extent)
        basis = FlowKernelBasis(lattice: lattice, spectrum: fft.spectrum)
        let v = lattice.volume
        activeMask = (0..<2).map { parity in
            (0..<v).map { Double((lattice.coordinates(of: $0).reduce(0, +) + parity) % 2 == 0 ? 1 : 0) }
        }
        let count = Self.parameterCount(dimension: lattice.dimension, layers: layers, features: features, channels: channels)
        self.parameters = [Double](repeating: 0, count: count)
        if let parameters {
            precondition(parameters.count == count)
            self.parameters = parameters
            return
        }
        let identity = OddMonotoneMap.identity(features: features)
        for l in 0..<(2 * layers) { self.parameters.replaceSubrange(siteMapOffset(layer: l)..<(siteMapOffset(layer: l) + identity.count), with: identity) }
        for f in 1..<features {
            let x = features > 2 ? Double(f - 1) / Double(features - 2) : 0.5
            self.parameters[frequencyOffset + f - 1] = log(0.25) + x * log(16.0)
        }
    }

    public static func parameterCount(dimension: Int, layers: Int, features: Int, channels: Int) -> Int {
        let j = FlowKernelBasis.count(dimension: dimension)
        return FlowKernelBasis.gaussianCount(dimension: dimension)
            + layers * (channels * features * j + 1 + 5 * channels + 2 * OddMonotoneMap.parameterCount(features: features)) + features - 1
    }

    /// The same flow on another lattice of the same dimension (its parameters mean the same there).
    public func on(_ other: Lattice) -> KernelCouplingFlow {
        KernelCouplingFlow(lattice: other, layers: layers, features: features, channels: channels, parameters: parameters)
    }

    /// The unit translation along the first axis: it and the identity are one
    /// translation of each coset of the translations the map commutes with.
    public var cosetShifts: [[Int]] { [[1] + [Int](repeating: 0, count: lattice.dimension - 1)] }

    var j: Int { basis.count }
    /// The Gaussian layer's coefficients d (the first parameters).
    var g: Int { basis.gaussianValues.count }
    var h: Int { fft.spectrum.count }
    /// Offset of layer l's heads: s_0, alpha (M), alpha' (M), beta (M), nu (M), nu' (M).
    func headOffset(layer l: Int) -> Int { g + layers * channels * features * j + l * (1 + 5 * channels) }
    /// Offset of site map i: sigma_l at i = l, rho_l at i = layers + l.
    func siteMapOffset(layer i: Int) -> Int { headOffset(layer: layers) + i * OddMonotoneMap.parameterCount(features: features) }
    var frequencyOffset: Int { siteMapOffset(layer: 2 * layers) }

    /// w_f for f = 1..F-1 (index f - 1).
    var frequencies: [Double] { (0..<(features - 1)).map { exp(parameters[frequencyOffset + $0]) } }

    /// Layer l's site map.
    func siteMap(layer l: Int, omega: [Double]) -> OddMonotoneMap {
        let offset = siteMapOffset(layer: l)
        return OddMonotoneMap(parameters[offset..<(offset + OddMonotoneMap.parameterCount(features: features))], omega: omega)
    }

    /// Every kernel over the half spectrum (`layers x M x F x H`).
    func kernels() -> [Double] {
        var k = [Double](repeating: 0, count: layers * channels * features * h)
        for row in 0..<(layers * channels * features) {
            for jj in 0..<j {
                let c = parameters[g + row * j + jj]
                guard c != 0 else { continue }
                let b = basis.values[jj]
                for q in 0..<h { k[row * h + q] += c * b[q] }
            }
        }
        return k
    }

    /// The Gaussian layer's exponents a over the half spectrum, and its log det = sum_k a(k).
    func baseLayer() -> (a: [Double], logDet: Double) {
        var a = [Double](repeating: 0, count: h)
        for jj in 0..<g where parameters[jj] != 0 {
            let b = basis.gaussianValues[jj]
            for q in 0..<h { a[q] += parameters[jj] * b[q] }
        }
        return (a, zip(a, fft.spectrum.multiplicity).reduce(0) { $0 + $1.0 * $1.1 })
    }

    /// What a batch's passes share: the kernels, the Gaussian layer, the site maps.
    struct Pass {
        let kernels: [Double]
        let base: (a: [Double], logDet: Double)
        /// sigma_l (the map of every site before layer l's coupling).
        let maps: [OddMonotoneMap]
        /// rho_l (the coupling's map of its active sites).
        let couplingMaps: [OddMonotoneMap]
        let omega: [Double]
    }

    func pass() -> Pass {
        let omega = frequencies
        return Pass(
            kernels: kernels(), base: baseLayer(), maps: (0..<layers).map { siteMap(layer: $0, omega: omega) },
            couplingMaps: (0..<layers).map { siteMap(layer: layers + $0, omega: omega) }, omega: omega)
    }

    /// Scratch of one draw's passes (one per block of draws).
    final class Workspace {
        /// The features' spectra of the current layer (F x 2H).
        var spectra: [Double]
        /// tanh(w_f x) per feature f >= 1 ((F - 1) x V).
        var tanh: [Double]
        /// The convolution's channels H_m (M x V).
        var hidden: [Double]
        var combined: [Double]
        var feature: [Double]
        var t: [Double]
        var s: [Double]
        var mu: [Double]

        init(sites v: Int, half h: Int, features: Int, channels: Int) {
            spectra = [Double](repeating: 0, count: features * 2 * h)
            tanh = [Double](repeating: 0, count: max(1, features - 1) * v)
            hidden = [Double](repeating: 0, count: channels * v)
            combined = [Double](repeating: 0, count: 2 * h)
            feature = [Double](repeating: 0, count: v)
            t = [Double](repeating: 0, count: v)
            s = [Double](repeating: 0, count: v)
            mu = [Double](repeating: 0, count: v)
        }
    }

    /// Layer l's channels, shift, log-scale and centre at `x` (only its frozen
    /// sites are read) into `w.hidden`, `w.t`, `w.s` and `w.mu` (on the active sites); the
    /// features' spectra and tanh values left in `w`.
    func couplings(layer l: Int, at x: UnsafePointer<Double>, _ pass: Pass, _ w: Workspace) {
        let v = lattice.volume, h = self.h, nf = features, m = channels
        let active = activeMask[l % 2]
        let inverseVolume = 1 / Double(v)
        w.spectra.withUnsafeMutableBufferPointer { spectra in
            w.feature.withUnsafeMutableBufferPointer { u in
                let sp = spectra.baseAddress!
                for x0 in 0..<v { u[x0] = (1 - active[x0]) * x[x0] }
                fft.forward(u.baseAddress!, sp)
                w.tanh.withUnsafeMutableBufferPointer { th in
                    for f in 1..<nf {
                        let wf = pass.omega[f - 1], row = th.baseAddress! + (f - 1) * v
                        for x0 in 0..<v {
                            row[x0] = Foundation.tanh(wf * x[x0])
                            u[x0] = (1 - active[x0]) * row[x0] / wf
                        }
                        fft.forward(u.baseAddress!, sp + 2 * h * f)
                    }
                }
            }
            pass.kernels.withUnsafeBufferPointer { k in
                w.combined.withUnsafeMutableBufferPointer { c in
                    w.hidden.withUnsafeMutableBufferPointer { hidden in
                        for channel in 0..<m {
                            for q in 0..<(2 * h) { c[q] = 0 }
                            for f in 0..<nf {
                                let s = spectra.baseAddress! + 2 * h * f, kf = k.baseAddress! + ((l * m + channel) * nf + f) * h
                                for q in 0..<h {
                                    c[2 * q] += kf[q] * s[2 * q]
                                    c[2 * q + 1] += kf[q] * s[2 * q + 1]
                                }
                            }
                            let out = hidden.baseAddress! + channel * v
                            fft.backward(destroying: c.baseAddress!, out)
                            for x0 in 0..<v { out[x0] *= inverseVolume }
                        }
                    }
                }
            }
        }
        let head = headOffset(layer: l)
        parameters.withUnsafeBufferPointer { p in
            let s0 = p[head], alpha = p.baseAddress! + head + 1, tanhAlpha = alpha + m, beta = alpha + 2 * m
            let nu = alpha + 3 * m, tanhNu = alpha + 4 * m
            for x0 in 0..<v where active[x0] != 0 {
                var t = 0.0, s = s0, mu = 0.0
                for channel in 0..<m {
                    let hm = w.hidden[channel * v + x0], th = Foundation.tanh(hm)
                    t += alpha[channel] * hm + tanhAlpha[channel] * th
                    s += beta[channel] * th * th
                    mu += nu[channel] * hm + tanhNu[channel] * th
                }
                w.t[x0] = t
                w.s[x0] = s
                w.mu[x0] = mu
            }
        }
    }

    /// `log N(z)` of a prior draw of V sites.
    static func logPrior(_ z: UnsafePointer<Double>, sites v: Int) -> Double {
        var sum = 0.0
        for x in 0..<v { sum += z[x] * z[x] }
        return -0.5 * Double(v) * log(2 * Double.pi) - 0.5 * sum
    }

    /// The Gaussian layer (or its inverse with `-a`) on one field: F^{-1}[e^a F z].
    func applyBase(_ z: UnsafePointer<Double>, _ a: [Double], into out: UnsafeMutablePointer<Double>, _ w: Workspace) {
        let v = lattice.volume
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

    /// x = f(z) for one draw and log q(x); with `tape`, what each layer's
    /// backward pass needs.
    func transport(_ z: UnsafePointer<Double>, into x: UnsafeMutablePointer<Double>, _ pass: Pass, _ w: Workspace, tape: Tape? = nil) -> Double {
        let v = lattice.volume
        applyBase(z, pass.base.a, into: x, w)
        var logQ = Self.logPrior(z, sites: v) - pass.base.logDet
        for l in 0..<layers {
            tape?.siteMapInputs[l] = Array(UnsafeBufferPointer(start: x, count: v))
            for x0 in 0..<v {
                let (value, slope, _) = pass.maps[l].evaluate(x[x0])
                x[x0] = value
                logQ -= log(slope)
            }
            couplings(layer: l, at: x, pass, w)
            tape?.record(layer: l, input: x, w)
            let active = activeMask[l % 2]
            var logDet = 0.0
            for x0 in 0..<v where active[x0] != 0 {
                let (value, slope, _) = pass.couplingMaps[l].evaluate(x[x0] - w.mu[x0])
                x[x0] = exp(w.s[x0]) * value + w.t[x0]
                logDet += w.s[x0] + log(slope)
            }
            logQ -= logDet
        }
        return logQ
    }

    /// What the forward pass of one draw keeps for its backward pass, per layer.
    final class Tape {
        var siteMapInputs: [[Double]]
        var inputs: [[Double]]
        var scales: [[Double]]
        var centres: [[Double]]
        var hidden: [[Double]]
        var spectra: [[Double]]
        var tanh: [[Double]]

        init(layers: Int) {
            siteMapInputs = [[Double]](repeating: [], count: layers)
            inputs = siteMapInputs
            scales = siteMapInputs
            centres = siteMapInputs
            hidden = siteMapInputs
            spectra = siteMapInputs
            tanh = siteMapInputs
        }

        func record(layer l: Int, input x: UnsafePointer<Double>, _ w: Workspace) {
            inputs[l] = Array(UnsafeBufferPointer(start: x, count: w.t.count))
            scales[l] = w.s
            centres[l] = w.mu
            hidden[l] = w.hidden
            spectra[l] = w.spectra
            tanh[l] = w.tanh
        }
    }

    /// Fields drawn by the flow's map from prior draws `z` (`B x V`), with log q.
    public func sample(_ z: Matrix) -> (x: Matrix, logQ: [Double]) {
        let v = lattice.volume, b = z.rows
        var x = Matrix(rows: b, columns: v)
        var logQ = [Double](repeating: 0, count: b)
        let pass = pass()
        let w = Workspace(sites: v, half: h, features: features, channels: channels)
        z.storage.withUnsafeBufferPointer { zs in
            x.storage.withUnsafeMutableBufferPointer { xs in
                for i in 0..<b { logQ[i] = transport(zs.baseAddress! + i * v, into: xs.baseAddress! + i * v, pass, w) }
            }
        }
        return (x, logQ)
    }

    /// The prior draws of fields `x` (`B x V`) by the exact inverse, and the
    /// flow's `log q(x)` (the map's, not the translation average's).
    public func inverse(_ x: Matrix) -> (z: Matrix, logQ: [Double]) {
        let v = lattice.volume, b = x.rows
        let pass = pass()
        let w = Workspace(sites: v, half: h, features: features, channels: channels)
        var z = Matrix(rows: b, columns: v)
        var logQ = [Double](repeating: 0, count: b)
        let negative = pass.base.a.map { -$0 }
        var phi = [Double](repeating: 0, count: v)
        for i in 0..<b {
            for q in 0..<v { phi[q] = x.storage[i * v + q] }
            var logDet = pass.base.logDet
            phi.withUnsafeMutableBufferPointer { p in
                for l in stride(from: layers - 1, through: 0, by: -1) {
                    couplings(layer: l, at: p.baseAddress!, pass, w)
                    let active = activeMask[l % 2]
                    for x0 in 0..<v where active[x0] != 0 {
                        let u = pass.couplingMaps[l].inverse((p[x0] - w.t[x0]) * exp(-w.s[x0]))
                        p[x0] = u + w.mu[x0]
                        logDet += w.s[x0] + log(pass.couplingMaps[l].evaluate(u).slope)
                    }
                    for x0 in 0..<v {
                        p[x0] = pass.maps[l].inverse(p[x0])
                        logDet += log(pass.maps[l].evaluate(p[x0]).slope)
                    }
                }
                z.storage.withUnsafeMutableBufferPointer { zs in
                    applyBase(p.baseAddress!, negative, into: zs.baseAddress! + i * v, w)
                    logQ[i] = Self.logPrior(zs.baseAddress! + i * v, sites: v) - logDet
                }
            }
        }
        return (z, logQ)
    }

    /// `log q(x)` of the map by its exact inverse.
    public func logDensity(ofBlock x: Matrix) -> [Double] { inverse(x).logQ }

    /// Rows per block of a batch over threads (a draw's passes are independent of the others').
    public static let blockRows = 4

    /// Per draw and layer: F forward and M backward real FFTs of V sites
    /// (~2.5 V log2 V each), 3 (F - 1) tanh over the sites (~20 operations each:
    /// features and the two site maps) and M on the heads, the kernels' products
    /// (4 per channel, feature and half-spectrum element).
    public var flopsPerSample: Double {
        let v = Double(lattice.volume), f = Double(features), m = Double(channels)
        let transform = 2.5 * v * log2(max(2, v))
        return Double(layers) * ((f + m) * transform + (3 * (f - 1) + m) * 25 * v + 4 * m * f * Double(h) + (10 * m + 20) * v)
    }
}
