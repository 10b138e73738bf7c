import Foundation
import Yams

extension GroundStateConfiguration: RunDescription {
    public static let modes = ["ground-state"]

    /// Largest extent per direction, and largest volume, that a config may ask for.
    public static let maximumExtent = 1024
    public static let maximumVolume = 1 << 20

    /// Reads every section in turn; later sections' defaults and checks depend
    /// on earlier ones (the sweep on the volume, the learning rate on m2 and the
    /// ansatz, sample counts on the chains), so the order is the file's.
    public static func read(_ document: ConfigDocument, _ r: ConfigReader) -> Self? {
        let top = ["name", "seed", "lattice", "theory", "ansatz", "sampler", "optimizer", "evaluation", "output"]
        guard let doc = document.topLevel(top, r) else { return nil }
        let root = document.root
        let name = document.name(doc["name"], r)
        let seed = document.seed(doc["seed"], r)
        let lattice = LatticeSection.read(doc["lattice"], in: root, r)
        let theory = TheorySection.read(doc["theory"], in: root, r)
        let ansatz = AnsatzSection.read(doc["ansatz"], theory: theory, r)
        let sampler = SamplerSection.read(doc["sampler"], lattice: lattice, r)
        let optimizer = OptimizerSection.read(
            doc["optimizer"], lattice: lattice, theory: theory, ansatz: ansatz, chains: sampler.chains, r)
        let evaluation = EvaluationSection.read(doc["evaluation"], chains: sampler.chains, r)
        let output = OutputSection.read(doc["output"], name: name, r)
        guard let lattice, let theory else { return nil }
        return GroundStateConfiguration(
            name: name, seed: seed, lattice: lattice, theory: theory, ansatz: ansatz, sampler: sampler,
            optimizer: optimizer, evaluation: evaluation, output: output)
    }

    /// Samples are drawn a sweep at a time, one per chain, so a sample count must
    /// be a whole number of sweeps.
    static func checkMultiple(_ samples: Int, of chains: Int, path: String, node: Node?, _ r: ConfigReader) {
        if samples % chains != 0 || samples < chains {
            r.report(path, node, "\(samples) is not a positive multiple of sampler.chains = \(chains) (samples are drawn one per chain per sweep)")
        }
    }
}
