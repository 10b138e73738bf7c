import Execution
import Foundation
import Lattice
import LinearAlgebra

/// The ground-state energy of phi^4 theory on a small lattice by exact
/// diagonalisation of the truncated Hamiltonian (docs/CONVENTIONS.md §4, step 3).
///
/// Split `H = sum_x h_x - sum_bonds phi_a phi_b` with the on-site
///
///     h_x = pi_x^2/2 + (m2 + 2 d') phi_x^2/2 + (lambda/24) phi_x^4,
///
/// where `d'` counts the directions with `L_mu >= 2` (each contributes two bonds
/// through `x`, i.e. `phi_x^2`). Each site keeps the `n` lowest eigenstates of
/// `h_x` (`SingleSiteBasis`); in the product basis `sum_x h_x` is diagonal and
/// each bond is `X (x) X`, applied without forming the `n^V x n^V` matrix. The
/// lowest eigenpair comes from Lanczos; `n` grows until `E0` changes by less
/// than the tolerance, and the whole sequence is kept as the convergence record.
/// The ground state also gives the equal-time correlator G(r) and <M^2>/V.
public struct ExactDiagonalization: Sendable {
    /// One truncation and the energy it gave.
    public struct Step: Sendable, Equatable, Codable {
        public var statesPerSite: Int
        public var energy: Double
    }

    public let theory: ScalarTheory
    /// Largest product-space dimension `n^V` attempted.
    public var maximumDimension = 3_000_000
    /// Oscillator states under the single-site eigenbasis.
    public var oscillatorStates = 160

    public init(theory: ScalarTheory) {
        precondition(theory.coupling > 0 || theory.massSquared > 0, "unbounded Hamiltonian")
        self.theory = theory
    }

    /// Whether the lattice is small enough to diagonalise: at most 4 sites.
    public static func canSolve(_ lattice: Lattice) -> Bool { lattice.volume <= 4 }

    /// `E0` for `n` states per site (`groundState`).
    public func groundStateEnergy(statesPerSite n: Int, charge: (Double) throws -> Void = { _ in }) throws -> Double {
        try groundState(statesPerSite: n, charge: charge).energy
    }

    /// `E0` and the ground state's equal-time correlator
    /// `G(r) = (1/V) sum_x <phi_x phi_{x+r}>` for every separation `r` (indexed
    /// like the lattice's sites; `<M^2>/V = sum_r G(r)`), for `n` states per site.
    /// `charge` is told the floating-point work of each Lanczos iteration before
    /// it runs (one application of `H`, about `n^V (1 + 4 n bonds)` operations,
    /// and the reorthogonalisation against the `k` vectors so far, `4 k n^V`) and
    /// of the correlator (`2 V^2` single-site applications, `2 n^V n` each) and may
    /// throw to abandon the computation.
    public func groundState(
        statesPerSite n: Int, charge: (Double) throws -> Void = { _ in }
    ) throws -> (energy: Double, correlator: [Double]) {
        let problem = try TruncatedProblem(theory: theory, statesPerSite: n, oscillatorStates: oscillatorStates)
        let lattice = theory.lattice, v = lattice.volume
        let (energy, psi): (Double, [Double])
        if v == 1 {
            (energy, psi) = (problem.site.energies[0], (0..<n).map { $0 == 0 ? 1 : 0 })
        } else {
            var iteration = 0
            var scratch = [Double](repeating: 0, count: problem.dimension), pair = scratch
            (energy, psi) = try lanczosLowestEigenpair(
                dimension: problem.dimension, start: problem.start,
                checkpoint: {
                    try charge(problem.work(iteration: iteration))
                    iteration += 1
                }, apply: { problem.apply($0, &$1, scratch: &scratch, pair: &pair) })
        }
        try charge(Double(4 * v * v * n) * Double(psi.count))
        var once = [Double](repeating: 0, count: psi.count), twice = once
        var correlator = [Double](repeating: 0, count: v)
        for x in 0..<v {
            let cx = lattice.coordinates(of: x)
            applySite(problem.site.position, site: x, sites: v, states: n, psi, &once)
            for r in 0..<v {
                let y = lattice.site(at: zip(cx, lattice.coordinates(of: r)).map { $0 + $1 })
                applySite(problem.site.position, site: y, sites: v, states: n, once, &twice)
                var overlap = 0.0
                for i in psi.indices { overlap += psi[i] * twice[i] }
                correlator[r] += overlap / Double(v)
            }
        }
        return (energy, correlator)
    }

