import Testing

@testable import Volley

@Suite("Random number generation")
struct RandomTests {
    @Test("SplitMix64 matches the reference implementation's output for seed 1234567")
    func splitMixReference() {
        var g = SplitMix64(seed: 1_234_567)
        #expect(g.next() == 6_457_827_717_110_365_317)
        #expect(g.next() == 3_203_168_211_198_807_973)
        #expect(g.next() == 9_817_491_932_198_370_423)
    }

    @Test("xoshiro256** seeded through SplitMix64 matches the reference implementation")
    func xoshiroReference() {
        // Reference values from the authors' C code with s[0..3] = four SplitMix64(42) outputs.
        var g = Xoshiro256(seed: 42)
        #expect(g.next() == 1_546_998_764_402_558_742)
        #expect(g.next() == 6_990_951_692_964_543_102)
        #expect(g.next() == 12_544_586_762_248_559_009)
    }

    @Test("Same seed and stream give the same sequence; different streams differ")
    func streams() {
        var a = Xoshiro256(seed: 7, stream: 3, 9)
        var b = Xoshiro256(seed: 7, stream: 3, 9)
        var c = Xoshiro256(seed: 7, stream: 9, 3)
        var d = Xoshiro256(seed: 8, stream: 3, 9)
        let xa = (0..<100).map { _ in a.next() }
        #expect(xa == (0..<100).map { _ in b.next() })
        #expect(xa != (0..<100).map { _ in c.next() })
        #expect(xa != (0..<100).map { _ in d.next() })
    }

    @Test("Bounded integers are in range and uniform (chi-square, 10 bins)")
    func boundedUniform() {
        var g = Xoshiro256(seed: 99)
        var bins = [Int](repeating: 0, count: 10)
        let n = 100_000
        for _ in 0..<n {
            let k = g.index(below: 10)
            #expect(k >= 0 && k < 10)
            bins[k] += 1
        }
        let expected = Double(n) / 10
        let chi2 = bins.reduce(0.0) { $0 + (Double($1) - expected) * (Double($1) - expected) / expected }
        // 9 degrees of freedom: P(χ² > 27.9) = 0.001.
        #expect(chi2 < 27.9)
    }

    @Test("Uniform, normal and exponential deviates have the right moments")
    func moments() {
        var g = Xoshiro256(seed: 5)
        let n = 200_000
        var su = 0.0, sn = 0.0, sn2 = 0.0, se = 0.0
        for _ in 0..<n {
            let u = g.uniform()
            #expect(u >= 0 && u < 1)
            su += u
            let z = g.normal()
            sn += z
            sn2 += z * z
            se += g.exponential(mean: 4)
        }
        let N = Double(n)
        #expect(abs(su / N - 0.5) < 0.005)
        #expect(abs(sn / N) < 0.01)
        #expect(abs(sn2 / N - 1) < 0.015)
        #expect(abs(se / N - 4) < 0.05)
    }
}
