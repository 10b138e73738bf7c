import Foundation
import Lattice
import Measurements
import NetworkFieldTheory
import Output
import SimulationConfig
import Statistics

/// summary.json of a network-field-theory run and its CSV tables: every
/// correlator beside its exact value (`value`, `error`, `error_of_error`, `exact`,
/// `deviation` = (value - exact)/error), per width; the 1/N fit of each connected
/// four-point function over the widths; for phi^4 networks the Euclidean
/// observables beside the HMC reference and the fit of their deviation against N.
struct NetworkSummary: Encodable {
    /// Every correlator of a kind against its exact value, by `Agreement`'s rule:
    /// a value with a zero error agrees only when it equals the exact value, and
    /// is then `trivial` (a point where the field is identically zero measures
    /// nothing), not a test; one that cannot be compared (a zero error beside a
    /// different exact value, a missing exact value) is `failed` and counts
    /// against `fraction_within_3_sigma`, which is over all pairs.
    struct TwoPointCheck: Encodable {
        var pairs: Int
        /// Values with a positive error compared with their exact values.
        var compared: Int
        var trivial: Int
        var failed: Int
        var chi2PerPair, maxAbsDeviation, maxRelativeError, medianRelativeError, fractionWithin3Sigma: Double?
        /// The largest error of an error relative to the error (heavy tails when large).
        var maxErrorOfError: Double?
        enum CodingKeys: String, CodingKey {
            case pairs, compared, trivial, failed
            case maxErrorOfError = "max_relative_error_of_error"
            case chi2PerPair = "chi2_per_pair", maxAbsDeviation = "max_abs_deviation", maxRelativeError = "max_relative_error"
            case medianRelativeError = "median_relative_error", fractionWithin3Sigma = "fraction_within_3_sigma"
        }

        init(_ values: [CorrelatorValue]) {
            pairs = values.count
            let tested = values.filter { $0.error > 0 && $0.deviation.isFinite }
            compared = tested.count
            trivial = values.filter { $0.error == 0 && $0.deviation == 0 }.count
            failed = values.filter { !$0.deviation.isFinite }.count
            let deviations = tested.map(\.deviation)
            chi2PerPair = compared > 0 ? deviations.reduce(0) { $0 + $1 * $1 } / Double(compared) : nil
            maxAbsDeviation = deviations.map(abs).max()
            let relative = tested.map { $0.error / max(abs($0.exact), 1e-300) }.sorted()
            maxRelativeError = relative.last
            medianRelativeError = relative.isEmpty ? nil : relative[relative.count / 2]
            fractionWithin3Sigma = pairs > 0 ? Double(values.filter { Agreement.within($0.deviation, sigmas: 3) && $0.error > 0 }.count) / Double(pairs) : nil
            maxErrorOfError = tested.map { $0.errorOfError / $0.error }.max()
        }

        /// The warning when some values could not be compared, or nil.
        func warning(_ what: String) -> String? {
            guard failed > 0 else { return nil }
            return "\(what): \(failed) of \(pairs) values could not be compared with their exact values (a zero error beside a different exact value, or no exact value): they count as failures, not agreement"
        }
    }
    struct FourPoint: Encodable {
        /// Point indices, or "M" for the sum over sites (zero momentum, divided by V).
        var points: [String]
        var value, error, errorOfError, exact, deviation, widthTimesValue: Double?
        enum CodingKeys: String, CodingKey {
            case points, value, error, exact, deviation
            case errorOfError = "error_of_error", widthTimesValue = "width_times_value"
        }
    }
    struct Ensemble: Encodable {
        var width: Int
        var networks: Int
        var seconds: Double
        var networksPerSecond: Double?
        var twoPoint: TwoPointCheck?
        var momentum: TwoPointCheck?
        var fourPoint: [FourPoint]?
        var acceptance: Double?
        var observables: [String: MeasuredValue]?
        enum CodingKeys: String, CodingKey {
            case width, networks, seconds, momentum, acceptance, observables
            case networksPerSecond = "networks_per_second", twoPoint = "two_point", fourPoint = "four_point"
        }
    }
    struct Fit: Encodable {
        var points: [String]
        var amplitude, amplitudeError, exponent, exponentError, chi2: Double?
        var degreesOfFreedom: Int
        enum CodingKeys: String, CodingKey {
            case points, amplitude, exponent, chi2
            case amplitudeError = "amplitude_error", exponentError = "exponent_error", degreesOfFreedom = "degrees_of_freedom"
        }
    }
    /// value - HMC = A N^p, and the 1/N expansion a/N + b/N^2 of the same points.
    struct DeviationFit: Encodable {
        var powerLaw: Fit?
        var expansion: InverseWidthExpansion?
        enum CodingKeys: String, CodingKey {
            case powerLaw = "power_law", expansion = "inverse_width_expansion"
        }
    }
    struct Reference: Encodable {
        var method = "hmc"
        var samples: Int
        var acceptance: Double
        var observables: [String: MeasuredValue]
    }

