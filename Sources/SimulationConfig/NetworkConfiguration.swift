import Lattice
import NetworkFieldTheory

/// A validated network-field-theory run (`mode: nnft`): ensembles of random
/// one-hidden-layer networks evaluated at the sites of a lattice or at a list of
/// points, one ensemble per width, their correlators against the exact kernels;
/// with `theory`, the free lattice field as a cos-network (lambda = 0) or phi^4
/// from the network (lambda > 0: the deformed ensemble, sampled by Metropolis,
/// beside an HMC reference on the same lattice). Built only by its reader (`read`).
public struct NetworkConfiguration: Sendable, Equatable, Codable {
    /// Always `nnft` (recorded in the resolved config).
    public var mode: String
    public var name: String
    public var seed: UInt64
    public var network: NetworkSection
    public var lattice: InputSection
    public var ensemble: EnsembleSection
    public var theory: TheorySection?
    /// The HMC reference of a phi^4 network run.
    public var reference: ReferenceSection?
    public var output: OutputSection

    public struct NetworkSection: Sendable, Equatable, Codable {
        public var activation: NetworkActivation
        /// N, one ensemble each.
        public var widths: [Int]
        /// sigma_w and sigma_b of the standard parameterisation (nil with `theory`).
        public var sigmaW: Double?
        public var sigmaB: Double?

        enum CodingKeys: String, CodingKey {
            case activation
            case widths = "width"
            case sigmaW = "sigma_w"
            case sigmaB = "sigma_b"
        }
    }

    /// The inputs: a lattice's sites x = a n, or a list of points.
    public struct InputSection: Sendable, Equatable, Codable {
        public var extent: [Int]?
        public var spacing: Double?
        public var points: [[Double]]?
    }

    public struct EnsembleSection: Sendable, Equatable, Codable {
        /// Networks per width; for a phi^4 network, configurations measured per width.
        public var networks: Int
        /// Networks drawn and reduced together (independent networks; nil for phi^4).
        public var batch: Int?
        /// Index sets of the connected four-point functions (independent networks; empty for phi^4).
        public var fourPoint: [[Int]]
        /// phi^4 networks: Markov chains, sweeps discarded, sweeps between measurements.
        public var chains: Int?
        public var thermalization: Int?
        public var every: Int?

        enum CodingKeys: String, CodingKey {
            case networks, batch, chains, thermalization, every
            case fourPoint = "four_point"
        }
    }

    public struct TheorySection: Sendable, Equatable, Codable {
        public var m2: Double
        public var lambda: Double
    }

    public struct ReferenceSection: Sendable, Equatable, Codable {
        public var samples: Int
        public var chains: Int
        public var thermalization: Int
    }

    /// Whether the networks are phi^4 theory's (a deformed ensemble).
    public var isInteracting: Bool { (theory?.lambda ?? 0) > 0 }

    /// The number of inputs P.
    public var pointCount: Int { lattice.points?.count ?? lattice.extent?.reduce(1, *) ?? 0 }
}

extension NetworkInputs {
    /// The inputs a config describes: its lattice's sites at its spacing, or its points.
    public init(configuration c: NetworkConfiguration) {
        if let points = c.lattice.points {
            self.init(points: points, dimension: points.first?.count ?? 1)
        } else {
            self.init(lattice: Lattice(extent: c.lattice.extent ?? [1]), spacing: c.lattice.spacing ?? 1)
        }
    }
}
