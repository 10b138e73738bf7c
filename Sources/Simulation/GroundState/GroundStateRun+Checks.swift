import NeuralAnsatz
import Optimizers
import Sampling
import SimulationConfig
import VMC

extension GroundStateRun {
    /// The warm start's and the optimisation's parameters, optimiser and chains,
    /// the evaluation in progress, against the model and the config.
    public func structuralProblems(_ state: GroundStateCheckpoint) -> [String] {
        let c = configuration
        var check = StructureCheck()
        let context = AnsatzContext(configuration: c, theory: theory, fft: fft)
        let parameters = (try? c.ansatz.kind.factory.build(context, into: ParameterCount())) ?? -1
        let gaussianParameters = context.gaussian.parameterCount
        let v = lattice.volume, chains = c.sampler.chains
        optimization("optimization", state.optimization, parameters: parameters, steps: c.optimizer.steps, &check)
        let warmStart = c.ansatz.kind.isNeural && (c.optimizer.gaussianSteps ?? 0) > 0
        if let g = state.gaussian {
            check.require(warmStart, "the checkpoint has a Gaussian warm start, the config none")
            optimization("gaussian", g, parameters: gaussianParameters, steps: c.optimizer.gaussianSteps ?? 0, &check)
        }
        if let e = state.evaluating {
            samplerState("evaluating.sampler", e.sampler, chains: chains, sites: v, &check)
            let cap = c.evaluation.sampleCap / chains
            check.require(
                0 <= e.roundStart && e.roundStart <= e.done && e.done <= e.planned && e.planned <= cap,
                "evaluating's sweeps (round from \(e.roundStart), \(e.done) done of \(e.planned)) are outside 0...\(cap)")
            check.require(e.accepted >= 0 && e.accepted <= e.proposed, "evaluating's counters are \(e.accepted) of \(e.proposed)")
            check.seconds("evaluating.seconds", e.seconds)
            let problems = Self.evaluationMeasurements(theory: theory, fft: fft, chains: chains).problems(e.series)
            check.require(problems.isEmpty, "evaluating.series: \(problems.joined(separator: ", "))")
            if problems.isEmpty { check.count("evaluating.series (records)", e.series.first?.records ?? 0, e.done) }
        }
        return check.problems
    }

    private func optimization(
        _ what: String, _ p: OptimizationProgress, parameters: Int, steps: Int, _ check: inout StructureCheck
    ) {
        if check.count("\(what).parameters", p.parameters.count, parameters) { check.finite("\(what).parameters", p.parameters) }
        check.range("\(what) steps done", p.history.count, 0...steps)
        check.require(p.history.enumerated().allSatisfy { $0.offset == $0.element.step }, "\(what).history's steps are not 0, 1, 2, ...")
        check.seconds("\(what).seconds", p.seconds)
        samplerState("\(what).sampler", p.sampler, chains: configuration.sampler.chains, sites: lattice.volume, &check)
        let expected = ConfiguredOptimizer(configuration.optimizer)
        switch (p.optimizer, expected) {
        case (.sr(let sr), .sr(let fresh)):
            schedule("\(what).optimizer learning rate", sr.learningRateSchedule, &check)
            check.require(sr.diagonalShiftSchedule == fresh.diagonalShiftSchedule, "\(what).optimizer's diagonal shift is not the config's")
            check.require(
                sr.denseLimit == fresh.denseLimit && sr.cgTolerance == fresh.cgTolerance && sr.cgMaxIterations == fresh.cgMaxIterations
                    && sr.maximumStep == fresh.maximumStep, "\(what).optimizer's solver settings are not the config's")
            check.require([0, parameters].contains(sr.lastDirection.count), "\(what).optimizer.lastDirection has \(sr.lastDirection.count) entries")
            check.finite("\(what).optimizer.lastDirection", sr.lastDirection)
            check.require(sr.updates >= 0, "\(what).optimizer has \(sr.updates) updates")
        case (.adam(let adam), .adam):
            schedule("\(what).optimizer learning rate", adam.learningRateSchedule, &check)
            check.require(
                [0, parameters].contains(adam.firstMoment.count) && adam.secondMoment.count == adam.firstMoment.count,
                "\(what).optimizer's moments have \(adam.firstMoment.count) and \(adam.secondMoment.count) entries, not \(parameters)")
            check.finite("\(what).optimizer's moments", adam.firstMoment + adam.secondMoment)
            check.require(adam.secondMoment.allSatisfy { $0 >= 0 } && adam.updates >= 0, "\(what).optimizer's second moment or update count is negative")
            check.require(
                adam.beta1 == 0.9 && adam.beta2 == 0.999 && adam.epsilon == 1e-8, "\(what).optimizer's Adam constants are not the config's")
        default:
            check.require(false, "\(what).optimizer is not `optimizer.kind: \(configuration.optimizer.kind.rawValue)`")
        }
    }

    /// A learning rate's schedule: finite, positive (a retry may have halved it).
    private func schedule(_ what: String, _ s: Schedule, _ check: inout StructureCheck) {
        check.require(
            s.initial.isFinite && s.final.isFinite && s.initial > 0 && s.final > 0 && s.steps >= 1,
            "\(what) runs from \(s.initial) to \(s.final) over \(s.steps) steps")
    }

    private func samplerState(_ what: String, _ s: SamplerState, chains: Int, sites: Int, _ check: inout StructureCheck) {
        check.fields("\(what).fields", s.fields, rows: chains, columns: sites)
        check.count("\(what).logDensity", s.logDensity.count, chains)
        check.require(
            s.gradient.columns == sites && [0, chains].contains(s.gradient.rows), "\(what).gradient is \(s.gradient.rows) x \(s.gradient.columns)")
        if check.count("\(what).stepSize", s.stepSize.count, chains) {
            check.require(s.stepSize.allSatisfy { $0.isFinite && $0 > 0 }, "\(what).stepSize holds a width that is not positive and finite")
        }
        check.count("\(what).random (streams)", s.random.count, chains)
        check.require(s.accepted >= 0 && s.accepted <= s.proposed, "\(what)'s counters are \(s.accepted) of \(s.proposed)")
        if let cursor = s.siteCursor { check.range("\(what).siteCursor", cursor, 0...(sites - 1)) }
    }
}

/// The parameter count of the model a factory builds.
private struct ParameterCount: ModelConsumer {
    func consume<Model: SiteLocalWavefunction>(_ model: Model) throws -> Int { model.parameterCount }
    func consume<Model: WavefunctionModel>(_ model: Model) throws -> Int { model.parameterCount }
}
