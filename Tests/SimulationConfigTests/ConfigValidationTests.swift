import Foundation
import SimulationConfig
import Testing
import TestSupport

@Suite struct ConfigValidationTests {
    let minimal = "lattice: {extent: [8]}\ntheory: {m2: 1.0, lambda: 0.0}\n"

    func issues(_ yaml: String) -> [ConfigIssue] {
        do {
            _ = try GroundStateConfiguration.parse(yaml: yaml, defaultName: "t")
            return []
        } catch let error as ConfigError {
            return error.issues
        } catch {
            Issue.record("unexpected error \(error)")
            return []
        }
    }

    @Test func bundledConfigsValidate() throws {
        #expect(bundledConfigs.count >= 4)
        for url in bundledConfigs {
            let name = try ConfigFile.load(path: url.path, kinds: allKinds).name
            #expect(name == url.deletingPathExtension().lastPathComponent, "\(url.lastPathComponent)")
        }
    }

    @Test func defaultsFillEveryKeyButLatticeAndTheory() throws {
        let config = try GroundStateConfiguration.parse(yaml: minimal, defaultName: "mini")
        #expect(config.name == "mini" && config.seed == 1234)
        #expect(config.sampler.sweep == 8)  // default: one proposal per site
        #expect(config.optimizer.kind == .sr && config.optimizer.diagShift == 1e-3)
        #expect(config.output.directory == "runs/mini")
    }

