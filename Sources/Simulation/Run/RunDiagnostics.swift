import Foundation
import Statistics

/// The warnings every kind of run gives from its own diagnostics, in one
/// vocabulary: a sampler whose chains barely moved, and an autocorrelation that
/// outlasted the Gamma method's window (its error is then a lower bound).
enum RunDiagnostics {
    /// One warning per sampler whose acceptance is below `SamplerDiagnostics.minimumAcceptance`.
    static func samplerWarnings(_ samplers: [SamplerDiagnostics], labels: [String]) -> [String] {
        zip(samplers, labels).compactMap { d, label in
            acceptanceWarning(d.acceptance, what: "\(d.kind)\(label)")
        }
    }

    /// The warning for an acceptance below the threshold, or nil.
    static func acceptanceWarning(_ acceptance: Double, what: String) -> String? {
        guard !(acceptance >= SamplerDiagnostics.minimumAcceptance) else { return nil }
        return String(
            format: "the %@ acceptance is %.4f (below %.0f%%): the chains barely move, so the measured values and their errors cannot be trusted",
            what, acceptance, 100 * SamplerDiagnostics.minimumAcceptance)
    }

    /// One warning per estimate whose window reached its limit (with a nonzero error).
    static func windowWarnings(_ estimates: [[String: Estimate]], labels: [String]) -> [String] {
        var warnings: [String] = []
        for (list, label) in zip(estimates, labels) {
            for (key, e) in list.sorted(by: { $0.key < $1.key }) where e.windowAtLimit == true && e.error > 0 {
                warnings.append(windowWarning(key + label, e))
            }
        }
        return warnings
    }

    static func windowWarning(_ what: String, _ e: Estimate) -> String {
        String(
            format: "%@: the autocorrelation had not decayed within the Gamma method's window (tau_int %.3g): its error is a lower bound; measure more samples",
            what, e.tauInt)
    }
}
