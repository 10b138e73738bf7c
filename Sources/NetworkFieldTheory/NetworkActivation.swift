import CActivations

/// The activation sigma of a network's hidden layer (Halverson, Maiti and Stoner,
/// arXiv:2008.08601, §3): its raw value is the config's spelling.
public enum NetworkActivation: String, Sendable, Codable, CaseIterable {
    case erf
    case relu
    /// The Gauss-net: exp(z - Var z(x)), so that the kernel is translation invariant.
    case gauss
    case cos

    /// The C kernel's activation (network_fields.h).
    var kernelCode: nqft_network_activation {
        switch self {
        case .erf: NQFT_NETWORK_ERF
        case .relu: NQFT_NETWORK_RELU
        case .gauss: NQFT_NETWORK_GAUSS
        case .cos: NQFT_NETWORK_COS
        }
    }
}