    @Test(arguments: [
        ("lattice: {extent: [8]}\ntheory: {m2: 1.0, lambda: 0.0}\nsampler: {chain: 4}\n", "sampler.chain", "did you mean `chains`"),
        ("lattice: {extent: [8, -2]}\ntheory: {m2: 1.0, lambda: 0.0}\n", "lattice.extent[1]", "-2"),
        ("lattice: {extent: [8]}\ntheory: {m2: 0.0, lambda: 0.0}\n", "theory.m2", "m2 > 0"),
        ("lattice: {extent: [8]}\ntheory: {m2: -1, lambda: 0}\n", "theory.m2", "lambda = 0"),
        ("lattice: {extent: [8]}\ntheory: {m2: 1.0, lambda: -1}\n", "theory.lambda", "from 0 to 1e8"),
        ("lattice: {extent: [8]}\ntheory: {m2: one, lambda: 0}\n", "theory.m2", "`one`"),
        ("lattice: {extent: [2, 2, 2, 2]}\ntheory: {m2: 1, lambda: 0}\n", "lattice.extent", "1, 2 or 3"),
        ("lattice: {extent: [8]}\ntheory: {m2: 1, lambda: 0}\noptimizer: {samples: 100}\n", "optimizer.samples", "multiple of sampler.chains"),
        ("lattice: {extent: [8]}\ntheory: {m2: 1, lambda: 0}\noptimizer: {learning_rate: 0}\n", "optimizer.learning_rate", "> 0"),
        ("lattice: {extent: [8]}\ntheory: {m2: 1, lambda: 0}\noptimizer: {kind: adam, diag_shift: 0.1}\n", "optimizer.diag_shift", "only for `optimizer.kind: sr`"),
        ("lattice: {extent: [8]}\ntheory: {m2: 1, lambda: 0}\nansatz: {kind: rbm}\n", "ansatz.kind", "gaussian"),
        ("lattice: {extent: [8]}\ntheory: {m2: 1, lambda: 0}\nsampler: {chains: 2.5}\n", "sampler.chains", "integer"),
        ("lattice: {extent: [8]}\n", "theory", "required"),
        ("theory: {m2: 1, lambda: 0}\n", "lattice", "required"),
        ("lattice: {extent: [8]}\ntheory: {m2: .nan, lambda: 0}\n", "theory.m2", "finite"),
        ("lattice: {extent: [8]}\ntheory: {m2: 1, lambda: 0}\nbogus: 1\n", "bogus", "unknown key"),
        ("lattice: {extent: [8]}\ntheory: {m2: 1, lambda: 1}\nansatz: {kind: gaussian, hidden: [8]}\n", "ansatz.hidden", "gaussian-mlp"),
        ("lattice: {extent: [8]}\ntheory: {m2: 1, lambda: 1}\nansatz: {kind: gaussian-mlp, hidden: [8, 0]}\n", "ansatz.hidden[1]", "1 to 4096"),
        ("lattice: {extent: [8]}\ntheory: {m2: 1, lambda: 1}\nansatz: {kind: gaussian-mlp, activation: relu}\n", "ansatz.activation", "tanh, softplus, silu"),
        ("lattice: {extent: [8]}\ntheory: {m2: 1, lambda: 1}\nansatz: {kind: gaussian-mlp, symmetrize: yes}\n", "ansatz.symmetrize", "true, false or superposition"),
        ("lattice: {extent: [8]}\ntheory: {m2: 1, lambda: 1}\nansatz: {kind: gaussian-mlp, kernel: 3}\n", "ansatz.kernel", "symmetric"),
        ("lattice: {extent: [8]}\ntheory: {m2: 1, lambda: 1}\noptimizer: {diag_shift: 0, diag_shift_final: 1.0e-4}\n", "optimizer.diag_shift_final", "diag_shift > 0"),
        ("lattice: {extent: [8]}\ntheory: {m2: 1, lambda: 1}\nsampler: {kind: hmc}\n", "sampler.kind", "metropolis, mala"),
        ("lattice: {extent: [8]}\ntheory: {m2: 1, lambda: 1}\noptimizer: {gaussian_steps: 5}\n", "optimizer.gaussian_steps", "neural"),
        ("lattice: {extent: [8]}\ntheory: {m2: 1, lambda: 1}\noptimizer: {kind: adam, max_step: 1}\n", "optimizer.max_step", "only for"),
        ("lattice: {extent: [8]}\ntheory: {m2: 1, lambda: 1}\noptimizer: {max_step: 0}\n", "optimizer.max_step", "> 0"),
        ("lattice: {extent: [8]}\ntheory: {m2: 1, lambda: 0}\nansatz: {kind: symmetric, tail: true}\n", "ansatz.tail", "lambda > 0"),
        // Settings no run can use: a frozen sampler, a step that cannot be taken.
        ("lattice: {extent: [8]}\ntheory: {m2: 1, lambda: 0}\nsampler: {target_acceptance: 1.0e-300}\n", "sampler.target_acceptance", "0.05 to 0.95"),
        ("lattice: {extent: [8]}\ntheory: {m2: 1, lambda: 0}\nsampler: {target_acceptance: 0.99}\n", "sampler.target_acceptance", "0.05 to 0.95"),
        ("lattice: {extent: [8]}\ntheory: {m2: 1, lambda: 0}\noptimizer: {learning_rate: 1.0e308}\n", "optimizer.learning_rate", "<= 100"),
        ("lattice: {extent: [8]}\ntheory: {m2: 1, lambda: 0}\noptimizer: {learning_rate_final: 1000}\n", "optimizer.learning_rate_final", "<= 100"),
        // Only decimal numbers: no hex, no digit separators, no strings in disguise.
        ("lattice: {extent: [8]}\ntheory: {m2: 1, lambda: 0}\nsampler: {chains: 0x10}\n", "sampler.chains", "`0x10`"),
        ("lattice: {extent: [8]}\ntheory: {m2: 1, lambda: 0}\nsampler: {chains: 1_6}\n", "sampler.chains", "integer"),
        ("lattice: {extent: [8]}\ntheory: {m2: 1__0.5_, lambda: 0}\n", "theory.m2", "decimal number"),
        ("lattice: {extent: [8]}\ntheory: {m2: 0x1p3, lambda: 0}\n", "theory.m2", "decimal number"),
        ("lattice: {extent: [8]}\ntheory: {m2: 1, lambda: 0}\nsampler: {chains: !!str 4}\n", "sampler.chains", "integer"),
        ("lattice: {extent: [8]}\ntheory: {m2: !!str 1.5, lambda: 0}\n", "theory.m2", "decimal number"),
        ("lattice: {extent: [8]}\ntheory: {m2: 1, lambda: 0}\nansatz: {kind: gaussian-mlp, symmetrize: !!str true}\n", "ansatz.symmetrize", "true, false or superposition"),
        // Precision targets: one kind at a time, caps only with a target.
        ("lattice: {extent: [8]}\ntheory: {m2: 1, lambda: 0}\nevaluation: {target_error: 1.0e-4, target_relative_error: 1.0e-5}\n", "evaluation.target_relative_error", "not both"),
        ("lattice: {extent: [8]}\ntheory: {m2: 1, lambda: 0}\nevaluation: {target_relative_error: 1}\n", "evaluation.target_relative_error", "< 1"),
        ("lattice: {extent: [8]}\ntheory: {m2: 1, lambda: 0}\nevaluation: {target_error: 0}\n", "evaluation.target_error", "> 0"),
        ("lattice: {extent: [8]}\ntheory: {m2: 1, lambda: 0}\nevaluation: {max_samples: 65536}\n", "evaluation.max_samples", "needs evaluation.target_error"),
        ("lattice: {extent: [8]}\ntheory: {m2: 1, lambda: 0}\nevaluation: {samples: 4096, target_error: 0.1, max_samples: 1024}\n", "evaluation.max_samples", "below evaluation.samples"),
        ("lattice: {extent: [8]}\ntheory: {m2: 1, lambda: 0}\nevaluation: {target_error: 0.1, max_samples: 100}\n", "evaluation.max_samples", "multiple of sampler.chains"),
        ("lattice: {extent: [8]}\ntheory: {m2: 1, lambda: 0}\nevaluation: {target_error: 0.1, max_seconds: -1}\n", "evaluation.max_seconds", "> 0"),
        ("lattice: {extent: [8]}\ntheory: {m2: 1, lambda: 0}\noptimizer: {target_variance: 0}\n", "optimizer.target_variance", "> 0"),
        // The run name stays inside runs/.
        ("name: ../x\nlattice: {extent: [8]}\ntheory: {m2: 1, lambda: 0}\n", "name", "one file name"),
        ("name: ..\nlattice: {extent: [8]}\ntheory: {m2: 1, lambda: 0}\n", "name", "one file name"),
    ] as [(String, String, String)])
    func badConfigsNameTheKey(yaml: String, path: String, fragment: String) {
        let found = issues(yaml)
        #expect(found.contains { $0.path == path && $0.description.contains(fragment) }, "\(found)")
    }

