import Foundation
import Testing

@testable import Volley

/// The first-crossing solver shared by LIF-exp, SRM and adaptive LIF, against brute force.
@Suite("Threshold-crossing solver")
struct ExponentialSumTests {
    func randomSum(_ rng: inout Xoshiro256) -> ExponentialSum {
        var f = ExponentialSum(constant: rng.uniform(-3, 2))
        let rates = [1 / 20.0, 1 / 5.0, 1 / 10.0, 1 / 7.0]
        for k in 0..<(1 + rng.index(below: 3)) {
            let withLinear = k == 0 && rng.uniform() < 0.3
            f.add(a: rng.uniform(-8, 8), b: withLinear ? rng.uniform(-2, 2) : 0, rate: rates[k])
        }
        return f
    }

    @Test("The first root (or none) agrees with a dense scan and bisection", arguments: 0..<8)
    func againstBruteForce(seed: UInt64) {
        var rng = Xoshiro256(seed: seed, stream: 0x50)
        var crossings = 0
        for _ in 0..<60 {
            let f = randomSum(&rng)
            let solved = f.firstUpCrossing()
            let reference = referenceFirstCrossing(lo: 0, hi: 600, steps: 120_000) { f.value(at: $0) }
            switch (solved, reference) {
            case let (s?, r?):
                crossings += 1
                #expect(abs(s - r) < 1e-8, "solver \(s) vs reference \(r)")
                #expect(f.value(at: s) >= 0)
            case (nil, nil):
                break
            case let (s?, nil):
                // Beyond the scan window only if the constant is positive (guaranteed eventual crossing).
                #expect(s > 600 && f.constant > 0, "solver found \(s), reference none")
            case let (nil, r?):
                Issue.record("solver missed the crossing at \(r)")
            }
        }
        #expect(crossings > 10)
    }