    var name: String
    var version = neuralQFTVersion
    var mode = "nnft"
    var seed: UInt64
    var config: NetworkConfiguration
    var prior: String
    var ensembles: [Ensemble] = []
    var fourPointFit: [Fit] = []
    var reference: Reference?
    var deviationFit: [String: DeviationFit] = [:]
    var warnings: [String] = []
    var notes: [String] = []
    var tables: [String: CSVTable] = [:]

    enum CodingKeys: String, CodingKey {
        case name, version, mode, seed, config, prior, ensembles, reference, warnings, notes
        case fourPointFit = "four_point_fit", deviationFit = "deviation_fit"
    }

    /// Observables compared between the deformed ensembles and HMC.
    static let observableNames = ["phi2", "chi2", "binder", "abs_magnetization", "link", "action"]

    init(run: NetworkFieldTheoryRun, state: NetworkCheckpoint) {
        let c = run.configuration
        name = c.name
        seed = c.seed
        config = c
        prior = c.theory == nil ? "standard" : (c.isInteracting ? "phi4" : "free-field")
        if c.isInteracting {
            summarizeDeformed(run, state)
        } else {
            summarizeIndependent(run, state)
        }
    }

    private static func label(_ index: Int, points: Int) -> String { index == points ? "M" : "\(index)" }

