import LinearAlgebra

/// A batch of real lattice fields, one per row: `B x V`, sample after sample,
/// each field row-major over the lattice. Being a `Matrix`, a batch enters BLAS
/// calls without copying.
public typealias FieldBatch = Matrix

extension Matrix {
    /// The number of fields in a batch.
    public var sampleCount: Int { rows }
    /// The number of sites of each field.
    public var siteCount: Int { columns }
}