    /// Decimal notation in all its ordinary forms is still a number.
    @Test func decimalNumbersInEveryOrdinaryForm() throws {
        for (text, value) in [("1", 1.0), ("-0.5", -0.5), ("+2.", 2.0), (".25", 0.25), ("1e-3", 1e-3), ("2.5E+2", 250.0)] {
            let config = try GroundStateConfiguration.parse(
                yaml: "lattice: {extent: [8]}\ntheory: {m2: \(text), lambda: 1}\n", defaultName: "t")
            #expect(config.theory.m2 == value, "\(text)")
        }
        #expect(try GroundStateConfiguration.parse(yaml: minimal + "seed: 0042\n", defaultName: "t").seed == 42)
    }

    @Test func neuralDefaults() throws {
        let config = try GroundStateConfiguration.parse(
            yaml: minimal + "ansatz: {kind: symmetric}\noptimizer: {learning_rate_final: 0.01}\n", defaultName: "n")
        #expect(config.ansatz.hidden == [32] && config.ansatz.activation == .tanh && config.ansatz.symmetrize == .even)
        #expect(config.ansatz.kernel == 3 && config.optimizer.learningRateFinal == 0.01)
        #expect(config.optimizer.gaussianSteps == 100 && config.ansatz.tail == false)  // lambda = 0: no tail
    }

    @Test func syntaxErrorsGiveLineAndColumn() {
        let found = issues("lattice:\n  extent: [8\ntheory: {m2: 1}\n")
        #expect(found.count == 1)
        #expect(found.first?.line != nil && found.first?.description.contains("YAML syntax error") == true, "\(found)")
    }

    @Test func everyProblemIsReportedAtOnce() {
        let found = issues("lattice: {extent: [0]}\ntheory: {m2: 1, lambda: -2}\nsampler: {chains: 0}\n")
        #expect(Set(found.map(\.path)) == ["lattice.extent[0]", "theory.lambda", "sampler.chains"], "\(found)")
    }

    @Test func emptyFileIsAnError() {
        #expect(issues("").first?.message.contains("empty") == true)
    }
}
