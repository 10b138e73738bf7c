import Foundation
import Lattice
import Testing
import TestSupport

@Suite struct LatticeGeometryTests {
    @Test(arguments: testExtents)
    func sitesAndCoordinatesAreInverse(extent: [Int]) {
        let lattice = Lattice(extent: extent)
        for x in 0..<lattice.volume { #expect(lattice.site(at: lattice.coordinates(of: x)) == x) }
        // Row-major: the last coordinate runs fastest.
        if extent.last! > 1 { #expect(lattice.coordinates(of: 1) == [Int](repeating: 0, count: extent.count - 1) + [1]) }
    }

    @Test(arguments: testExtents)
    func neighboursFollowTheLiteralPeriodicRule(extent: [Int]) {
        let lattice = Lattice(extent: extent)
        let table = lattice.neighbours
        let v = lattice.volume
        for x in 0..<v {
            for mu in 0..<lattice.dimension {
                var up = lattice.coordinates(of: x)
                up[mu] = (up[mu] + 1) % extent[mu]
                #expect(table.forward[mu * v + x] == lattice.site(at: up))
                #expect(table.backward[mu * v + table.forward[mu * v + x]] == x)
                if extent[mu] == 1 { #expect(table.forward[mu * v + x] == x) }
                if extent[mu] == 2 { #expect(table.forward[mu * v + x] == table.backward[mu * v + x]) }
            }
        }
    }

    @Test(arguments: testExtents)
    func momentaLieInTheBrillouinZone(extent: [Int]) {
        let lattice = Lattice(extent: extent)
        for i in 0..<lattice.volume {
            let n = lattice.modeNumbers(ofMomentum: i)
            for (mu, k) in lattice.momentum(i).enumerated() {
                #expect(k > -Double.pi && k <= Double.pi)
                #expect(2 * n[mu] > -extent[mu] && 2 * n[mu] <= extent[mu])
            }
            let khat2 = lattice.momentum(i).reduce(0) { $0 + 4 * pow(sin($1 / 2), 2) }
            #expect(isClose(lattice.latticeMomentumSquared(i), khat2, relative: 1e-15))
        }
        // Spot values: k = pi along an even extent has khat^2 = 4.
        let chain = Lattice(extent: [6])
        #expect(chain.momentum(3) == [Double.pi])
        #expect(isClose(chain.latticeMomentumSquared(3), 4, relative: 1e-15))
        #expect(chain.modeNumbers(ofMomentum: 4) == [-2])
    }
}
