import Lattice
import SimulationConfig
import Testing

/// `mode: euclidean` and `mode: path-integral` configs: defaults, the conventions'
/// mapping, and refusals that name the key.
struct EuclideanConfigTests {
    func issues(_ yaml: String) -> [ConfigIssue] {
        do {
            _ = try parseAny(yaml)
            return []
        } catch let error as ConfigError {
            return error.issues
        } catch {
            Issue.record("unexpected error \(error)")
            return []
        }
    }

    func field(_ yaml: String) throws -> EuclideanConfiguration {
        guard let c = try parseAny(yaml) as? EuclideanConfiguration else {
            Issue.record("not a field run")
            throw ConfigError(file: "", issues: [])
        }
        return c
    }

    @Test func flowConventionMapsOntoTheProject() throws {
        let c = try field("mode: euclidean\nlattice: {extent: [8, 8]}\ntheory: {convention: flow, m2: -4, lambda: 8}\n")
        #expect(c.mappedTheory == ActionConvention.Mapped(massSquared: -4, coupling: 48, fieldScale: 2.0.squareRoot()))
        #expect(c.sampler.kind == .hmc && c.sampler.integrator == .omelyan && !c.sampler.fourierAcceleration)
        #expect(c.measurement.samples == 16384 && c.output.directory == "runs/t")
        #expect(c.action().lattice.extent == [8, 8])
    }

    @Test func hoppingConventionMapsOntoTheProject() throws {
        let c = try field("mode: euclidean\nlattice: {extent: [4, 4, 4, 4]}\ntheory: {convention: hopping, kappa: 0.125, lambda: 0.5}\n")
        let m = c.mappedTheory
        #expect(abs(m.massSquared - ((1 - 1) / 0.125 - 8)) < 1e-12)
        #expect(abs(m.coupling - 6 * 0.5 / (0.125 * 0.125)) < 1e-9)
    }

    @Test func pathIntegralBuildsTheTimeSlicedLattice() throws {
        let c = try field(
            "mode: path-integral\nlattice: {extent: [4]}\ntheory: {m2: 1, lambda: 6}\npath_integral: {spacings: [0.5, 0.25, 0.125], beta: 8}\n")
        #expect(c.sampler.fourierAcceleration)
        let action = c.action(spacing: 0.25)
        // beta/eps = 32 links between 33 slices, open, the Hartree state at the ends.
        #expect(action.lattice.extent == [33, 4] && action.temporalSpacing == 0.25)
        #expect(action.ends?.lattice.extent == [4])
        #expect(c.resolvedAccelerationMass == action.ends?.effectiveMassSquared)
    }

    static func flow(_ extent: String, _ keys: String) -> String {
        "mode: euclidean\nlattice: {extent: \(extent)}\ntheory: {m2: -1, lambda: 6}\nsampler: {kind: flow}\nflow: {\(keys)}\n"
    }

    @Test(arguments: [
        ("mode: euclid\nlattice: {extent: [4]}\ntheory: {m2: 1, lambda: 0}\n", "mode"),
        ("mode: euclidean\nlattice: {extent: [4]}\ntheory: {m2: 1, lambda: 0}\nsampler: {hmc_trajectories: 2}\n", "sampler.hmc_trajectories"),
        ("mode: euclidean\nlattice: {extent: [2, 2, 2, 2, 2]}\ntheory: {m2: 1, lambda: 0}\n", "lattice.extent"),
        ("mode: euclidean\nlattice: {extent: [4]}\ntheory: {m2: -1, lambda: 0}\n", "theory.m2"),
        ("mode: euclidean\nlattice: {extent: [4]}\ntheory: {convention: hopping, m2: 1, lambda: 0}\n", "theory.m2"),
        ("mode: euclidean\nlattice: {extent: [4]}\ntheory: {m2: 1, lambda: 0}\npath_integral: {beta: 4}\n", "path_integral"),
        ("mode: path-integral\nlattice: {extent: [4]}\ntheory: {m2: 1, lambda: 0}\npath_integral: {spacings: [0.1]}\n", "path_integral.spacings"),
        ("mode: path-integral\nlattice: {extent: [4]}\ntheory: {m2: 1, lambda: 0}\npath_integral: {spacings: [0.1, 0.05, 5], beta: 6}\n", "path_integral.spacings[2]"),
        ("mode: euclidean\nlattice: {extent: [4]}\ntheory: {m2: 1, lambda: 0}\nsampler: {chains: 3}\nmeasurement: {samples: 10}\n", "measurement.samples"),
        ("mode: euclidean\nlattice: {extent: [4]}\ntheory: {m2: 1, lambda: 0}\nsampler: {jitter: 1.5}\n", "sampler.jitter"),
        ("mode: euclidean\nlattice: {extent: [4]}\ntheory: {m2: 1, lambda: 0}\noptimizer: {steps: 3}\n", "optimizer"),
        // A flow's keys: each architecture's own, the kernel coupling's even extents, the schedule.
        (Self.flow("[8, 8]", "kind: real-nvp, features: 4"), "flow.features"),
        (Self.flow("[8, 8]", "kind: kernel-coupling, hidden: [8]"), "flow.hidden"),
        (Self.flow("[8, 7]", "kind: kernel-coupling"), "lattice.extent"),
        (Self.flow("[8, 8]", "kind: kernel-coupling, schedule: [{extent: [4, 5], steps: 10}, {extent: [8, 8], steps: 10}]"), "flow.schedule"),
        (Self.flow("[8, 8]", "schedule: [{extent: [4, 4], steps: 10}]"), "flow.schedule"),
        (Self.flow("[8, 8]", "schedule: []"), "flow.schedule"),
        (Self.flow("[8, 8]", "steps: 10, schedule: [{extent: [8, 8], steps: 10}]"), "flow.steps"),
        (Self.flow("[8, 8]", "schedule: [{extent: [4], steps: 10}, {extent: [8, 8], steps: 10}]"), "flow.schedule[0].extent"),
        (Self.flow("[8, 8]", "schedule: [{extent: [4, 4]}, {extent: [8, 8], steps: 10}]"), "flow.schedule[0].steps"),
        (Self.flow("[8, 8]", "initial: ''"), "flow.initial"),
        (Self.flow("[8, 8]", "validation_samples: 1"), "flow.validation_samples"),
    ])
    func refusesNamingTheKey(yaml: String, key: String) {
        let found = issues(yaml)
        #expect(found.contains { $0.path == key }, "\(found.map(\.path))")
    }
}
