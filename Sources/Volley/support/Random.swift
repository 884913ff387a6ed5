import Foundation

/// SplitMix64 (Steele, Lea & Flood 2014): a 64-bit mixing generator used here to seed
/// xoshiro256** and to derive independent streams from (seed, stream id) pairs.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public var state: UInt64

    @inlinable public init(seed: UInt64) { state = seed }

    @inlinable
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return SplitMix64.mix(state)
    }

    /// The SplitMix64 output function: a bijective 64-bit finaliser.
    @inlinable
    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// xoshiro256** 1.0 (Blackman & Vigna 2018), Volley's only source of randomness.
///
/// Same seed ⇒ same sequence on every platform and toolchain: bounded integers, uniforms,
/// normals and exponentials are derived here by fixed formulas, never by the standard library's
/// unspecified `random(in:)` algorithms. Independent streams for (seed, a, b, …) keep generated
/// networks and Poisson inputs independent of iteration order and thread count.
public struct Xoshiro256: RandomNumberGenerator, Sendable {
    @usableFromInline var s0: UInt64
    @usableFromInline var s1: UInt64
    @usableFromInline var s2: UInt64
    @usableFromInline var s3: UInt64

    /// Seeds the four state words from a SplitMix64 sequence, as the authors recommend.
    @inlinable
    public init(seed: UInt64) {
        var sm = SplitMix64(seed: seed)
        s0 = sm.next(); s1 = sm.next(); s2 = sm.next(); s3 = sm.next()
    }

    /// A generator for stream `(seed, streams...)`: the stream ids are hashed into the seed so that
    /// e.g. row 17 of projection 3 always draws the same numbers, whatever else was generated first.
    @inlinable
    public init(seed: UInt64, stream: UInt64...) {
        var key = SplitMix64.mix(seed ^ 0x5851_F42D_4C95_7F2D)
        for id in stream {
            key = SplitMix64.mix(key &+ SplitMix64.mix(id &+ 0x9E37_79B9_7F4A_7C15))
        }
        self.init(seed: key)
    }

    @inlinable @inline(__always)
    static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 &- k)) }

    @inlinable
    public mutating func next() -> UInt64 {
        let result = Xoshiro256.rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = Xoshiro256.rotl(s3, 45)
        return result
    }

    /// Uniform in [0, 1) with 53 random bits.
    @inlinable
    public mutating func uniform() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Uniform in (0, 1]: safe to take the logarithm of.
    @inlinable
    public mutating func uniformPositive() -> Double {
        Double((next() >> 11) &+ 1) * 0x1.0p-53
    }

    /// Uniform in [low, high).
    @inlinable
    public mutating func uniform(_ low: Double, _ high: Double) -> Double {
        low + (high - low) * uniform()
    }

    /// Uniform integer in 0..<bound (Lemire's multiply-shift with rejection; unbiased).
    @inlinable
    public mutating func index(below bound: Int) -> Int {
        precondition(bound > 0, "index(below:) needs a positive bound")
        let b = UInt64(bound)
        var product = next().multipliedFullWidth(by: b)
        if product.low < b {
            let threshold = (0 &- b) % b
            while product.low < threshold {
                product = next().multipliedFullWidth(by: b)
            }
        }
        return Int(product.high)
    }

    /// Standard normal deviate (Box–Muller, cosine branch only, so each call uses two uniforms).
    @inlinable
    public mutating func normal() -> Double {
        let u1 = uniformPositive()
        let u2 = uniform()
        return (-2.0 * log(u1)).squareRoot() * cos(2.0 * Double.pi * u2)
    }

    /// Normal deviate with the given mean and standard deviation.
    @inlinable
    public mutating func normal(mean: Double, standardDeviation: Double) -> Double {
        mean + standardDeviation * normal()
    }

    /// Exponential deviate with the given mean (e.g. an inter-spike interval in ms).
    @inlinable
    public mutating func exponential(mean: Double) -> Double {
        -mean * log(uniformPositive())
    }

    /// Fisher–Yates shuffle driven by this generator.
    @inlinable
    public mutating func shuffle<T>(_ array: inout [T]) {
        guard array.count > 1 else { return }
        for i in stride(from: array.count - 1, to: 0, by: -1) {
            let j = index(below: i + 1)
            if i != j { array.swapAt(i, j) }
        }
    }
}