    @Test("Safe stepping and branch-and-bound find the same first root", arguments: 0..<4)
    func methodsAgree(seed: UInt64) {
        var rng = Xoshiro256(seed: seed, stream: 0x51)
        for _ in 0..<200 {
            let f = randomSum(&rng)
            let a = f.firstUpCrossing()
            let b = f.firstUpCrossingByBisection()
            #expect((a == nil) == (b == nil))
            if let a, let b { #expect(abs(a - b) < 1e-9) }
        }
    }

    /// Mixed sums (mostly taking Newton's method, some with b ≠ 0 taking safe stepping) and pure
    /// exponential sums (all Newton's method).
    @Test("A search limited to a few ms finds the same roots within the limit and a root-free prefix beyond it", arguments: [0.3, 2.0, 15.0], [false, true])
    func limitedSearch(limit: Double, pure: Bool) {
        var rng = pure ? Xoshiro256(seed: 11, stream: 0x54) : Xoshiro256(seed: 7, stream: 0x52)
        var stopped = 0
        var rooted = 0
        for _ in 0..<400 {
            let f = pure ? randomPureSum(&rng) : randomSum(&rng)
            let full = f.firstUpCrossing()
            switch f.firstUpCrossing(searchingUpTo: limit) {
            case .root(let s):
                rooted += 1
                #expect(s == full, "limited search \(s) vs full \(String(describing: full))")
            case .never:
                #expect(full == nil)
            case .clearUntil(let x):
                stopped += 1
                #expect(x > limit)
                // No crossing in [0, x]: the full search's first root lies beyond x (or none).
                if let full { #expect(full > x, "stopped at \(x) past the root \(full)") }
                #expect(f.value(at: x) < 0)
            }
        }
        #expect(stopped > 5 && rooted > 5, "stopped \(stopped), rooted \(rooted)")
    }

    /// Sums of pure exponentials (every b = 0), the LIF-exp and adaptive-LIF case, with up to
    /// four terms and time constants from 2 to 20 ms: often two or three sign changes.
    func randomPureSum(_ rng: inout Xoshiro256) -> ExponentialSum {
        var f = ExponentialSum(constant: rng.uniform(-3, 2))
        let rates = [1 / 20.0, 1 / 5.0, 1 / 2.0, 1 / 10.0]
        for k in 0..<(1 + rng.index(below: 4)) { f.add(a: rng.uniform(-10, 10), rate: rates[k]) }
        return f
    }

    @Test("Pure exponential sums: Newton's method finds the first root that safe stepping, bisection and a dense scan find", arguments: 0..<4)
    func newtonAgainstReferences(seed: UInt64) {
        var rng = Xoshiro256(seed: seed, stream: 0x53)
        var crossings = 0
        var laterRoots = 0
        for trial in 0..<300 {
            let f = randomPureSum(&rng)
            let newton: Double?
            switch f.firstUpCrossingByNewton(searchingUpTo: .infinity) {
            case .root(let s): newton = s
            case .never: newton = nil
            case .clearUntil(let x):
                Issue.record("an unlimited search stopped at \(x)")
                continue
            }
            #expect(newton == f.firstUpCrossing(), "firstUpCrossing must take Newton's method for b = 0")
            let stepping: Double?
            if case .root(let s) = f.firstUpCrossingBySafeStepping(searchingUpTo: .infinity) { stepping = s } else { stepping = nil }
            let bisection = f.firstUpCrossingByBisection()
            #expect((newton == nil) == (stepping == nil) && (newton == nil) == (bisection == nil))
            guard let newton else { continue }
            crossings += 1
            #expect(f.value(at: newton) >= 0)
            if let stepping { #expect(abs(newton - stepping) < 1e-9, "Newton \(newton) vs safe stepping \(stepping)") }
            if let bisection { #expect(abs(newton - bisection) < 1e-9, "Newton \(newton) vs bisection \(bisection)") }
            if trial % 5 == 0, newton < 200 {
                let reference = referenceFirstCrossing(lo: 0, hi: 200, steps: 40_000) { f.value(at: $0) }
                #expect(reference.map { abs($0 - newton) < 1e-8 } ?? false, "dense scan \(String(describing: reference)) vs \(newton)")
            }
            // A later root exists: f falls below 0 again after the first crossing.
            if (1...400).contains(where: { f.value(at: newton + Double($0) * 0.1) < 0 }) { laterRoots += 1 }
        }
        #expect(crossings > 100 && laterRoots > 5, "crossings \(crossings), with later roots \(laterRoots)")
    }

    @Test("Pure exponential sums: a Newton step that would jump over a brief crossing is not taken")
    func newtonDoesNotSkipABump() throws {
        // f(s) = −1.37 − 0.47e^(−s/20) − 9.79e^(−s/5) + 2.11e^(−s/2) + 8.63e^(−s/10) crosses 0
        // near s = 4.50 ms, falls below again, and the tangent at 0 reaches 0 only at s ≈ 14.0
        // ms, where f < 0: accepting that step unproven would miss the crossing.
        var f = ExponentialSum(constant: -1.37)
        for (a, tau) in [(-0.47, 20.0), (-9.79, 5.0), (2.11, 2.0), (8.63, 10.0)] { f.add(a: a, rate: 1 / tau) }
        let (f0, slope0) = f.valueAndSlope(at: 0)
        #expect(f0 < 0 && slope0 > 0 && f.value(at: 0 - f0 / slope0) < 0)
        let reference = try #require(referenceFirstCrossing(lo: 0, hi: 100) { f.value(at: $0) })
        #expect(abs(reference - 4.5032) < 1e-3)
        guard case .root(let s) = f.firstUpCrossingByNewton(searchingUpTo: .infinity) else {
            Issue.record("no crossing found")
            return
        }
        #expect(abs(s - reference) < 1e-8)
    }

    @Test("A crossing that re-crosses below is found at its first root, not a later one")
    func firstOfSeveral() throws {
        // f(s) = −0.05 + 3(e^(−s/20) − e^(−s/5)) − 2.2·e^(−s/10)·(s/10): rises above 0, dips, rises again.
        var f = ExponentialSum(constant: -0.05)
        f.add(a: 3, rate: 1 / 20.0)
        f.add(a: -3, rate: 1 / 5.0)
        f.add(a: 0, b: -0.22, rate: 1 / 10.0)
        let r = try #require(referenceFirstCrossing(lo: 0, hi: 400) { f.value(at: $0) })
        let s = try #require(f.firstUpCrossing())
        #expect(abs(s - r) < 1e-9)
    }

    @Test("The cheap lower bound never exceeds the exact crossing", arguments: 0..<4)
    func lowerBoundIsSafe(seed: UInt64) {
        var rng = Xoshiro256(seed: seed, stream: 0x52)
        for _ in 0..<500 {
            let f = randomSum(&rng)
            let bound = f.crossingLowerBound
            if let s = f.firstUpCrossing() {
                #expect(bound <= s + 1e-9)
            }
            if bound == .infinity { #expect(f.firstUpCrossing() == nil) }
        }
    }

    @Test("Roots with a closed form are found to 1e-14 ms by every method (c + a₁e^(−s/10) + a₂e^(−s/5))")
    func closedFormRoots() throws {
        var rng = Xoshiro256(seed: 21, stream: 0x54)
        var worst = [0.0, 0.0, 0.0, 0.0]
        for _ in 0..<2000 {
            // Both terms negative and f(0) < 0 < c: f rises monotonically through one root. With
            // u = e^(−s/10): a₂u² + a₁u + c = 0, u* = c/q, q = (√(a₁² − 4a₂c) − a₁)/2 (stable).
            let c = rng.uniform(0.2, 2)
            let a1 = -rng.uniform(0.01, 3)
            let a2 = -c - a1 - rng.uniform(0.001, 3)
            let q = ((a1 * a1 - 4 * a2 * c).squareRoot() - a1) / 2
            let exact = -10 * log(c / q)
            var f = ExponentialSum(constant: c)
            f.add(a: a1, b: 0, rate: 0.1)
            f.add(a: a2, b: 0, rate: 0.2)
            let mode = ModePolynomial(constant: c, baseRate: 0.1, a1, power: 1, a2, power: 2, 0, power: 1)
            guard case .root(let byMode)? = mode.firstUpCrossing(searchingUpTo: .infinity) else {
                Issue.record("mode polynomial found no root for c \(c), a₁ \(a1), a₂ \(a2)")
                continue
            }
            guard case .root(let bySafeSteps) = f.firstUpCrossingBySafeStepping(searchingUpTo: .infinity) else {
                Issue.record("safe stepping found no root for c \(c), a₁ \(a1), a₂ \(a2)")
                continue
            }
            let found = [
                try #require(f.firstUpCrossing()),
                bySafeSteps,
                try #require(f.firstUpCrossingByBisection()),
                byMode,
            ]
            // The bracket (≤ 1e-14 ms, or 4 ulps of s) plus the roundings of f (a few ulps of its
            // terms, over its slope at the root) and of the reference.
            let u = c / q
            let slope = -0.1 * a1 * u - 0.2 * a2 * u * u
            let allowed = 1e-14 + 8 * exact.ulp + 8 * (c - a1 * u - a2 * u * u) * Double.ulpOfOne / slope
            for (k, s) in found.enumerated() {
                #expect(abs(s - exact) <= allowed, "method \(k): \(s) against \(exact)")
                worst[k] = max(worst[k], abs(s - exact))
            }
        }
        print("closed-form roots: worst errors (Newton, safe stepping, bisection, mode polynomial) \(worst)")
    }

    @Test("The logarithm's lower bound is below ln x by at most 1.02e-5, and −∞ below 1")
    func logLowerBound() {
        var rng = Xoshiro256(seed: 9, stream: 0x53)
        var samples: [Double] = [1, 1.0.nextUp, 1.5, 2.0.nextDown, 2, 2.0.nextUp, 3, 11, 1e6]
        for k in 1..<1000 { samples.append(Double(sign: .plus, exponent: k, significand: 1).nextDown) }
        for _ in 0..<20_000 { samples.append(exp(rng.uniform(0, 690))) }
        for _ in 0..<20_000 { samples.append(1 + rng.uniform(0, 1e-6)) }
        var worst = 0.0
        for x in samples {
            let bound = ExponentialSum.logLowerBound(x)
            let exact = log(x)
            #expect(bound <= exact, "x = \(x): bound \(bound) above ln x = \(exact)")
            worst = max(worst, exact - bound)
        }
        #expect(worst <= 1.02e-5 && worst > 1e-6, "largest shortfall \(worst)")
        // The segments' tables: ln mᵢ and 1/mᵢ, mᵢ = 1 + i/32, each within an ulp of the exact
        // value; at a node the bound is ln mᵢ lowered by 1e-13 relative.
        for i in 0..<32 {
            let node = 1 + Double(i) / 32
            #expect(abs(logSegmentNodes[2 * i] - log(node)) <= log(node).ulp, "ln m\(i)")
            #expect(abs(logSegmentNodes[2 * i + 1] - 1 / node) <= (1 / node).ulp, "1/m\(i)")
            let atNode = ExponentialSum.logLowerBound(node)
            #expect(atNode <= log(node) && log(node) - atNode <= 1e-13, "x = \(node)")
        }
        // Like ln x, the bound stays above 1 − 1/x, the linearised wake-up bound's logarithm
        // (beyond the roundings of both near x = 1, where the two differ by (x − 1)²/2).
        for x in samples where x >= 1 + 1e-6 && x < 1e300 {
            #expect(ExponentialSum.logLowerBound(x) >= 1 - 1 / x, "x = \(x)")
        }
        #expect(ExponentialSum.logLowerBound(0.999) == -.infinity)
        #expect(ExponentialSum.logLowerBound(-1) == -.infinity)
        #expect(ExponentialSum.logLowerBound(.nan) == -.infinity)
        #expect(ExponentialSum.logLowerBound(.infinity) == .infinity)
    }
}
