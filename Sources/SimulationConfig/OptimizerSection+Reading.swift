import Yams

extension GroundStateConfiguration.OptimizerSection {
    static let keys = [
        "kind", "steps", "samples", "learning_rate", "learning_rate_final", "diag_shift", "diag_shift_final",
        "gaussian_steps", "max_step", "target_variance",
    ]

    /// `optimizer`: SR or Adam, steps, samples per step (a multiple of the
    /// chains), the learning-rate and diagonal-shift schedules, the trust region,
    /// the Gaussian warm start's steps (neural kinds).
    static func read(
        _ node: Node?, lattice: GroundStateConfiguration.LatticeSection?, theory: GroundStateConfiguration.TheorySection?,
        ansatz: GroundStateConfiguration.AnsatzSection, chains: Int, _ r: ConfigReader
    ) -> Self {
        let optimizer = r.mapping(node, path: "optimizer", allowed: keys) ?? [:]
        let kind = r.choice(optimizer["kind"], path: "optimizer.kind", as: OptimizerKind.self) ?? .sr
        var section = Self(
            kind: kind, steps: r.integer(optimizer["steps"], path: "optimizer.steps", in: 0...10_000_000) ?? 300,
            samples: r.integer(optimizer["samples"], path: "optimizer.samples", in: 1...100_000_000) ?? 1024,
            learningRate: 0)
        // Default SR step for the plain Gaussian: imaginary-time evolution of mode k
        // is stable for eta < 1/omega_k and relaxes like (1 - 2 omega_k eta)^step, so
        // eta = 0.9/omega_max (omega_max^2 = m2 + 4d) makes the slowest mode as fast
        // as stability allows. Networks keep 0.05.
        let dimensions = lattice?.extent.filter { $0 >= 2 }.count ?? 1
        let gaussianRate = 0.9 / (max(theory?.m2 ?? 0, 0) + 4 * Double(max(1, dimensions))).squareRoot()
        // A step of imaginary time (SR) or of Adam beyond 100 is no optimisation:
        // refused rather than run with parameters that never move or blow up.
        section.learningRate = r.number(
            optimizer["learning_rate"], path: "optimizer.learning_rate", where: { $0 > 0 && $0 <= 100 }, "> 0 and <= 100")
            ?? (kind == .adam ? 0.01 : ansatz.kind == .gaussian ? gaussianRate : 0.05)
        section.learningRateFinal = r.number(
            optimizer["learning_rate_final"], path: "optimizer.learning_rate_final", where: { $0 > 0 && $0 <= 100 },
            "> 0 and <= 100")
        if kind == .sr {
            section.maxStep = r.number(optimizer["max_step"], path: "optimizer.max_step", where: { $0 > 0 }, "> 0") ?? 0.5
            let shift = r.number(optimizer["diag_shift"], path: "optimizer.diag_shift", where: { $0 >= 0 }, ">= 0") ?? 1e-3
            section.diagShift = shift
            section.diagShiftFinal = r.number(
                optimizer["diag_shift_final"], path: "optimizer.diag_shift_final", where: { $0 > 0 }, "> 0")
            if let final = section.diagShiftFinal, shift == 0 {
                r.report(
                    "optimizer.diag_shift_final", optimizer["diag_shift_final"],
                    "\(final) needs optimizer.diag_shift > 0 (the decay is geometric)")
            }
        } else {
            for key in ["diag_shift", "diag_shift_final", "max_step"] where optimizer[key] != nil {
                r.report("optimizer.\(key)", optimizer[key], "is only for `optimizer.kind: sr`; remove it for \(kind.rawValue)")
            }
        }
        section.targetVariance = r.number(
            optimizer["target_variance"], path: "optimizer.target_variance", where: { $0 > 0 }, "> 0 (the local energy's variance per site)")
        GroundStateConfiguration.checkMultiple(section.samples, of: chains, path: "optimizer.samples", node: optimizer["samples"], r)
        if ansatz.kind.isNeural {
            section.gaussianSteps = r.integer(
                optimizer["gaussian_steps"], path: "optimizer.gaussian_steps", in: 0...10_000_000) ?? 100
        } else if optimizer["gaussian_steps"] != nil {
            r.report("optimizer.gaussian_steps", optimizer["gaussian_steps"], "is only for neural ansätze (gaussian-mlp, symmetric)")
        }
        return section
    }
}
