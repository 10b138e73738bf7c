import Execution
import Foundation
import Lattice
import Parallelism
import Statistics

/// Hybrid (Hamiltonian) Monte Carlo for `exp(-S)` (Duane, Kennedy, Pendleton and
/// Roweth, Phys. Lett. B 195 (1987) 216): per trajectory a Gaussian momentum,
/// `n` integrator steps of `H = 1/2 p^T M^{-1} p + S`, and a Metropolis test with
/// `exp(-dH)`; exact for any step size because the integrator is reversible and
/// area-preserving.
///
/// Chains are independent, each with its own random stream, so the numbers do
/// not depend on how chains are spread over threads. The step size is tuned
/// during thermalisation to `targetAcceptance` and then fixed.
public struct HybridMonteCarlo: Sendable {
    public var action: any LatticeAction
    public var integrator: MolecularDynamics
    /// Trajectory length tau in molecular-dynamics time.
    public var trajectoryLength: Double
    /// Each trajectory's step size is `eps u` with u uniform in
    /// `[1 - jitter, 1 + jitter]` (0: fixed) at a fixed number of steps, so the
    /// trajectory length varies continuously. A mode whose integrated rotation per
    /// trajectory is close to a multiple of 2 pi otherwise barely moves (a
    /// resonance; Mackenzie, Phys. Lett. B 226 (1989) 369; Neal, arXiv:1206.1901 §5.4):
    /// measured on the free chain L = 20 at eps = 0.97 and 2 Omelyan steps, phi2 then
    /// scattered over +-8 of its Gamma errors from seed to seed. Jittering the step
    /// count instead cannot help when tau/eps is 2.
    public var jitter: Double
    public var targetAcceptance: Double
    /// Fourier acceleration (nil: unit mass matrix).
    public var acceleration: FourierAcceleration?
    public var parallelism: Parallelism

    public init(
        action: any LatticeAction, integrator: MolecularDynamics, trajectoryLength: Double, jitter: Double = 0,
        targetAcceptance: Double = 0.8, acceleration: FourierAcceleration? = nil, parallelism: Parallelism = .serial
    ) {
        self.action = action
        self.integrator = integrator
        self.trajectoryLength = trajectoryLength
        self.jitter = jitter
        self.targetAcceptance = targetAcceptance
        self.acceleration = acceleration
        self.parallelism = parallelism
    }

    /// `chains` chains started from small random fields, stream `c` for chain `c`.
    public func initialState(chains: Int, seed: UInt64) -> HMCState {
        let v = action.lattice.volume
        var random = (0..<chains).map { RandomSource(seed: seed, stream: UInt64($0)) }
        var fields = FieldBatch(rows: chains, columns: v)
        for c in 0..<chains {
            for x in 0..<v { fields.storage[c * v + x] = 0.1 * random[c].normal() }
        }
        // Start near tau/eps = 10 steps; the tuning moves it from there.
        return HMCState(fields: fields, random: random, stepSize: trajectoryLength / 10)
    }

    /// The number of steps, `ceil(tau/eps)`, and the step for a jitter draw `u` in
    /// [0, 1): `eps (1 + jitter (2u - 1))`. The tuning raises and lowers `eps`
    /// continuously, and the acceptance follows it.
    public func schedule(stepSize eps: Double, jitterDraw u: Double) -> (steps: Int, stepSize: Double) {
        let steps = Int(max(1, min((trajectoryLength / eps - 1e-9).rounded(.up), 1e6)))
        return (steps, eps * (1 + jitter * (2 * u - 1)))
    }

    /// The outcome of one trajectory.
    public struct Trajectory: Sendable, RankPackable {
        public var deltaH: Double
        public var accepted: Bool

        public func pack(into words: inout PackedWords) {
            deltaH.pack(into: &words)
            accepted.pack(into: &words)
        }

        public init(deltaH: Double, accepted: Bool) {
            self.deltaH = deltaH
            self.accepted = accepted
        }

        public init(unpacking words: inout PackedWords.Reader) {
            self.init(deltaH: Double(unpacking: &words), accepted: Bool(unpacking: &words))
        }
    }