    private mutating func summarizeIndependent(_ run: NetworkFieldTheoryRun, _ state: NetworkCheckpoint) {
        let inputs = run.inputs, d = inputs.dimension, p = inputs.count
        var pairs = CSVTable(header: ["width", "i", "j"] + CSVTable.columns("x_i", d) + CSVTable.columns("x_j", d) + Self.valueColumns)
        var four = CSVTable(header: ["width", "i", "j", "k", "l"] + Self.valueColumns + ["width_times_value"])
        var momentumTable: CSVTable?, positionTable: CSVTable?
        if inputs.lattice != nil, run.configuration.theory != nil {
            momentumTable = CSVTable(
                header: ["width"] + CSVTable.columns("n", d) + CSVTable.columns("k", d) + ["khat2", "G", "G_err"] + Self.valueColumns)
            positionTable = CSVTable(header: ["width"] + CSVTable.columns("r", d) + ["G", "G_err"] + Self.valueColumns)
        }
        // The exact four-point functions scale as 1/N at fixed sigma_w (or sigma_a):
        // computed once at N = 1 (quadrature for erf and relu) and divided by N.
        let unit = run.prior(width: 1)
        let unitFour = run.quadruples.map { set in
            set.contains(p) ? ((unit as? FreeFieldNetworkPrior)?.zeroMomentumFourPoint ?? .nan) : unit.connectedFourPoint(set)
        }
        var fourByWidth: [[FourPoint]] = []
        for e in state.ensembles {
            guard let moments = e.moments else { continue }
            let prior = run.prior(width: e.width)
            let correlators = EnsembleCorrelators(moments: moments, prior: prior)
            let twoPoints = correlators.twoPoints
            for (i, j, value) in twoPoints {
                pairs.append([.integer(e.width), .integer(i), .integer(j)] + inputs.points[i].map(CSVCell.number)
                    + inputs.points[j].map(CSVCell.number) + Self.cells(value))
            }
            var ensemble = Ensemble(
                width: e.width, networks: moments.networks, seconds: e.seconds,
                networksPerSecond: e.seconds > 0 ? Double(moments.networks) / e.seconds : nil,
                twoPoint: TwoPointCheck(twoPoints.map(\.value)))
            if let warning = ensemble.twoPoint?.warning("N = \(e.width), two-point functions") { warnings.append(warning) }
            if let trivial = ensemble.twoPoint?.trivial, trivial > 0 {
                notes.append("N = \(e.width): \(trivial) two-point values are identically 0 (points where the field vanishes, e.g. the origin with sigma_b = 0): not tests")
            }
            if let worst = ensemble.twoPoint?.maxErrorOfError, worst > 0.3 {
                warnings.append(String(
                    format: "N = %d: a two-point error is itself uncertain by %.0f%% (heavy tails, e.g. the Gauss-net far from the origin): raise ensemble.networks or bring the inputs closer to the origin",
                    e.width, 100 * worst))
            }
            let free = prior as? FreeFieldNetworkPrior
            let fourPoints = correlators.fourPoints { set in
                (run.quadruples.firstIndex(of: set).map { unitFour[$0] } ?? .nan) / Double(e.width)
            }
            var entries: [FourPoint] = []
            for (set, value) in fourPoints {
                let labels = set.map { Self.label($0, points: p) }
                four.append([.integer(e.width)] + labels.map(CSVCell.text) + Self.cells(value) + [.number(Double(e.width) * value.value)])
                entries.append(FourPoint(
                    points: labels, value: NetworkSummary.finite(value.value), error: NetworkSummary.finite(value.error), errorOfError: NetworkSummary.finite(value.errorOfError),
                    exact: NetworkSummary.finite(value.exact), deviation: NetworkSummary.finite(value.deviation), widthTimesValue: NetworkSummary.finite(Double(e.width) * value.value)))
                if !value.deviation.isFinite {
                    warnings.append(String(
                        format: "N = %d: the four-point function at (%@) is %g +- %g against exact %g: it could not be compared (a zero error beside a different exact value, or no exact value) and counts as a failure",
                        e.width, labels.joined(separator: ", "), value.value, value.error, value.exact))
                } else if value.error == 0 {
                    notes.append("N = \(e.width): the four-point function at (\(labels.joined(separator: ", "))) is identically \(value.value) (the field vanishes there): not a test")
                }
                if value.errorOfError > 0.3 * value.error {
                    warnings.append(String(
                        format: "N = %d: the four-point error at (%@) is itself uncertain by %.0f%% (heavy tails): raise ensemble.networks",
                        e.width, labels.joined(separator: ", "), 100 * value.errorOfError / value.error))
                }
            }
            ensemble.fourPoint = entries
            fourByWidth.append(entries)
            if let free, let lattice = inputs.lattice,
                let momenta = correlators.momentumTwoPoints(exact: free.momentumTwoPoint),
                let separations = correlators.positionTwoPoints(exact: { r in free.twoPoint(r, 0) })
            {
                for (i, value) in momenta.enumerated() {
                    momentumTable?.append(
                        [.integer(e.width)] + lattice.modeNumbers(ofMomentum: i).map(CSVCell.integer) + lattice.momentum(i).map(CSVCell.number)
                            + [.number(lattice.latticeMomentumSquared(i)), .number(value.value), .number(value.error)] + Self.cells(value))
                }
                for (r, value) in separations.enumerated() {
                    positionTable?.append(
                        [.integer(e.width)] + lattice.separation(r).map(CSVCell.integer) + [.number(value.value), .number(value.error)]
                            + Self.cells(value))
                }
                ensemble.momentum = TwoPointCheck(momenta)
            }
            if moments.networks < 100 {
                warnings.append("N = \(e.width): \(moments.networks) networks are too few for the errors to be estimated reliably (raise ensemble.networks)")
            }
            ensembles.append(ensemble)
        }
        tables["correlator_pairs.csv"] = pairs
        tables["four_point.csv"] = four
        if let momentumTable { tables["correlator_k.csv"] = momentumTable }
        if let positionTable { tables["correlator_r.csv"] = positionTable }
        // The 1/N fit of each connected four-point function over the widths.
        let widths = state.ensembles.map { Double($0.width) }
        if widths.count >= 2, let first = fourByWidth.first {
            for (q, entry) in first.enumerated() {
                let values = fourByWidth.map { $0[q] }
                if let fit = PowerLawFit(x: widths, y: values.map { $0.value ?? .nan }, error: values.map { $0.error ?? .nan }) {
                    fourPointFit.append(Fit(
                        points: entry.points, amplitude: fit.amplitude, amplitudeError: fit.amplitudeError, exponent: fit.exponent,
                        exponentError: fit.exponentError, chi2: fit.chi2, degreesOfFreedom: fit.degreesOfFreedom))
                }
            }
        } else {
            notes.append("one width: give `network.width` a list of widths for the 1/N fit of the four-point functions")
        }
    }

