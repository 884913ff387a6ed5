import Foundation
import Testing

@testable import Volley

@Suite("Optimizers: Adam and AdamW's decoupled weight decay (Kingma & Ba 2015; Loshchilov & Hutter 2019)")
struct OptimizerTests {
    /// Adam with decoupled decay, written from the paper's Algorithm 2 (schedule multiplier 1):
    /// w ← w − η·(m̂/(√v̂ + ε) + λ·w), the moments of the gradient alone.
    func referenceAdamW(_ w: inout [Double], _ gradients: [[Double]], rate: Double, decay: Double) {
        let b1 = 0.9, b2 = 0.999, eps = 1e-8
        var m = [Double](repeating: 0, count: w.count), v = m
        for (t, g) in gradients.enumerated() {
            for i in w.indices {
                m[i] = b1 * m[i] + (1 - b1) * g[i]
                v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i]
                let mHat = m[i] / (1 - pow(b1, Double(t + 1))), vHat = v[i] / (1 - pow(b2, Double(t + 1)))
                w[i] -= rate * (mHat / (vHat.squareRoot() + eps) + decay * w[i])
            }
        }
    }

    func gradients(steps: Int, count: Int, seed: UInt64) -> [[Double]] {
        var rng = Xoshiro256(seed: seed, stream: 7)
        return (0..<steps).map { _ in (0..<count).map { _ in rng.uniform(-2, 2) } }
    }

    @Test("A zero gradient only shrinks the weights, by 1 − η·λ per update")
    func decayAlone() {
        var optimizer = Optimizer(.adam(learningRate: 0.01, weightDecay: 0.5), shapes: [3])
        var w: [[Double]] = [[2, -4, 0.25]]
        for _ in 0..<10 { optimizer.step(&w, [[0, 0, 0]]) }
        for (got, start) in zip(w[0], [2.0, -4, 0.25]) {
            #expect(abs(got - start * pow(1 - 0.005, 10)) <= 1e-14 * abs(start), "\(got)")
        }
    }

    @Test("AdamW follows the paper's update over 50 steps; λ = 0 is Adam bit for bit; the schedule keeps λ", arguments: [1, 2] as [UInt64])
    func matchesReference(seed: UInt64) {
        let g = gradients(steps: 50, count: 8, seed: seed)
        var expected = (0..<8).map { Double($0) / 4 - 1 }
        var w = [expected]
        referenceAdamW(&expected, g, rate: 0.003, decay: 0.1)
        var adamW = Optimizer(.adam(learningRate: 0.003, weightDecay: 0.1), shapes: [8])
        for step in g { adamW.step(&w, [step]) }
        for (a, b) in zip(w[0], expected) { #expect(abs(a - b) <= 1e-13, "\(a) vs \(b)") }

        var plain = [(0..<8).map { Double($0) / 4 - 1 }], zero = plain
        var adam = Optimizer(.adam(learningRate: 0.003), shapes: [8])
        var adamZero = Optimizer(.adam(learningRate: 0.003, weightDecay: 0), shapes: [8])
        for step in g { adam.step(&plain, [step]); adamZero.step(&zero, [step]) }
        #expect(plain == zero)
        #expect(plain != w, "the decay must change the weights")

        var scheduled = Optimizer(.adam(learningRate: 0.003, weightDecay: 0.1), shapes: [8])
        scheduled.setLearningRate(0.001)
        #expect(scheduled.kind == .adam(learningRate: 0.001, weightDecay: 0.1))
    }

    @Test("STBPTrainer refuses a negative, NaN or too large weight decay, naming it")
    func badDecay() throws {
        let net = try STBPTests().randomNetwork([4, 3, 2], seed: 1, gain: 1)
        for bad in [-0.1, .nan, .infinity, 400] {
            #expect {
                _ = try STBPTrainer(network: net, learningRate: 3e-3, surrogate: .rectangular(width: 1), loss: .rateMSE, batch: 2, weightDecay: bad)
            } throws: { error in
                guard case let VolleyError.invalidParameter(name, value, _) = error else { return false }
                return name == "weightDecay" && value == "\(bad)"
            }
        }
        let trainer = try STBPTrainer(network: net, learningRate: 3e-3, surrogate: .rectangular(width: 1), loss: .rateMSE, batch: 2, weightDecay: 0.05)
        #expect(trainer.optimizer.kind == .adam(learningRate: 3e-3, weightDecay: 0.05))
    }
}
