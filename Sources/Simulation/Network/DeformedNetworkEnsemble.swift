import Execution
import Lattice
import NetworkFieldTheory
import Parallelism

/// A phi^4 network's deformed ensemble (`DeformedNetworkChains`) as an
/// ensemble's sampler: a round is one sweep of neuron redraws per chain.
struct DeformedNetworkEnsemble: EnsembleSampler {
    let chains: DeformedNetworkChains
    let count: Int
    let seed: UInt64
    let parallelism: Parallelism

    func initialChains() -> [DeformedNetworkChains.Chain] { chains.initialChains(count, seed: seed) }

    func store(_ chains: [DeformedNetworkChains.Chain]) -> EnsembleChains { .network(chains) }

    func load(_ stored: EnsembleChains) -> [DeformedNetworkChains.Chain]? {
        guard case .network(let list) = stored else { return nil }
        return list
    }

    func thermalize(_ list: inout [DeformedNetworkChains.Chain], rounds: Int, after done: Int, stop: StopCheck) throws {
        _ = try chains.sample(&list, records: 1, every: rounds, stop: stop, parallelism: parallelism)
    }

    func sample(
        _ list: inout [DeformedNetworkChains.Chain], records: Int, every: Int, stop: StopCheck, record: (FieldBatch) throws -> Void
    ) throws {
        let series = try chains.sample(&list, records: records, every: every, stop: stop, parallelism: parallelism)
        let n = list.count, v = chains.prior.inputs.count
        var batch = FieldBatch(rows: n, columns: v)
        for r in 0..<records {
            for c in 0..<n { for x in 0..<v { batch.storage[c * v + x] = series[c][r * v + x] } }
            try record(batch)
        }
    }

    /// About 10^7 neuron-site operations (a second's work is ~10^8; a unit keeps a
    /// chain's records per block as its sampler makes them).
    func roundsPerUnit(_ list: [DeformedNetworkChains.Chain]) -> Int {
        max(1, 10_000_000 / max(1, chains.prior.width * chains.prior.inputs.count * list.count))
    }

    func resetCounters(_ list: inout [DeformedNetworkChains.Chain]) {
        for c in list.indices {
            list[c].accepted = 0
            list[c].proposed = 0
        }
    }

    func diagnostics(_ list: [DeformedNetworkChains.Chain]) -> SamplerDiagnostics {
        SamplerDiagnostics(kind: "deformed-network", acceptance: DeformedNetworkChains.acceptance(list))
    }
}