    /// nil for a number JSON cannot hold (no error from one network, a deviation by a zero error).
    static func finite(_ x: Double) -> Double? { x.isFinite ? x : nil }

    static let valueColumns = ["value", "error", "error_of_error", "exact", "deviation"]

    static func cells(_ value: CorrelatorValue) -> [CSVCell] {
        [.number(value.value), .number(value.error), .number(value.errorOfError), .number(value.exact), .number(value.deviation)]
    }

    private mutating func summarizeDeformed(_ run: NetworkFieldTheoryRun, _ state: NetworkCheckpoint) {
        let referenceResults = state.reference?.result
        var referenceEstimates: [String: Estimate] = [:]
        if let measured = referenceResults {
            for name in Self.observableNames { referenceEstimates[name] = measured.measurements.estimates[name] }
            reference = Reference(
                samples: run.configuration.reference?.samples ?? 0, acceptance: measured.sampler.acceptance,
                observables: referenceEstimates.mapValues { MeasuredValue($0) })
            if let warning = RunDiagnostics.acceptanceWarning(measured.sampler.acceptance, what: "HMC reference's") { warnings.append(warning) }
        }
        var observableRows = CSVTable(header: ["width", "name", "mean", "error", "tau_int", "reference", "reference_error", "deviation"])
        var byName: [String: [(width: Double, value: Double, error: Double)]] = [:]
        var correlatorTables: [(String, CSVTable)] = []
        for e in state.ensembles {
            guard let measured = e.deformed?.result else { continue }
            var observables: [String: MeasuredValue] = [:]
            for name in Self.observableNames {
                guard let estimate = measured.measurements.estimates[name] else { continue }
                var o = MeasuredValue(estimate)
                if let r = referenceEstimates[name] {
                    o.compare(reference: r)
                    byName[name, default: []].append((Double(e.width), estimate.mean - r.mean, (estimate.error * estimate.error + r.error * r.error).squareRoot()))
                }
                observables[name] = o
                observableRows.append([
                    .integer(e.width), .text(name), .number(estimate.mean), .number(estimate.error), .number(estimate.tauInt), .number(o.reference ?? .nan),
                    .number(o.referenceError ?? .nan), .number(o.deviation ?? .nan),
                ])
            }
            warnings += RunDiagnostics.windowWarnings([measured.measurements.estimates.filter { Self.observableNames.contains($0.key) }], labels: [" at N = \(e.width)"])
            if let warning = RunDiagnostics.acceptanceWarning(measured.sampler.acceptance, what: "neuron redraws' (N = \(e.width))") {
                warnings.append(warning)
            }
            if let table = measured.measurements.tables["correlator_k.csv"] { correlatorTables.append(("\(e.width)", table)) }
            ensembles.append(Ensemble(
                width: e.width, networks: run.configuration.ensemble.networks, seconds: measured.seconds, acceptance: measured.sampler.acceptance,
                observables: observables))
        }
        if let table = referenceResults?.measurements.tables["correlator_k.csv"] { correlatorTables.append(("hmc", table)) }
        tables["observables.csv"] = observableRows
        if let first = correlatorTables.first?.1 {
            var stacked = CSVTable(header: ["width"] + first.header)
            for (label, table) in correlatorTables {
                for row in table.rows { stacked.append([.text(label)] + row.map(CSVCell.text)) }
            }
            tables["correlator_k.csv"] = stacked
        }
        for (name, points) in byName where points.count >= 2 {
            let (x, y, error) = (points.map(\.width), points.map(\.value), points.map(\.error))
            deviationFit[name] = DeviationFit(
                powerLaw: PowerLawFit(x: x, y: y, error: error).map { fit in
                    Fit(points: [], amplitude: fit.amplitude, amplitudeError: fit.amplitudeError, exponent: fit.exponent,
                        exponentError: fit.exponentError, chi2: fit.chi2, degreesOfFreedom: fit.degreesOfFreedom)
                },
                expansion: InverseWidthExpansion(widths: x, values: y, errors: error))
        }
        if reference == nil { notes.append("no HMC reference (reference.samples: 0): the deviations are not computed") }
    }

