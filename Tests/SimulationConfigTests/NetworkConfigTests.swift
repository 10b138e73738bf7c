import SimulationConfig
import Testing

/// `mode: nnft` configs: what they resolve to and what they refuse, naming the key.
@Suite struct NetworkConfigTests {
    func issues(_ yaml: String) -> [String] {
        do {
            _ = try parseAny(yaml)
            return []
        } catch let error as ConfigError {
            return error.issues.map(\.path)
        } catch {
            return ["unexpected \(error)"]
        }
    }

    @Test func resolvesDefaults() throws {
        let run = try parseAny("""
            mode: nnft
            network: {activation: gauss, width: [3, 30]}
            lattice: {extent: [6], spacing: 0.2}
            """)
        guard let c = run as? NetworkConfiguration else { Issue.record("not an nnft run"); return }
        #expect(c.network.widths == [3, 30] && c.network.sigmaW == 1 && c.network.sigmaB == 0)
        #expect(c.ensemble.fourPoint == [[0, 0, 0, 0], [0, 0, 5, 5], [0, 1, 2, 3], [0, 2, 4, 5]])
        #expect(c.reference == nil && !c.isInteracting)
    }

    @Test func refusesWhatCannotRun() {
        #expect(issues("mode: nnft\nnetwork: {activation: erf, width: 5}\nlattice: {extent: [8]}\ntheory: {m2: 1}\n").contains("network.activation"))
        #expect(issues("mode: nnft\nnetwork: {activation: cos, width: 5}\nlattice: {extent: [8]}\ntheory: {m2: -1}\n").contains("theory.m2"))
        #expect(issues("mode: nnft\nnetwork: {activation: erf, width: 5}\nlattice: {extent: [8]}\nensemble: {four_point: [[0, 1, 2, 8]]}\n")
            .contains("ensemble.four_point[0][3]"))
        #expect(issues("mode: nnft\nnetwork: {activation: erf, width: 5}\nlattice: {extent: [32, 32]}\n").contains("lattice.extent"))
        #expect(issues("mode: nnft\nnetwork: {activation: erf, width: [5, 5]}\nlattice: {extent: [8]}\n").contains("network.width"))
        #expect(issues("mode: nnft\nnetwork: {activation: erf, width: 0}\nlattice: {extent: [8]}\n").contains("network.width"))
        #expect(issues("mode: nnft\nnetwork: {activation: erf, width: 5}\nlattice: {points: [[0.0], [1.0, 2.0]]}\n").contains("lattice.points"))
        #expect(issues("mode: nnft\nnetwork: {activation: erf, width: 5}\nlattice: {extent: [8]}\nreference: {samples: 16}\n").contains("reference"))
        #expect(issues("mode: nnft\nnetwork: {activation: cos, width: 5}\nlattice: {extent: [8]}\ntheory: {m2: 1, lambda: 1}\nensemble: {networks: 100, chains: 16}\n")
            .contains("ensemble.networks"))
        #expect(issues("mode: nnft\nnetwork: {activation: erf, width: 5}\nlattice: {extent: [8]}\nensemble: {chains: 4}\n").contains("ensemble.chains"))
        #expect(issues("mode: nnft\nnetwork: {activation: cos, width: 5}\nlattice: {extent: [8]}\ntheory: {m2: 1, lambda: 1}\nensemble: {four_point: [[0, 1, 2, 3]]}\n")
            .contains("ensemble.four_point"))
    }
}