    /// What a block of trajectories did to one chain: its final field and
    /// stream, the kept fields and every trajectory's outcome.
    struct ChainBlock: RankPackable {
        var field: [Double]
        var random: RandomSource
        var kept: [Double]
        var outcomes: [Trajectory]

        func pack(into words: inout PackedWords) {
            field.pack(into: &words)
            random.pack(into: &words)
            kept.pack(into: &words)
            outcomes.pack(into: &words)
        }

        init(field: [Double], random: RandomSource, kept: [Double], outcomes: [Trajectory]) {
            (self.field, self.random, self.kept, self.outcomes) = (field, random, kept, outcomes)
        }

        init(unpacking words: inout PackedWords.Reader) {
            self.init(
                field: [Double](unpacking: &words), random: RandomSource(unpacking: &words), kept: [Double](unpacking: &words),
                outcomes: [Trajectory](unpacking: &words))
        }
    }

    /// Integrates `n` steps of size `eps` from `(phi, p)` in place (the workspace's
    /// `velocity` and `spectrum` are scratch for Fourier acceleration).
    /// Exposed for the integrator tests (reversibility, energy error scaling).
    @discardableResult
    public func integrate(
        _ phi: UnsafeMutablePointer<Double>, _ p: UnsafeMutablePointer<Double>, steps n: Int, stepSize eps: Double,
        workspace w: inout Workspace, stop: StopCheck = .never
    ) -> Bool {
        var moves = 0
        for move in integrator.trajectory(steps: n) {
            // A trajectory's length is the input's to choose (a tiny tuned step):
            // this process's stop flag is polled inside it, so no unit of work
            // outlasts a stop request by more than ~1e7 site updates.
            moves += 1
            if moves % Self.movesBetweenPolls(sites: action.lattice.volume) == 0, stop.isRequestedHere { return false }
            switch move {
            case .kick(let c):
                action.kick(p, by: c * eps, at: phi)
            case .drift(let c):
                let h = c * eps
                if let acceleration {
                    acceleration.velocity(p, into: w.velocity.baseAddress!, spectrum: w.spectrum)
                    action.lattice.addScaled(phi, w.velocity.baseAddress!, h)
                } else {
                    action.lattice.addScaled(phi, p, h)
                }
            }
        }
        return true
    }

    /// Integrator moves between polls of the stop flag: about 1e7 site updates.
    static func movesBetweenPolls(sites: Int) -> Int { max(1, 10_000_000 / max(1, sites)) }

    /// `1/2 p^T M^{-1} p`.
    public func kineticEnergy(_ p: UnsafePointer<Double>, workspace w: inout Workspace) -> Double {
        if let acceleration {
            acceleration.velocity(p, into: w.velocity.baseAddress!, spectrum: w.spectrum)
            return 0.5 * action.lattice.dot(p, w.velocity.baseAddress!)
        }
        return 0.5 * action.lattice.dot(p, p)
    }

    /// A momentum from `N(0, M)`.
    public func drawMomentum(_ p: UnsafeMutableBufferPointer<Double>, _ random: inout RandomSource, workspace w: inout Workspace) {
        if let acceleration {
            acceleration.drawMomentum(&random, into: p, spectrum: w.spectrum)
        } else {
            random.fillNormal(p)
        }
    }

    /// Scratch buffers of one chain, allocated once per block of trajectories.
    public struct Workspace: ~Copyable {
        public let velocity: UnsafeMutableBufferPointer<Double>
        public let momentum: UnsafeMutableBufferPointer<Double>
        public let proposal: UnsafeMutableBufferPointer<Double>
        public let spectrum: UnsafeMutableBufferPointer<Double>

        public init(sites: Int, spectrumCount: Int) {
            velocity = .allocate(capacity: sites)
            momentum = .allocate(capacity: sites)
            proposal = .allocate(capacity: sites)
            spectrum = .allocate(capacity: max(1, 2 * spectrumCount))
        }

        deinit {
            velocity.deallocate()
            momentum.deallocate()
            proposal.deallocate()
            spectrum.deallocate()
        }
    }

