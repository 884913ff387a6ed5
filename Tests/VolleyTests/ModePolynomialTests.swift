import Foundation
import Testing

@testable import Volley

extension ExponentialSum.SearchResult {
    /// A root or never (not a stop at a limit or a step budget).
    var isSettled: Bool {
        switch self {
        case .root, .never: return true
        case .clearUntil: return false
        }
    }
}

/// LIF-exp with commensurate time constants: V − θ as a polynomial in u = e^(−s/τ_slowest)
/// (`ModePolynomial`), its exact first crossing against the exponential search and dense scans,
/// and the epoch growth factors built from one `exp`.
@Suite("Commensurate time constants (mode polynomial)")
struct ModePolynomialTests {
    /// Models with commensurate time constants: τ_syn below τm, equal synaptic constants, τ_syn
    /// above τm.
    static let models = [
        LIFExp(tauM: 20, tauSynExc: 5, tauSynInh: 10, vRest: -49, vReset: -60, vThreshold: -50, tRef: 5),
        LIFExp(tauM: 10, tauSynExc: 2, tauSynInh: 2, vRest: -65, vReset: -70, vThreshold: -55, tRef: 2),
        LIFExp(tauM: 5, tauSynExc: 20, tauSynInh: 10, vRest: -52, vReset: -60, vThreshold: -50, tRef: 1),
    ]

    /// A random non-refractory state: every fourth close below threshold, currents of both signs'
    /// usual ranges (excitatory ≥ 0, inhibitory ≤ 0).
    func randomState(_ model: LIFExp, _ rng: inout Xoshiro256, _ k: Int) -> LIFExp.State {
        let theta = model.vThreshold
        return LIFExp.State(
            v: k % 4 == 0 ? theta - 0.3 + 0.29 * rng.uniform() : theta - 10 + 9.99 * rng.uniform(),
            iExc: 12 * rng.uniform(), iInh: -20 * rng.uniform())
    }

    @Test("Commensurate time constants are detected; others keep the exponential search")
    func detection() {
        let c = LIFExp(tauM: 20, tauSynExc: 5, tauSynInh: 10).constants
        #expect(c.powerM == 1 && c.powerExc == 4 && c.powerInh == 2 && c.baseRate == 1.0 / 20)
        let d = LIFExp(tauM: 10, tauSynExc: 2, tauSynInh: 2).constants
        #expect(d.powerM == 1 && d.powerExc == 5 && d.powerInh == 5)
        let e = LIFExp(tauM: 5, tauSynExc: 20, tauSynInh: 10).constants
        #expect(e.powerM == 4 && e.powerExc == 1 && e.powerInh == 2 && e.baseRate == 1.0 / 20)
        // 10/3 is not an integer; τ_syn = τm has no pure mode; 20/1 exceeds the largest power, 16.
        #expect(LIFExp(tauM: 10, tauSynExc: 3, tauSynInh: 2).constants.powerM == 0)
        #expect(LIFExp(tauM: 10, tauSynExc: 10, tauSynInh: 5).constants.powerM == 0)
        #expect(LIFExp(tauM: 20, tauSynExc: 1, tauSynInh: 10).constants.powerM == 0)
    }

    @Test("The polynomial is the exponential sum: P(e^(−s/τ)) = f(s)")
    func polynomialValue() {
        var rng = Xoshiro256(seed: 5)
        for model in Self.models {
            for k in 0..<200 {
                let s = randomState(model, &rng, k)
                let p = model.modePolynomial(of: s)
                let f = model.distanceToThreshold(of: s, threshold: model.vThreshold)
                for time in [0, 0.05, 0.7, 3, 11, 40] {
                    let u = exp(-time * model.constants.baseRate)
                    #expect(abs(p.value(atU: u) - f.value(at: time)) <= 1e-12 * (1 + abs(s.v) + abs(s.iExc) + abs(s.iInh)))
                }
            }
        }
    }

