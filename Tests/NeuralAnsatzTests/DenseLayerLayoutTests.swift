import LinearAlgebra
import NeuralAnsatz
import Testing

@Suite struct DenseLayerLayoutTests {
    /// `W` row-major then `b` in the vector; `(W | b)` as the matrix; the two
    /// conversions are inverse, and the network's parameter count is the layers'.
    @Test func segmentAndAugmentedMatrixAreInverse() {
        let layout = DenseLayerLayout(outputs: 3, inputs: 4)
        let segment = (0..<layout.count).map(Double.init)
        let m = layout.augmented(segment[...])
        #expect(m[1, 2] == segment[1 * 4 + 2])  // W_12
        #expect(m[2, 4] == segment[12 + 2])  // b_2, after the 12 weights
        #expect(layout.segment(m) == segment)
        #expect(layout.weights(segment[...]) == Matrix(rows: 3, columns: 4, storage: Array(segment[0..<12])))
        // A segment inside a longer vector.
        let padded = [-1, -1] + segment
        #expect(layout.augmented(padded[2..<(2 + layout.count)]) == m)
        let network = MultilayerPerceptron(inputs: 5, hidden: [4, 3], activation: .tanh)
        #expect(network.parameterCount == DenseLayerLayout(outputs: 4, inputs: 5).count + DenseLayerLayout(outputs: 3, inputs: 4).count + 3)
    }
}