    /// The lines printed at the end of a run.
    func report() -> [String] {
        var lines = ["nqft nnft: \(name) (\(prior) networks)"]
        for e in ensembles {
            var line = String(format: "  N = %-6d %d networks in %.1f s", e.width, e.networks, e.seconds)
            if let rate = e.networksPerSecond { line += String(format: " (%.3g per second)", rate) }
            if let t = e.twoPoint, let chi2 = t.chi2PerPair, let deviation = t.maxAbsDeviation, let relative = t.medianRelativeError {
                line += String(format: "; G2: chi2/pair %.2f, max |dev| %.2f sigma, median rel. error %.2g", chi2, deviation, relative)
            }
            if let a = e.acceptance { line += String(format: "; acceptance %.3f", a) }
            lines.append(line)
            for f in e.fourPoint ?? [] {
                lines.append(String(
                    format: "    G4c(%@) = %.6g +- %.2g (exact %.6g, %.2f sigma)", f.points.joined(separator: ","), f.value ?? .nan, f.error ?? .nan,
                    f.exact ?? .nan, f.deviation ?? .nan))
            }
            for name in ["phi2", "chi2", "binder"] {
                if let o = e.observables?[name] {
                    var text = String(format: "    %@ = %.6g +- %.2g", name, o.mean, o.error)
                    if let r = o.reference, let dev = o.deviation { text += String(format: " (HMC %.6g, %.2f sigma)", r, dev) }
                    lines.append(text)
                }
            }
        }
        for f in fourPointFit {
            lines.append(String(
                format: "  G4c(%@) ~ N^p: p = %.4f +- %.4f (chi2 %.2f for %d dof)", f.points.joined(separator: ","), f.exponent ?? .nan, f.exponentError ?? .nan, f.chi2 ?? .nan,
                f.degreesOfFreedom))
        }
        for (name, f) in deviationFit.sorted(by: { $0.key < $1.key })
        where ["phi2", "chi2", "binder"].contains(name) && (f.expansion != nil || f.powerLaw != nil) {
            var line = "  \(name) - HMC"
            if let e = f.expansion {
                line += String(format: " = (%.4g +- %.2g)/N + (%.4g +- %.2g)/N^2 (chi2 %.2f for %d dof)", e.leading, e.leadingError, e.next, e.nextError, e.chi2, e.degreesOfFreedom)
            }
            if let p = f.powerLaw { line += String(format: "; as A N^p: p = %.3f +- %.3f", p.exponent ?? .nan, p.exponentError ?? .nan) }
            lines.append(line)
        }
        return lines
    }
}
