/// The activation sigma of a network's hidden layer (Halverson, Maiti and Stoner,
/// arXiv:2008.08601, §3): its raw value is the config's spelling.
public enum NetworkActivation: String, Sendable, Codable, CaseIterable {
    case erf
    case relu
    /// The Gauss-net: exp(z - Var z(x)), so that the kernel is translation invariant.
    case gauss
    case cos

    /// The C kernel's code (network_fields.h).
    var kernelCode: Int32 {
        switch self {
        case .erf: 0
        case .relu: 1
        case .gauss: 2
        case .cos: 3
        }
    }
}
