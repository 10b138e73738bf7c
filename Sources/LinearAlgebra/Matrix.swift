import Parallelism

/// A dense, row-major matrix of doubles: element (i, j) is `storage[i * columns + j]`.
///
/// Row-major matches a batch of lattice fields stored sample after sample, so a
/// `B x V` batch is a `Matrix` without copying.
public struct Matrix: Sendable, Equatable {
    public let rows: Int
    public let columns: Int
    public var storage: [Double]

    public init(rows: Int, columns: Int, repeating value: Double = 0) {
        precondition(rows >= 0 && columns >= 0)
        self.rows = rows
        self.columns = columns
        storage = [Double](repeating: value, count: rows * columns)
    }

    public init(rows: Int, columns: Int, storage: [Double]) {
        precondition(storage.count == rows * columns, "storage does not match \(rows) x \(columns)")
        self.rows = rows
        self.columns = columns
        self.storage = storage
    }

    /// The elementwise sum of two matrices of the same shape.
    public static func + (a: Matrix, b: Matrix) -> Matrix {
        precondition(a.rows == b.rows && a.columns == b.columns, "+: shapes differ")
        var sum = a
        for i in sum.storage.indices { sum.storage[i] += b.storage[i] }
        return sum
    }

    /// Rows `range` as a matrix of their own.
    public func rows(_ range: Range<Int>) -> Matrix {
        Matrix(rows: range.count, columns: columns, storage: Array(storage[(range.lowerBound * columns)..<(range.upperBound * columns)]))
    }

    /// Inlinable: the element accessor of every module's loops (called, it was
    /// 2% of a VMC step).
    @inlinable
    public subscript(row: Int, column: Int) -> Double {
        get { storage[row * columns + column] }
        set { storage[row * columns + column] = newValue }
    }
}

extension Matrix: RankPackable {
    public func pack(into words: inout PackedWords) {
        words.append(UInt64(rows))
        words.append(UInt64(columns))
        storage.pack(into: &words)
    }

    public init(unpacking words: inout PackedWords.Reader) {
        let (rows, columns) = (Int(words.next()), Int(words.next()))
        self.init(rows: rows, columns: columns, storage: [Double](unpacking: &words))
    }
}
