import Simulation
import SimulationConfig
import Testing

/// `evaluation.target_error` / `target_relative_error` sample until the energy's
/// error reaches the target or a cap stops them (then a warning says so);
/// `optimizer.target_variance` ends the optimisation where the recent variance
/// per site reaches it. Every case starts from a first round that misses the target.
@Suite struct PrecisionTargetTests {
    /// An interacting chain with the plain Gaussian: a variance that no step removes.
    func configuration(evaluation: String, optimizer: String = "") throws -> GroundStateConfiguration {
        try GroundStateConfiguration.parse(
            yaml: """
                seed: 5
                lattice: {extent: [4]}
                theory: {m2: 1, lambda: 6}
                sampler: {chains: 16, sweep: 4}
                optimizer: {steps: 40, samples: 256, learning_rate: 0.1\(optimizer)}
                evaluation: {\(evaluation)}
                """, defaultName: "precision")
    }

    @Test func relativeTargetIsReached() throws {
        let c = try configuration(evaluation: "samples: 1024, target_relative_error: 3.0e-4, max_samples: 262144")
        let result = try GroundStateRun(configuration: c).run()
        let e = result.energy
        let precision = try #require(result.precision)
        #expect(precision.reached && precision.limit == nil)
        #expect(abs(precision.target - 3e-4 * abs(e.mean)) < 1e-15 * abs(e.mean))
        #expect(e.error <= precision.target, "\(e.error) > \(precision.target)")
        // The first round (1024 samples) did not reach it: the rounds did.
        #expect(e.count > 1024 && e.count % 16 == 0)
        // Not far past it either: rounds grow by at most 4x and aim 10% beyond the need.
        #expect(e.error > 0.3 * precision.target, "\(e.error) vs \(precision.target)")
        #expect(result.warnings.isEmpty, "\(result.warnings)")
    }

    @Test func absoluteTargetStopsAtTheSampleCap() throws {
        let c = try configuration(evaluation: "samples: 1024, target_error: 1.0e-7, max_samples: 3072")
        let result = try GroundStateRun(configuration: c).run()
        let precision = try #require(result.precision)
        #expect(!precision.reached && precision.limit == .maxSamples)
        #expect(result.energy.count == 3072)
        #expect(precision.samplesNeeded > 3072)
        #expect(result.warnings.contains { $0.contains("did not reach the target") && $0.contains("max_samples = 3072") },
                "\(result.warnings)")
    }

    @Test func timeCapStopsTheRounds() throws {
        let c = try configuration(evaluation: "samples: 1024, target_error: 1.0e-9, max_samples: 16777216, max_seconds: 0.5")
        let result = try GroundStateRun(configuration: c).run()
        let precision = try #require(result.precision)
        #expect(!precision.reached && precision.limit == .maxSeconds)
        #expect(result.energy.count < c.evaluation.sampleCap)
        #expect(result.warnings.contains { $0.contains("max_seconds") }, "\(result.warnings)")
    }

    @Test func withoutTargetTheSamplesAreExact() throws {
        let result = try GroundStateRun(configuration: try configuration(evaluation: "samples: 1024")).run()
        #expect(result.precision == nil && result.energy.count == 1024)
    }

    @Test func varianceTargetEndsTheOptimisation() throws {
        // The Gaussian starts at a = 1 (variance per site ~0.1 here) and settles near 0.02.
        let c = try configuration(evaluation: "samples: 1024", optimizer: ", target_variance: 0.05")
        let result = try GroundStateRun(configuration: c).run()
        let step = try #require(result.targetVarianceStep)
        #expect(step >= 10 && step < 40 && result.history.count == step)
        let recent = result.history.suffix(10).map(\.energy.variance).reduce(0, +) / 40
        #expect(recent <= 0.05)
        let before = result.history.dropLast().suffix(10).map(\.energy.variance).reduce(0, +) / 40
        #expect(step == 10 || before > 0.05)
        #expect(result.warnings.isEmpty, "\(result.warnings)")
    }

    @Test func unreachableVarianceTargetIsFlagged() throws {
        let c = try configuration(evaluation: "samples: 1024", optimizer: ", target_variance: 1.0e-9")
        let result = try GroundStateRun(configuration: c).run()
        #expect(result.targetVarianceStep == nil && result.history.count == 40)
        #expect(result.warnings.contains { $0.contains("target_variance") }, "\(result.warnings)")
    }
}
