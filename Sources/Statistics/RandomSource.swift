import Foundation
import Parallelism

/// A seeded, reproducible stream of random numbers: xoshiro256** (Blackman and
/// Vigna, "Scrambled linear pseudorandom number generators", ACM TOMS 47 (2021)),
/// seeded through SplitMix64.
///
/// `RandomSource(seed:stream:)` gives independent streams for one seed, one per
/// Markov chain, so results do not depend on how chains are spread over threads.
/// The whole state is `Codable`, so a checkpoint resumes the exact sequence.
public struct RandomSource: RandomNumberGenerator, Sendable, Equatable, Codable {
    private var s0, s1, s2, s3: UInt64

    /// Stream `stream` of the family labelled `seed`.
    public init(seed: UInt64, stream: UInt64 = 0) {
        // Mix seed and stream through SplitMix64 so that nearby seeds and
        // consecutive streams start in unrelated states.
        var seedMixer = SplitMix64(state: seed)
        var streamMixer = SplitMix64(state: stream &+ 0x632B_E59B_D9B4_E019)
        var sm = SplitMix64(state: seedMixer.next() ^ streamMixer.next())
        s0 = sm.next(); s1 = sm.next(); s2 = sm.next(); s3 = sm.next()
        if s0 | s1 | s2 | s3 == 0 { s0 = 1 }  // the all-zero state is a fixed point
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
        return result
    }

    /// A uniform variate in [0, 1) with 53 random bits.
    public mutating func uniform() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A standard normal variate, by the ziggurat method (Marsaglia and Tsang,
    /// J. Stat. Softw. 5 (2000) 8) with 256 layers and 52-bit uniforms: exact in
    /// distribution, and several times faster than Box–Muller because almost
    /// every call returns from the first comparison without a transcendental.
    public mutating func normal() -> Double {
        Ziggurat.x.withUnsafeBufferPointer { x in
            Ziggurat.f.withUnsafeBufferPointer { f in normal(x: x, f: f) }
        }
    }

    /// Fills `buffer` with independent standard normal variates.
    public mutating func fillNormal(_ buffer: UnsafeMutableBufferPointer<Double>) {
        // The state in a local copy: writes through `buffer` could alias `self`,
        // which would otherwise force the four words to memory on every draw.
        var generator = self
        defer { self = generator }
        Ziggurat.x.withUnsafeBufferPointer { x in
            Ziggurat.f.withUnsafeBufferPointer { f in
                for i in buffer.indices { buffer[i] = generator.normal(x: x, f: f) }
            }
        }
    }

    @inline(__always)
    private mutating func normal(x: UnsafeBufferPointer<Double>, f: UnsafeBufferPointer<Double>) -> Double {
        while true {
            let bits = next()
            let i = Int(bits & 0xff)
            // Bits 12...63 give u uniform in [-1, 1); the layer index used bits 0...7.
            // (an Int64 conversion: exact below 2^52, and one instruction on x86-64).
            let u = Double(Int64(bitPattern: bits >> 12)) * 0x1.0p-51 - 1
            let candidate = u * x[i]
            if abs(candidate) < x[i + 1] { return candidate }  // inside the layer's rectangle
            if i == 0 {
                // The tail beyond R (Marsaglia, Ann. Math. Stat. 35 (1964) 1347).
                while true {
                    let t = log(1 - uniform()) / Ziggurat.r
                    let y = log(1 - uniform())
                    if -2 * y >= t * t { return u < 0 ? t - Ziggurat.r : Ziggurat.r - t }
                }
            }
            if f[i + 1] + (f[i] - f[i + 1]) * uniform() < exp(-0.5 * candidate * candidate) { return candidate }
        }
    }

    private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
}

/// Tables of the 256-layer ziggurat for the unnormalised density
/// `f(x) = exp(-x^2/2)`: layer `i` spans `x[i+1] ... x[i]`, every layer has area
/// `v`, `x[1] = r` is where the tail starts, `x[0] = v / f(r)` and `x[256] = 0`;
/// `f[i] = f(x[i])`.
private enum Ziggurat {
    static let r = 3.6541528853610088
    static let v = 0.00492867323399
    static let x: [Double] = {
        var x = [Double](repeating: 0, count: 257)
        x[0] = v / exp(-0.5 * r * r)
        x[1] = r
        for i in 1..<255 { x[i + 1] = (-2 * log(v / x[i] + exp(-0.5 * x[i] * x[i]))).squareRoot() }
        return x  // x[256] = 0: the top layer reaches the peak
    }()
    static let f: [Double] = x.map { exp(-0.5 * $0 * $0) }
}

/// SplitMix64 (Steele, Lea and Flood, OOPSLA 2014), used only to seed xoshiro.
private struct SplitMix64 {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension RandomSource: RankPackable {
    public func pack(into words: inout PackedWords) {
        for word in [s0, s1, s2, s3] { words.append(word) }
    }

    public init(unpacking words: inout PackedWords.Reader) {
        self.init(seed: 0)
        (s0, s1, s2, s3) = (words.next(), words.next(), words.next(), words.next())
    }
}
