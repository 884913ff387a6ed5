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

    @Test("A search limited to a few ms finds the same roots within the limit and a root-free prefix beyond it", arguments: [0.3, 2.0, 15.0])
    func limitedSearch(limit: Double) {
        var rng = Xoshiro256(seed: 7, stream: 0x52)
        var stopped = 0
        var rooted = 0
        for _ in 0..<400 {
            let f = randomSum(&rng)
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
}
