import Lattice
import Sampling
import SimulationConfig

extension EuclideanRun {
    /// Per ensemble: its spacing, its flow's training (shapes, finiteness,
    /// steps), its chains (the sampler's kind and shapes), its counters and its
    /// records against the config.
    public func structuralProblems(_ state: EuclideanCheckpoint) -> [String] {
        let c = configuration
        var check = StructureCheck()
        guard check.count("ensembles", state.ensembles.count, spacings.count) else { return check.problems }
        let chains = c.sampler.chains, records = c.measurement.samples / chains
        for (index, (e, spacing)) in zip(state.ensembles, spacings).enumerated() {
            let what = "ensembles[\(index)]"
            check.require(e.spacing == spacing, "\(what).spacing is \(e.spacing.map { "\($0)" } ?? "none"), the config's \(spacing.map { "\($0)" } ?? "none")")
            let action = c.action(spacing: spacing)
            let v = action.lattice.volume
            if let f = c.flow {
                if let training = e.flow {
                    let p = f.kind.parameterCount(
                        dimension: c.lattice.extent.count, layers: f.layers, hidden: f.hidden, kernel: f.kernel,
                        features: f.features, channels: f.channels) ?? 0
                    if check.count("\(what).flow.parameters", training.parameters.count, p) {
                        check.finite("\(what).flow.parameters", training.parameters)
                    }
                    check.require(
                        [0, p].contains(training.optimizer.firstMoment.count) && training.optimizer.secondMoment.count == training.optimizer.firstMoment.count,
                        "\(what).flow.optimizer's moments have \(training.optimizer.firstMoment.count) and \(training.optimizer.secondMoment.count) entries, not \(p)")
                    check.finite("\(what).flow.optimizer", training.optimizer.firstMoment + training.optimizer.secondMoment)
                    check.range("\(what).flow.steps", training.steps, 0...f.steps)
                    check.count("\(what).flow.history", training.history.count, training.steps)
                    check.seconds("\(what).flow.seconds", training.seconds)
                    if check.count("\(what).flow.phase_seconds", training.phaseSeconds.count, f.phases(lattice: c.lattice.extent).count) {
                        for (i, s) in training.phaseSeconds.enumerated() { check.seconds("\(what).flow.phase_seconds[\(i)]", s) }
                    }
                } else {
                    check.require(false, "\(what) has no flow, but `sampler.kind: flow`")
                }
            } else {
                check.require(e.flow == nil, "\(what) has a flow, but `sampler.kind: hmc`")
            }
            let p = e.progress
            check.range("\(what).progress.thermalized", p.thermalized, 0...c.sampler.thermalization)
            check.range("\(what).progress.recorded", p.recorded, 0...records)
            check.seconds("\(what).progress.seconds", p.seconds)
            if p.result == nil, p.recorded > 0 {
                let set = Self.measurements(action: action, chains: chains)
                let problems = set.problems(p.series)
                check.require(problems.isEmpty, "\(what).progress.series: \(problems.joined(separator: ", "))")
                if problems.isEmpty { check.count("\(what).progress.series (records)", p.series.first?.records ?? 0, p.recorded) }
            }
            guard let stored = p.chains else { continue }
            switch (c.sampler.kind, c.sampler.hmcTrajectories > 0, stored) {
            case (.hmc, _, .hmc(let s)):
                check.hmc("\(what).chains", s, chains: chains, sites: v, trajectoryLength: c.sampler.trajectoryLength)
            case (.flow, false, .independence(let s)):
                check.independence("\(what).chains", s, chains: chains, sites: v)
            case (.flow, true, .interleaved(let i, let h)):
                check.independence("\(what).chains", i, chains: chains, sites: v)
                check.hmc("\(what).chains.hmc", h, chains: chains, sites: v, trajectoryLength: c.sampler.trajectoryLength)
            default:
                check.require(false, "\(what).chains are not the chains of `sampler.kind: \(c.sampler.kind.rawValue)`")
            }
        }
        return check.problems
    }

    /// The chains and their workspaces, one ensemble's measurement series (those
    /// of measured ensembles are dropped) with the Gamma method's copy and the
    /// checkpoint that holds them, and a flow's training batch.
    public func memoryEstimate() -> MemoryEstimate {
        let c = configuration
        let chains = Double(c.sampler.chains), records = Double(c.measurement.samples) / chains
        var largest = 0.0, detail = ""
        for spacing in spacings {
            let action = c.action(spacing: spacing)
            let v = Double(action.lattice.volume)
            let perRecord = Double(Self.measurements(action: action, chains: 1).measurements.reduce(0) { $0 + $1.observables })
            let series = chains * records * perRecord
            var doubles = series * (1 + MemoryEstimate.checkpointFactor) + chains * v * 8
            if let f = c.flow {
                // Per sample of the batch: every layer's activations and gradients over the
                // sites (the real-NVP's channels; the kernel coupling's M F features and
                // its heads); and the validation batch with its coset densities.
                let channels = Double(f.hidden.map { $0.reduce(1, +) + 3 } ?? ((f.channels ?? 1) * (f.features ?? 1) + 8))
                doubles += Double(f.batch) * v * Double(f.layers) * channels * 3 + Double(f.validationSamples) * v * 4
            }
            if doubles > largest {
                largest = doubles
                detail = String(
                    format: "%d configurations of %d sites, %.4g values kept per configuration", c.measurement.samples, Int(v), perRecord)
            }
        }
        return MemoryEstimate(bytes: 8 * largest + MemoryEstimate.margin, detail: detail)
    }
}