    /// `E0` with the truncation increased until converged: `n` from 4 up in
    /// steps of 2 until two successive energies agree within `tolerance`
    /// (relative) or `n^V` would exceed `maximumDimension`.
    ///
    /// The cost cannot be known in advance (a double well needs many states per
    /// site), so before every Lanczos iteration `stop` is polled and the work
    /// done so far counted: `Interrupted` or `WorkBudgetExceeded` is thrown
    /// within one application of `H`. Work, unlike time, is the same on every
    /// machine, so whether a budget suffices never depends on the load.
    public func solve(
        tolerance: Double = 1e-10, stop: StopCheck = .never, workBudget: Double = .infinity
    ) throws -> (energy: Double, steps: [Step], converged: Bool, correlator: [Double]) {
        var work = 0.0
        let charge = { (amount: Double) in
            try stop.check()
            work += amount
            if work > workBudget { throw WorkBudgetExceeded(budget: workBudget) }
        }
        var steps: [Step] = []
        var correlator: [Double] = []
        var n = theory.lattice.volume == 1 ? 40 : 4
        while pow(Double(n), Double(theory.lattice.volume)) <= Double(maximumDimension) {
            let (e, g) = try groundState(statesPerSite: n, charge: charge)
            steps.append(Step(statesPerSite: n, energy: e))
            correlator = g
            if steps.count >= 2, abs(e - steps[steps.count - 2].energy) <= tolerance * abs(e) {
                return (e, steps, true, g)
            }
            n += theory.lattice.volume == 1 ? 20 : 2
            if theory.lattice.volume == 1 && n > oscillatorStates { break }
        }
        // n = 4 always fits (4^4 = 256 <= maximumDimension), so steps is not empty.
        return (steps[steps.count - 1].energy, steps, false, correlator)
    }
}

/// The truncated Hamiltonian of `ExactDiagonalization` for `n` states per site:
/// the single-site basis, the product space's diagonal and the action of `H`.
private struct TruncatedProblem {
    let site: SingleSiteBasis
    let sites: Int
    let states: Int
    let dimension: Int
    let bonds: [(Int, Int)]
    let diagonal: [Double]

    init(theory: ScalarTheory, statesPerSite n: Int, oscillatorStates: Int) throws {
        let lattice = theory.lattice
        let v = lattice.volume
        let directions = lattice.extent.filter { $0 >= 2 }.count
        site = try SingleSiteBasis(
            mu2: theory.massSquared + 2 * Double(directions), g: theory.coupling / 24,
            states: n, oscillatorStates: max(oscillatorStates, 2 * n))
        (sites, states) = (v, n)
        var bonds: [(Int, Int)] = []
        for mu in 0..<lattice.dimension where lattice.extent[mu] >= 2 {
            for x in 0..<v { bonds.append((x, theory.neighbours.forward[mu * v + x])) }
        }
        self.bonds = bonds
        dimension = Int(pow(Double(n), Double(v)))
        // Diagonal: sum of single-site energies of each product state.
        var diagonal = [Double](repeating: 0, count: v == 1 ? 0 : dimension)
        for s in diagonal.indices {
            var rest = s
            for _ in 0..<v {
                diagonal[s] += site.energies[rest % n]
                rest /= n
            }
        }
        self.diagonal = diagonal
    }

    /// The product of single-site ground states: the right symmetry sector.
    var start: [Double] { (0..<dimension).map { $0 == 0 ? 1 : 0 } }

    /// Floating-point work of Lanczos iteration `k` (see `groundStateEnergy`).
    func work(iteration k: Int) -> Double {
        let size = Double(dimension)
        return size * (1 + 4 * Double(states * bonds.count)) + 4 * Double(k) * size
    }

    /// `out = H psi`; `scratch` and `pair` (`dimension` each) are the caller's, made
    /// once per Lanczos run rather than per application.
    func apply(_ psi: [Double], _ out: inout [Double], scratch: inout [Double], pair: inout [Double]) {
        for i in 0..<dimension { out[i] = diagonal[i] * psi[i] }
        for (a, b) in bonds {
            applySite(site.position, site: b, sites: sites, states: states, psi, &scratch)
            applySite(site.position, site: a, sites: sites, states: states, scratch, &pair)
            for i in 0..<dimension { out[i] -= pair[i] }
        }
    }
}

/// Thrown by `ExactDiagonalization.solve` when the work would exceed its budget.
public struct WorkBudgetExceeded: Error, Equatable {
    /// Floating-point operations allowed.
    public let budget: Double
}

/// `out = (A on site `site`) psi` in the product basis with `states` per site,
/// site 0 the most significant digit of the state index.
private func applySite(_ a: Matrix, site: Int, sites: Int, states n: Int, _ psi: [Double], _ out: inout [Double]) {
    let inner = Int(pow(Double(n), Double(sites - 1 - site)))
    let outer = psi.count / (inner * n)
    psi.withUnsafeBufferPointer { p in
        out.withUnsafeMutableBufferPointer { o in
            a.storage.withUnsafeBufferPointer { m in
                for block in 0..<outer {
                    let base = block * n * inner
                    for i in 0..<n {
                        let row = o.baseAddress! + base + i * inner
                        for k in 0..<inner { row[k] = 0 }
                        for j in 0..<n {
                            let c = m[i * n + j]
                            if c == 0 { continue }
                            let col = p.baseAddress! + base + j * inner
                            for k in 0..<inner { row[k] += c * col[k] }
                        }
                    }
                }
            }
        }
    }
}
