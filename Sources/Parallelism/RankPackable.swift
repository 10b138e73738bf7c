/// A value that crosses between ranks as 64-bit words: `Parallelism.distributedMap`
/// packs each rank's results, gathers them and unpacks them on every rank.
///
/// The contract: `init(unpacking:)` reads exactly the words `pack` wrote, and
/// the unpacked value equals the packed one bit for bit (doubles travel as their
/// bit patterns), so a result does not depend on which rank computed it.
public protocol RankPackable: Sendable {
    func pack(into words: inout PackedWords)
    init(unpacking words: inout PackedWords.Reader)
}

/// The words of packed values, appended in order.
public struct PackedWords: Sendable {
    public private(set) var storage: [UInt64] = []

    public init() {}

    public mutating func append(_ word: UInt64) { storage.append(word) }

    /// `count` doubles as their bit patterns (one copy, no per-element calls).
    public mutating func append(doubles pointer: UnsafeBufferPointer<Double>) {
        storage.append(UInt64(pointer.count))
        pointer.withMemoryRebound(to: UInt64.self) { storage.append(contentsOf: $0) }
    }

    /// Reads packed words from the front.
    public struct Reader {
        private let words: [UInt64]
        private var position: Int

        public init(_ words: [UInt64]) {
            self.words = words
            position = 0
        }

        public var isAtEnd: Bool { position == words.count }

        public mutating func next() -> UInt64 {
            // Past the end means pack and unpack disagree: a bug, never input.
            precondition(position < words.count, "RankPackable: read past the packed words")
            defer { position += 1 }
            return words[position]
        }

        public mutating func doubles() -> [Double] {
            let count = Int(next())
            precondition(position + count <= words.count, "RankPackable: read past the packed words")
            defer { position += count }
            return [Double](unsafeUninitializedCapacity: count) { buffer, initialised in
                words.withUnsafeBufferPointer { source in
                    UnsafeMutableRawPointer(buffer.baseAddress!).copyMemory(
                        from: source.baseAddress! + position, byteCount: count * 8)
                }
                initialised = count
            }
        }
    }
}

extension Double: RankPackable {
    public func pack(into words: inout PackedWords) { words.append(bitPattern) }
    public init(unpacking words: inout PackedWords.Reader) { self.init(bitPattern: words.next()) }
}

extension Int: RankPackable {
    public func pack(into words: inout PackedWords) { words.append(UInt64(bitPattern: Int64(self))) }
    public init(unpacking words: inout PackedWords.Reader) { self = Int(Int64(bitPattern: words.next())) }
}

extension Bool: RankPackable {
    public func pack(into words: inout PackedWords) { words.append(self ? 1 : 0) }
    public init(unpacking words: inout PackedWords.Reader) { self = words.next() != 0 }
}

extension Optional: RankPackable where Wrapped: RankPackable {
    public func pack(into words: inout PackedWords) {
        switch self {
        case .none: words.append(0)
        case .some(let value):
            words.append(1)
            value.pack(into: &words)
        }
    }

    public init(unpacking words: inout PackedWords.Reader) {
        self = words.next() == 0 ? nil : Wrapped(unpacking: &words)
    }
}

extension Array: RankPackable where Element: RankPackable {
    public func pack(into words: inout PackedWords) {
        if let doubles = self as? [Double] {
            doubles.withUnsafeBufferPointer { words.append(doubles: $0) }
            return
        }
        words.append(UInt64(count))
        for element in self { element.pack(into: &words) }
    }

    public init(unpacking words: inout PackedWords.Reader) {
        if Element.self == Double.self {
            self = words.doubles() as! [Element]
            return
        }
        let count = Int(words.next())
        self = (0..<count).map { _ in Element(unpacking: &words) }
    }
}

/// Two packable values that travel together (a chain group's state and what its work returned).
public struct RankPair<First: RankPackable, Second: RankPackable>: RankPackable {
    public var first: First
    public var second: Second

    public init(_ first: First, _ second: Second) {
        self.first = first
        self.second = second
    }

    public func pack(into words: inout PackedWords) {
        first.pack(into: &words)
        second.pack(into: &words)
    }

    public init(unpacking words: inout PackedWords.Reader) {
        self.init(First(unpacking: &words), Second(unpacking: &words))
    }
}