    @Test("The first crossing equals the exponential search's, with no crossing before it on a dense scan")
    func firstCrossing() {
        var rng = Xoshiro256(seed: 17)
        var roots = 0
        var nevers = 0
        var unsettled = 0
        var worst = 0.0
        for model in Self.models {
            for k in 0..<1500 {
                let s = randomState(model, &rng, k)
                let f = model.distanceToThreshold(of: s, threshold: model.vThreshold)
                let reference = f.firstUpCrossing()
                guard let found = model.modePolynomial(of: s).firstUpCrossing(searchingUpTo: .infinity) else {
                    Issue.record("no result for \(s)")
                    continue
                }
                switch found {
                case .root(let root):
                    roots += 1
                    guard let reference else {
                        Issue.record("polynomial root \(root) where the exponential search finds none: \(s)")
                        continue
                    }
                    worst = max(worst, abs(root - reference))
                    #expect(abs(root - reference) <= 1e-10, "\(s): \(root) vs \(reference)")
                    #expect(f.value(at: root) >= -1e-12)
                    // No crossing before the root: f < 0 on a grid of [0, root − 1e-9].
                    let end = root - 1e-9
                    if end > 0 {
                        for j in 0...400 {
                            let t = end * Double(j) / 400
                            #expect(f.value(at: t) < 1e-12, "\(s): f(\(t)) ≥ 0 before the root \(root)")
                        }
                    }
                case .never:
                    nevers += 1
                    #expect(reference == nil, "\(s): never, but the exponential search finds \(reference ?? .nan)")
                case .clearUntil(let x):
                    // Stopped after its step budget: a valid wake-up, no later than the root.
                    unsettled += 1
                    if let reference { #expect(x <= reference, "\(s): clear until \(x) past the root \(reference)") }
                }
            }
        }
        #expect(roots > 1000 && nevers > 200, "\(roots) roots, \(nevers) never")
        #expect(unsettled <= 10, "\(unsettled) of 4500 searches stopped at their step budget")
        #expect(worst <= 1e-10, "largest difference \(worst) ms")
    }

    @Test("A search from a proven bound, or stopped at a limit, agrees with the full search")
    func startAndLimit() {
        var rng = Xoshiro256(seed: 23)
        var limited = 0
        var unsettled = 0
        for model in Self.models {
            for k in 0..<1000 {
                let s = randomState(model, &rng, k)
                let p = model.modePolynomial(of: s)
                let full = p.firstUpCrossing(searchingUpTo: .infinity)
                let bound = model.crossingLowerBound(of: s, threshold: model.vThreshold, plus: 0, rate: 0, linearBeyond: .infinity)
                guard bound.isFinite else {
                    #expect(full == .never)
                    continue
                }
                let fromBound = p.firstUpCrossing(searchingUpTo: .infinity, from: bound)
                if full == nil || fromBound == nil || !(full?.isSettled ?? false) || !(fromBound?.isSettled ?? false) {
                    // Not settled in 200 steps (near-cancelling currents): the model then takes the
                    // exponential search. Rare, counted below.
                    unsettled += 1
                    continue
                }
                switch (full, fromBound) {
                case (.root(let a), .root(let b)): #expect(abs(a - b) <= 1e-11, "\(s): \(a) vs \(b)")
                case (.never, .never): break
                default: Issue.record("\(s): \(String(describing: full)) from 0, \(String(describing: fromBound)) from the bound \(bound)")
                }
                // Stopped at 1 ms: either the same root, or clear beyond the limit and before the root.
                switch p.firstUpCrossing(searchingUpTo: 1, from: bound) {
                case .root(let r):
                    if case .root(let a) = full { #expect(abs(r - a) <= 1e-11) } else { Issue.record("\(s): root \(r) only when limited") }
                case .clearUntil(let x):
                    limited += 1
                    if case .root(let a) = full { #expect(x <= a, "\(s): clear until \(x) past the root \(a)") }
                case .never:
                    #expect(full == .never)
                case nil:
                    unsettled += 1
                }
            }
        }
        #expect(limited > 100, "\(limited) searches stopped at the limit")
        #expect(unsettled <= 10, "\(unsettled) of 3000 searches did not settle")
    }

    /// Both are roundings of e^(rₖ·x): the power n multiplies the one `exp`'s error by n, and the
    /// reference's argument rₖ·x (up to 20) is itself rounded, which moves e^(rₖ·x) by up to
    /// 20·2⁻⁵³ relative; 1e-14 relative covers both.
    @Test("Epoch growth factors: one exp and its powers, within 1e-14 relative of an exp per lane; other models unchanged")
    func epochGrowth() {
        for model in Self.models {
            for k in 0...400 {
                let x = Double(k) * 0.05 * 20 / model.epochRates.max() / 20
                let g = model.epochGrowth(elapsed: x)
                let reference = laneExp(model.epochRates * x)
                for lane in 0..<4 {
                    #expect(abs(g[lane] - reference[lane]) <= 1e-14 * reference[lane], "x \(x), lane \(lane): \(g[lane]) vs \(reference[lane])")
                }
            }
        }
        let other = LIFExp(tauM: 10, tauSynExc: 3, tauSynInh: 2)
        for x in [0.0, 0.3, 7.1, 19.9] {
            #expect(other.epochGrowth(elapsed: x) == laneExp(other.epochRates * x))
        }
    }
}
