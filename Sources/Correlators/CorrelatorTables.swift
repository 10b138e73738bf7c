import Output

/// The correlators as the run directory's CSV files (docs/CONVENTIONS.md §3).
extension CorrelatorResult {
    public static let momentumFile = "correlator_k.csv"
    public static let positionFile = "correlator_r.csv"

    /// correlator_k.csv: `n_1..n_d`, `k_1..k_d`, `khat2`, `G`, `G_err`,
    /// `G_tau_int`, `G_c`, `G_c_err`, `omega_gauss`, `omega_gauss_err` (ground
    /// states), and `G_free` for the free theory.
    public func momentumTable(dimension d: Int) -> CSVTable {
        let hasFree = momentum.first?.free != nil
        let hasOmega = momentum.first?.gaussianFrequency != nil
        var header = CSVTable.columns("n", d) + CSVTable.columns("k", d)
        header += ["khat2", "G", "G_err", "G_tau_int", "G_c", "G_c_err"]
        if hasOmega { header += ["omega_gauss", "omega_gauss_err"] }
        if hasFree { header.append("G_free") }
        var table = CSVTable(header: header)
        for r in momentum {
            var cells = r.modeNumbers.map(CSVCell.integer) + r.momentum.map(CSVCell.number)
            cells += [
                .number(r.latticeMomentumSquared), .number(r.correlator.mean), .number(r.correlator.error),
                .number(r.correlator.tauInt), .number(r.connected.mean), .number(r.connected.error),
            ]
            if let omega = r.gaussianFrequency { cells += [.number(omega.mean), .number(omega.error)] }
            if let free = r.free { cells.append(.number(free)) }
            table.append(cells)
        }
        return table
    }

    /// correlator_r.csv: `r_1..r_d`, `G`, `G_err`, `G_tau_int`, and `G_free` for the free theory.
    public func positionTable(dimension d: Int) -> CSVTable {
        let hasFree = position.first?.free != nil
        var table = CSVTable(header: CSVTable.columns("r", d) + ["G", "G_err", "G_tau_int"] + (hasFree ? ["G_free"] : []))
        for r in position {
            var cells = r.separation.map(CSVCell.integer)
            cells += [.number(r.correlator.mean), .number(r.correlator.error), .number(r.correlator.tauInt)]
            if let free = r.free { cells.append(.number(free)) }
            table.append(cells)
        }
        return table
    }
}
