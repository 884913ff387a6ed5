import Foundation
import Testing
import Volley
import VolleyExamples

/// The MNIST examples' elastic distortion (Simard, Steinkraus & Platt 2003): smoothed random
/// displacements, bilinear resampling, drawn from (seed, epoch, index) alone.
@Suite struct ElasticDistortionTests {
    func image(seed: UInt64) -> [Double] {
        var rng = Xoshiro256(seed: seed, stream: 3)
        return (0..<784).map { _ in rng.uniform(0, 255) }
    }

    @Test("warp: an integer displacement is a translation, a half-pixel one the mean of two neighbours, outside the frame black")
    func warp() {
        let a = image(seed: 1)
        let two = [Double](repeating: 2, count: 784), minusOne = [Double](repeating: -1, count: 784), zero = [Double](repeating: 0, count: 784)
        let moved = ElasticDistortion.warp(a, dx: two, dy: minusOne)
        for y in 0..<28 {
            for x in 0..<28 {
                let sx = x + 2, sy = y - 1
                let expected = sx < 28 && sy >= 0 ? a[sy * 28 + sx] : 0
                #expect(moved[y * 28 + x] == expected, "(\(x), \(y))")
            }
        }
        #expect(ElasticDistortion.warp(a, dx: zero, dy: zero) == a)
        let half = ElasticDistortion.warp(a, dx: [Double](repeating: 0.5, count: 784), dy: zero)
        for y in 0..<28 {
            for x in 0..<27 { #expect(abs(half[y * 28 + x] - (a[y * 28 + x] + a[y * 28 + x + 1]) / 2) < 1e-12) }
            #expect(abs(half[y * 28 + 27] - a[y * 28 + 27] / 2) < 1e-12)
        }
        let gone = ElasticDistortion.warp(a, dx: [Double](repeating: -40, count: 784), dy: zero)
        #expect(gone.allSatisfy { $0 == 0 })
    }

    @Test("smooth: a unit impulse far from the edges becomes the normalised 2-D Gaussian of σ")
    func smoothImpulse() throws {
        let d = try ElasticDistortion(alpha: 1, sigma: 2, seed: 1)
        var impulse = [Double](repeating: 0, count: 784)
        impulse[14 * 28 + 14] = 1
        let g = d.smooth(impulse)
        #expect(abs(g.reduce(0, +) - 1) < 1e-12)
        let z = (-6...6).reduce(0.0) { $0 + exp(-Double($1 * $1) / 8) }
        for (x, y) in [(14, 14), (15, 14), (14, 17), (11, 12), (20, 14)] {
            let r2 = Double((x - 14) * (x - 14) + (y - 14) * (y - 14))
            #expect(abs(g[y * 28 + x] - exp(-r2 / 8) / (z * z)) < 1e-15, "(\(x), \(y))")
        }
        #expect(g[14 * 28 + 21] == 0, "beyond ⌈3σ⌉ taps")
    }

    @Test("apply: repeatable per (seed, epoch, index), different across them; α = 0 is the identity; displacement spread α·√(1/3)·Σg²")
    func apply() throws {
        let a = image(seed: 2)
        let d = try ElasticDistortion(alpha: 34, sigma: 4, seed: 9)
        let out = d.apply(a, epoch: 3, index: 17)
        #expect(out == d.apply(a, epoch: 3, index: 17))
        #expect(out != d.apply(a, epoch: 4, index: 17))
        #expect(out != d.apply(a, epoch: 3, index: 18))
        #expect(out != a)
        #expect(try ElasticDistortion(alpha: 0, sigma: 4, seed: 9).apply(a, epoch: 3, index: 17) == a)
        // The displacement field: a horizontal ramp image(x, y) = x reads back x + Δx in the
        // interior, so out − image is Δx. Uniform [−1, 1] has variance 1/3; smoothing by the
        // separable kernel g multiplies it by (Σ g²)².
        let ramp = (0..<784).map { Double($0 % 28) }
        let g = (-12...12).map { exp(-Double($0 * $0) / 32) }
        let sumSquares = g.reduce(0) { $0 + $1 * $1 } / pow(g.reduce(0, +), 2)
        let expected = 34 * (1.0 / 3).squareRoot() * sumSquares
        var sum = 0.0, count = 0.0
        for index in 0..<400 {
            let warped = d.apply(ramp, epoch: 0, index: index)
            let (x, y) = (13, 14)
            let shift = warped[y * 28 + x] - ramp[y * 28 + x]
            sum += shift * shift
            count += 1
        }
        let measured = (sum / count).squareRoot()
        #expect(abs(measured / expected - 1) < 0.12, "spread \(measured) px, expected \(expected) px")
    }

    @Test("Invalid α or σ: a typed error naming it")
    func invalid() {
        for (alpha, sigma, name) in [(-1.0, 4.0, "alpha"), (.nan, 4, "alpha"), (34, 0, "sigma"), (34, .infinity, "sigma")] {
            #expect {
                _ = try ElasticDistortion(alpha: alpha, sigma: sigma, seed: 1)
            } throws: { error in
                guard case let VolleyError.invalidParameter(n, _, _) = error else { return false }
                return n == name
            }
        }
    }
}
