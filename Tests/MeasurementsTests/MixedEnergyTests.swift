import Foundation
import Lattice
import Measurements
import Statistics
import Testing

@Suite struct MixedEnergyTests {
    /// Each path's record is the mean of E_L at its first and last slice (and nothing
    /// in between): with the exact free ground state as the trial, every path gives E0.
    @Test func recordsTheMeanLocalEnergyOfTheEnds() {
        let spatial = Lattice(extent: [3])
        let free = GaussianTrialState(lattice: spatial, massSquared: 0.5, coupling: 0)
        let action = EuclideanAction(lattice: Lattice(extent: [4, 3]), massSquared: 0.5, coupling: 0, temporalSpacing: 0.2, ends: free)
        var fields = FieldBatch(rows: 2, columns: 12)
        for i in 0..<24 { fields.storage[i] = sin(Double(i) * 1.7) }
        func record(_ m: MixedEnergy) -> [Double] {
            var out = [Double](repeating: 0, count: 2)
            out.withUnsafeMutableBufferPointer { m.record(MeasuredSweep(fields: fields), into: $0) }
            return out
        }
        let e0 = FreeTheory(lattice: spatial, massSquared: 0.5).groundStateEnergy
        #expect(record(MixedEnergy(action: action)).allSatisfy { abs($0 - e0) < 1e-13 * e0 })

        let trial = GaussianTrialState(lattice: spatial, massSquared: -1, coupling: 3)
        let interacting = EuclideanAction(lattice: Lattice(extent: [4, 3]), massSquared: -1, coupling: 3, temporalSpacing: 0.2, ends: trial)
        let recorded = record(MixedEnergy(action: interacting))
        for c in 0..<2 {
            let ends = fields.storage.withUnsafeBufferPointer { p in
                0.5 * (trial.localEnergy(p.baseAddress! + 12 * c) + trial.localEnergy(p.baseAddress! + 12 * c + 9))
            }
            #expect(recorded[c] == ends)
        }
    }
}
