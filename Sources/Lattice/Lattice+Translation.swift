extension Lattice {
    /// The field moved by `offset` (periodically): `out[x + offset] = field[x]`.
    public func translated(_ field: some Collection<Double>, by offset: [Int]) -> [Double] {
        precondition(field.count == volume && offset.count == dimension)
        var out = [Double](repeating: 0, count: volume)
        for (x, value) in field.enumerated() { out[site(at: zip(coordinates(of: x), offset).map(+))] = value }
        return out
    }
}