    public func makeWorkspace() -> Workspace {
        Workspace(sites: action.lattice.volume, spectrumCount: acceleration?.fft.spectrum.count ?? 0)
    }

    /// One trajectory of one chain, `phi` updated in place when accepted; nil
    /// when `stop` asked this process to stop inside it (the chain is then to be
    /// discarded with the unit of work).
    public func trajectory(
        _ phi: UnsafeMutablePointer<Double>, _ random: inout RandomSource, stepSize eps: Double, workspace w: inout Workspace,
        stop: StopCheck = .never
    ) -> Trajectory? {
        let v = action.lattice.volume
        let (n, h) = schedule(stepSize: eps, jitterDraw: jitter > 0 ? random.uniform() : 0.5)
        drawMomentum(w.momentum, &random, workspace: &w)
        let start = action.action(phi) + kineticEnergy(w.momentum.baseAddress!, workspace: &w)
        w.proposal.baseAddress!.update(from: phi, count: v)
        guard integrate(w.proposal.baseAddress!, w.momentum.baseAddress!, steps: n, stepSize: h, workspace: &w, stop: stop) else {
            return nil
        }
        let end = action.action(w.proposal.baseAddress!) + kineticEnergy(w.momentum.baseAddress!, workspace: &w)
        let deltaH = end - start
        // A non-finite energy (a blown-up trajectory) is a rejection.
        let accepted = deltaH.isFinite && (deltaH <= 0 || random.uniform() < exp(-deltaH))
        if accepted { phi.update(from: w.proposal.baseAddress!, count: v) }
        return Trajectory(deltaH: deltaH, accepted: accepted)
    }

    /// Runs `count` trajectories on every chain (chains over threads); with
    /// `keepEvery = k`, calls `visit` after every k-th trajectory of the block with
    /// every chain's field (`chains x V`), in order (the others are not copied).
    /// Returns the trajectories' outcomes per round.
    private func rounds(
        _ state: inout HMCState, count: Int, keepEvery every: Int?, stop: StopCheck, visit: (FieldBatch) throws -> Void
    ) throws -> [[Trajectory]] {
        let v = action.lattice.volume, chains = state.chains, eps = state.stepSize
        let fields = state.fields, random = state.random
        let kept = every.map { count / $0 } ?? 0
        let parts = parallelism.distributedMap(chains) { c -> ChainBlock in
            var phi = Array(fields.storage[(c * v)..<((c + 1) * v)])
            var rng = random[c]
            var w = makeWorkspace()
            var keep: [Double] = []
            keep.reserveCapacity(kept * v)
            var outcomes: [Trajectory] = []
            for t in 0..<count {
                let outcome = phi.withUnsafeMutableBufferPointer {
                    trajectory($0.baseAddress!, &rng, stepSize: eps, workspace: &w, stop: stop)
                }
                guard let outcome else { break }  // stopped inside: the block is discarded
                outcomes.append(outcome)
                if let every, (t + 1) % every == 0 { keep += phi }
            }
            return ChainBlock(field: phi, random: rng, kept: keep, outcomes: outcomes)
        }
        if parts.contains(where: { $0.outcomes.count < count }) {
            // Some chain's trajectory gave up at this process's stop flag: every rank stops here.
            try stop.check()
            throw Interrupted()
        }
        for c in 0..<chains {
            state.fields.storage.replaceSubrange((c * v)..<((c + 1) * v), with: parts[c].field)
            state.random[c] = parts[c].random
        }
        var byRound: [[Trajectory]] = []
        for t in 0..<count {
            let round = parts.map { $0.outcomes[t] }
            for outcome in round {
                state.proposed += 1
                if outcome.accepted { state.accepted += 1 }
                state.boltzmannFactorSum += outcome.deltaH.isFinite ? exp(-outcome.deltaH) : 0
            }
            byRound.append(round)
        }
        for k in 0..<kept {
            var batch = FieldBatch(rows: chains, columns: v)
            for c in 0..<chains {
                batch.storage.replaceSubrange((c * v)..<((c + 1) * v), with: parts[c].kept[(k * v)..<((k + 1) * v)])
            }
            try visit(batch)
        }
        return byRound
    }

