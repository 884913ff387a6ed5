/// MT19937 (Matsumoto & Nishimura 1998) with `init_genrand` seeding — the generator behind
/// NumPy's legacy `RandomState(seed)`, implemented so that data sets defined by a NumPy seed
/// (the Yin-Yang data set) are generated here sample for sample. `randomSample` is NumPy's
/// `random_sample` (53 bits from two outputs) and `legacyIndex(below:)` its legacy `randint`
/// (masked rejection on 32-bit outputs).
public struct MersenneTwister: Sendable {
    private var state = [UInt32](repeating: 0, count: 624)
    private var index = 624

    public init(seed: UInt32) {
        state[0] = seed
        for i in 1..<624 {
            state[i] = 1_812_433_253 &* (state[i - 1] ^ (state[i - 1] >> 30)) &+ UInt32(i)
        }
    }

    private mutating func twist() {
        for i in 0..<624 {
            let y = (state[i] & 0x8000_0000) | (state[(i + 1) % 624] & 0x7fff_ffff)
            state[i] = state[(i + 397) % 624] ^ (y >> 1) ^ (y & 1 == 0 ? 0 : 0x9908_b0df)
        }
        index = 0
    }

    public mutating func nextUInt32() -> UInt32 {
        if index >= 624 { twist() }
        var y = state[index]
        index += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9d2c_5680
        y ^= (y << 15) & 0xefc6_0000
        y ^= y >> 18
        return y
    }

    /// Uniform in [0, 1) with 53 bits (NumPy `random_sample`, MT's `genrand_res53`).
    public mutating func randomSample() -> Double {
        let a = Double(nextUInt32() >> 5), b = Double(nextUInt32() >> 6)
        return (a * 67_108_864 + b) / 9_007_199_254_740_992
    }

    /// Uniform integer in 0..<bound as NumPy's legacy `RandomState.randint(bound)` draws it:
    /// 32-bit outputs masked to the smallest 2^k − 1 ≥ bound − 1, rejected above bound − 1.
    public mutating func legacyIndex(below bound: Int) -> Int {
        precondition(bound > 0 && bound <= 1 << 32, "legacyIndex(below:) needs 0 < bound ≤ 2³²")
        let range = UInt32(bound - 1)
        if range == 0 { return 0 }
        var mask = range
        mask |= mask >> 1
        mask |= mask >> 2
        mask |= mask >> 4
        mask |= mask >> 8
        mask |= mask >> 16
        while true {
            let value = nextUInt32() & mask
            if value <= range { return Int(value) }
        }
    }
}
