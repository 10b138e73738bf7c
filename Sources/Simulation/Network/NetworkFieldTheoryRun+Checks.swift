import Foundation
import NetworkFieldTheory
import SimulationConfig

extension NetworkFieldTheoryRun {
    /// Per width: its sums' shapes (independent networks) or its chains, records
    /// and counters (phi^4 networks); the reference's HMC chains.
    public func structuralProblems(_ state: NetworkCheckpoint) -> [String] {
        let c = configuration
        var check = StructureCheck()
        guard check.count("ensembles", state.ensembles.count, c.network.widths.count) else { return check.problems }
        for (index, (e, width)) in zip(state.ensembles, c.network.widths).enumerated() {
            let what = "ensembles[\(index)]"
            check.require(e.width == width, "\(what).width is \(e.width), the config's \(width)")
            check.seconds("\(what).seconds", e.seconds)
            if c.isInteracting {
                check.require(e.moments == nil, "\(what) has independent networks' sums in a phi^4 network run")
                guard let d = e.deformed else {
                    check.require(false, "\(what) has no deformed ensemble")
                    continue
                }
                let chains = c.ensemble.chains ?? 16
                progress(what, d, thermalization: c.ensemble.thermalization ?? 0, records: c.ensemble.networks / chains, &check)
                if let action, d.result == nil, d.recorded > 0 {
                    let problems = Self.measurements(action: action, chains: chains).problems(d.series)
                    check.require(problems.isEmpty, "\(what).series: \(problems.joined(separator: ", "))")
                }
                guard let stored = d.chains else { continue }
                guard case .network(let list) = stored else {
                    check.require(false, "\(what).chains are not a network ensemble's")
                    continue
                }
                guard check.count("\(what).chains", list.count, chains) else { continue }
                let p = c.pointCount, dimension = inputs.dimension
                for (k, chain) in list.enumerated() {
                    let parameters = chain.parameters
                    check.require(
                        parameters.networks == 1 && parameters.width == width && parameters.dimension == dimension
                            && parameters.weights.count == width * dimension && parameters.biases.count == width
                            && parameters.amplitudes.count == width && parameters.offsets.count == 1,
                        "\(what).chains[\(k)]'s network is not one of width \(width) on \(dimension)-dimensional inputs")
                    check.finite("\(what).chains[\(k)]'s network", parameters.weights + parameters.biases + parameters.amplitudes + parameters.offsets)
                    if check.count("\(what).chains[\(k)].field", chain.field.count, p) { check.finite("\(what).chains[\(k)].field", chain.field) }
                    check.require(chain.accepted >= 0 && chain.accepted <= chain.proposed, "\(what).chains[\(k)]'s counters are \(chain.accepted) of \(chain.proposed)")
                }
            } else {
                check.require(e.deformed == nil, "\(what) has a deformed ensemble in a run of independent networks")
                let ensemble = ensemble(index)
                check.range("\(what).batchesDone", e.batchesDone, 0...ensemble.batches)
                guard let moments = e.moments else {
                    check.require(e.batchesDone == 0, "\(what) has \(e.batchesDone) batches done but no sums")
                    continue
                }
                let empty = ensemble.emptyMoments()
                check.require(
                    moments.points == empty.points && moments.quadruples == empty.quadruples
                        && moments.pairPowers.count == empty.pairPowers.count && moments.blockNetworks.count == empty.blockNetworks.count
                        && moments.blockSums.map(\.count) == empty.blockSums.map(\.count)
                        && moments.momentumPowers?.count == empty.momentumPowers?.count
                        && moments.positionPowers?.count == empty.positionPowers?.count,
                    "\(what).moments do not have this ensemble's shapes (points, four-point sets, blocks)")
                check.finite("\(what).moments", moments.pairPowers)
                let expected = min(c.ensemble.networks, e.batchesDone * ensemble.batch)
                check.require(
                    moments.networks == expected && moments.blockNetworks.reduce(0, +) == expected,
                    "\(what).moments hold \(moments.networks) networks, \(e.batchesDone) batches make \(expected)")
            }
        }
        if let r = state.reference {
            guard let config = c.reference, config.samples > 0, let hmc = reference(parallelism: .serial) else {
                check.require(false, "the checkpoint has an HMC reference, the config none")
                return check.problems
            }
            progress("reference", r, thermalization: config.thermalization, records: config.samples / config.chains, &check)
            if let stored = r.chains {
                if case .hmc(let s) = stored {
                    check.hmc("reference.chains", s, chains: config.chains, sites: hmc.hmc.action.lattice.volume, trajectoryLength: 1)
                } else {
                    check.require(false, "reference.chains are not HMC chains")
                }
            }
        } else {
            check.require(reference(parallelism: .serial) == nil, "the checkpoint has no HMC reference, the config one")
        }
        return check.problems
    }

    private func progress(_ what: String, _ p: EnsembleProgress, thermalization: Int, records: Int, _ check: inout StructureCheck) {
        check.range("\(what).thermalized", p.thermalized, 0...thermalization)
        check.range("\(what).recorded", p.recorded, 0...records)
        check.seconds("\(what).seconds", p.seconds)
        if p.result == nil, p.recorded > 0 { check.count("\(what).series (records)", p.series.first?.records ?? 0, p.recorded) }
    }

    /// Independent networks: the pair sums and the four-point blocks, and a
    /// batch's fields and activations per thread. phi^4 networks: the chains'
    /// networks, the measurement's series with its copies, the reference's.
    public func memoryEstimate() -> MemoryEstimate {
        let c = configuration
        let p = Double(c.pointCount), widest = Double(c.network.widths.max() ?? 1)
        var doubles: Double
        var detail: String
        if c.isInteracting, let action {
            let chains = Double(c.ensemble.chains ?? 16)
            let perRecord = Double(Self.measurements(action: action, chains: 1).measurements.reduce(0) { $0 + $1.observables })
            let series = Double(c.ensemble.networks) * perRecord
            let reference = Double(c.reference?.samples ?? 0) * perRecord
            doubles = max(series, reference) * (1 + MemoryEstimate.checkpointFactor) + chains * widest * (p + 4) * 4
            detail = String(format: "%d configurations, %.4g values kept per configuration", c.ensemble.networks, perRecord)
        } else {
            let batch = Double(c.ensemble.batch ?? 1024)
            let quadruples = Double(quadruples.count)
            doubles = (4 * p * p + 128 * quadruples * 7) * (1 + MemoryEstimate.checkpointFactor) + 2 * batch * (p + widest * p / 8)
            detail = String(format: "%.0f points, a batch of %.0f networks of width up to %.0f", p, batch, widest)
        }
        return MemoryEstimate(bytes: 8 * doubles + MemoryEstimate.margin, detail: detail)
    }
}
