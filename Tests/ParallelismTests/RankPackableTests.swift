import Parallelism
import Testing

/// Values cross ranks as packed words: unpacking gives back the value bit for
/// bit, and reads exactly the words packing wrote (so values can follow each other).
@Suite struct RankPackableTests {
    func roundTrip<T: RankPackable & Equatable>(_ value: T, then next: Int = 7) -> Bool {
        var words = PackedWords()
        value.pack(into: &words)
        next.pack(into: &words)
        var reader = PackedWords.Reader(words.storage)
        let back = T(unpacking: &reader)
        return back == value && Int(unpacking: &reader) == next && reader.isAtEnd
    }

    @Test func valuesComeBackBitForBit() {
        #expect(roundTrip(-0.0) && roundTrip(-3) && roundTrip(true))
        let nan = Double(bitPattern: 0x7FF8_0000_0000_0123)  // a NaN with a payload
        var packed = PackedWords()
        nan.pack(into: &packed)
        var nanReader = PackedWords.Reader(packed.storage)
        #expect(Double(unpacking: &nanReader).bitPattern == nan.bitPattern)
        #expect(roundTrip([1.5, -0.0, .infinity, .leastNonzeroMagnitude]) && roundTrip([Double]()))
        #expect(roundTrip([[1, 2], [], [3]] as [[Int]]) && roundTrip(Optional<[Double]>.none) && roundTrip(Optional([2.5])))
        var words = PackedWords()
        RankPair([1.0, 2.0], 3).pack(into: &words)
        var reader = PackedWords.Reader(words.storage)
        let pair = RankPair<[Double], Int>(unpacking: &reader)
        #expect(pair.first == [1, 2] && pair.second == 3 && reader.isAtEnd)
    }

    /// In one process, `distributedMap` is `map` and `localMap` covers every index.
    @Test func oneProcessMapsEveryIndex() {
        let p = Parallelism(threads: 2)
        #expect(p.distributedMap(10) { Double($0) } == (0..<10).map(Double.init))
        #expect(p.localMap(5) { $0 * 2 }.map(\.index) == Array(0..<5))
        let split = p.distributedMap(4) { (shared: $0, local: "\($0)") }
        #expect(split.shared == [0, 1, 2, 3] && split.local.map(\.value) == ["0", "1", "2", "3"])
        #expect(Communicator.single.share(of: 7) == 0..<7)
    }
}