    /// Site forces of one trajectory of one chain at step size `eps`, with the
    /// trajectory's real number of steps (a tiny tuned step means long trajectories).
    func forcesPerTrajectory(stepSize eps: Double) -> Double {
        Double(action.lattice.volume) * Double(integrator.forcesPerStep) * Double(schedule(stepSize: eps, jitterDraw: 0.5).steps)
    }

    /// Trajectories per chain in a parallel block: enough work per thread
    /// hand-off (~2e6 site forces per chain), few enough that a stop request is
    /// seen within a small fraction of a second (one trajectory is also polled
    /// inside, `integrate`).
    func blockLength(stepSize eps: Double) -> Int {
        max(1, Int(min(1e9, 2e6 / max(1, forcesPerTrajectory(stepSize: eps)))))
    }

    /// Trajectories per chain in a fraction of a second of work over all chains
    /// (~5e7 site forces, with the measurement of each configuration about as
    /// much again): a run's unit of work.
    public func trajectoriesPerUnit(chains: Int, stepSize eps: Double) -> Int {
        max(1, Int(min(1e9, 5e7 / max(1, forcesPerTrajectory(stepSize: eps) * Double(max(1, chains))))))
    }

    /// `trajectories` trajectories per chain without recording, tuning the step
    /// size after each round by `eps *= exp(g (a - target))`, with `a` the round's
    /// mean acceptance probability `min(1, exp(-dH))` over the chains and a gain
    /// `g` that falls as 1/sqrt(k) (a Robbins–Monro schedule, so the step size
    /// settles). With `restartEvery: n` the schedule restarts after every n-th
    /// trajectory of the thermalisation (k counts from the restart; `done` says how
    /// many came before this call), so the step re-adapts as the chains move into
    /// their equilibrium; the runs' thermalisations restart every 100.
    public func thermalize(
        _ state: inout HMCState, trajectories: Int, stop: StopCheck, after done: Int = 0, restartEvery: Int = .max
    ) throws {
        var done = done
        let end = done + trajectories
        while done < end {
            try stop.check()
            for round in try rounds(&state, count: 1, keepEvery: nil, stop: stop, visit: { _ in }) {
                let k = done % restartEvery + 1
                done += 1
                let a = round.map { $0.deltaH.isFinite ? min(1, exp(-$0.deltaH)) : 0 }.reduce(0, +) / Double(round.count)
                let gain = 2 / Double(k).squareRoot()
                state.stepSize = min(trajectoryLength, state.stepSize * exp(gain * (a - targetAcceptance)))
            }
        }
    }

    /// `trajectories` trajectories per chain at the fixed step size, not recorded
    /// (for timing).
    public func advance(_ state: inout HMCState, trajectories: Int, stop: StopCheck) throws {
        try run(&state, trajectories: trajectories, keepEvery: nil, stop: stop) { _ in }
    }

    /// `records x every` trajectories per chain at the fixed step size, calling
    /// `record` after every `every`-th with every chain's field; `stop` polled
    /// between blocks. The trajectories in between are not copied.
    public func sample(
        _ state: inout HMCState, records: Int, every: Int = 1, stop: StopCheck, record: (FieldBatch) throws -> Void
    ) throws {
        try run(&state, trajectories: records * every, keepEvery: every, stop: stop, record: record)
    }

    /// The blocks of `sample` and `advance`: whole records per block, so the
    /// recorded trajectories do not depend on where blocks end.
    private func run(
        _ state: inout HMCState, trajectories: Int, keepEvery every: Int?, stop: StopCheck, record: (FieldBatch) throws -> Void
    ) throws {
        let unit = every ?? 1
        var done = 0
        while done < trajectories {
            try stop.check()
            let remaining = trajectories - done
            let block = blockLength(stepSize: state.stepSize)
            let n = min(remaining, max(unit, block / unit * unit))
            _ = try rounds(&state, count: n, keepEvery: every, stop: stop, visit: record)
            done += n
        }
    }
}
