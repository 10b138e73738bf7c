import Yams

extension GroundStateConfiguration.LatticeSection {
    /// `lattice: {extent: [L_1, ..., L_d]}`: 1 to 3 extents in 1..1024, at most 2^20 sites.
    static func read(_ node: Node?, in root: Node, _ r: ConfigReader) -> Self? {
        if node == nil { r.report("lattice", root, "is required (e.g. `lattice: {extent: [16]}`)") }
        guard let lattice = r.mapping(node, path: "lattice", allowed: ["extent"]) else { return nil }
        if lattice["extent"] == nil { r.report("lattice.extent", node, "is required: a list of 1 to 3 extents") }
        guard let items = r.sequence(lattice["extent"], path: "lattice.extent", expected: "a list of 1 to 3 integers") else {
            return nil
        }
        guard (1...3).contains(items.count) else {
            r.report("lattice.extent", lattice["extent"], "has \(items.count) entries; a lattice has 1, 2 or 3 dimensions")
            return nil
        }
        let values = items.enumerated().map { i, item in
            r.integer(item, path: "lattice.extent[\(i)]", in: 1...GroundStateConfiguration.maximumExtent)
        }
        let extent = values.compactMap { $0 }
        guard extent.count == values.count else { return nil }
        let volume = extent.reduce(1, *)
        guard volume <= GroundStateConfiguration.maximumVolume else {
            r.report("lattice.extent", node, "\(extent) has \(volume) sites; at most \(GroundStateConfiguration.maximumVolume) are allowed")
            return nil
        }
        return Self(extent: extent)
    }
}
