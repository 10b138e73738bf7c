import Foundation

/// The closing lines of `nqft run`: the energy with its error and, when an exact
/// value is known, the deviation from it.
struct GroundStateReport {
    let result: GroundStateResult

    var lines: [String] {
        let e = result.energy
        var lines = [
            "energy      \(e.mean) +- \(e.error)  (variance \(e.variance), tau_int \(String(format: "%.2f", e.tauInt)), \(e.count) samples)",
            "acceptance  \(String(format: "%.3f", result.acceptance))",
        ]
        if let p = result.precision {
            lines.append(String(
                format: "target      error %.3g %@", p.target,
                p.reached ? "reached" : "not reached (stopped at \(p.limit?.rawValue ?? "a cap"))"))
        }
        if let m2 = result.orderParameter["chi2"], let binder = result.orderParameter["binder"] {
            lines.append("order       <M^2>/V = \(m2.mean) +- \(m2.error), Binder = \(binder.mean) +- \(binder.error)")
        }
        if let baseline = result.gaussianBaseline {
            let g = baseline.energy
            lines.append("gaussian    \(g.mean) +- \(g.error)  (variance \(g.variance); the network gains \(g.mean - e.mean))")
        }
        if let reference = result.reference {
            let relative = (e.mean - reference.energy) / abs(reference.energy)
            lines.append("reference   \(reference.energy)  (\(reference.method))")
            lines.append("rel. error  \(String(format: "%.3e", relative))")
            if let chi2 = reference.chi2 { lines.append("exact       <M^2>/V = \(chi2)") }
        }
        let (o, v, r) = (result.optimizationSeconds, result.evaluationSeconds, result.referenceSeconds)
        lines.append(String(
            format: "time        %.2f s  (optimisation %.2f s, evaluation %.2f s, reference %.2f s)", o + v + r, o, v, r))
        for note in result.notes { lines.append("note        \(note)") }
        return lines
    }
}
