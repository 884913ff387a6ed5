import Foundation
import Testing

@testable import Volley

/// The time-stepped engine's fused pass for models whose simultaneous inputs act through their
/// sum (`InputSumming.step`).
@Suite("Summed inputs (time-stepped engine)")
struct InputSummingTests {
    @Test("The fused pass (`InputSumming.step`, for LIF-exp) equals advance, receive, threshold, fire neuron by neuron, bit for bit")
    func lifExpFusedStep() {
        var rng = Xoshiro256(seed: 7)
        let model = LIFExp(tauM: 20, tauSynExc: 5, tauSynInh: 10, vRest: -49, vReset: -60, vThreshold: -50, tRef: 5)
        let n = 500
        let dt = 0.1
        let p = model.propagator(over: dt)
        var states = (0..<n).map { _ in
            LIFExp.State(v: -60 + 10.5 * rng.uniform(), iExc: 5 * rng.uniform(), iInh: -5 * rng.uniform(),
                         refractory: rng.uniform() < 0.2 ? 5 * rng.uniform() : 0)
        }
        var reference = states
        var inputs = (0..<2 * n).map { _ in rng.uniform() < 0.3 ? 3 * rng.uniform() - 1 : 0 }
        var expectedFired: [UInt32] = []
        for i in 0..<n {
            var s = reference[i]
            model.advance(&s, by: dt, using: p)
            model.receive(&s, weight: inputs[i], receptor: Receptor.excitatory, at: dt)
            model.receive(&s, weight: inputs[n + i], receptor: Receptor.inhibitory, at: dt)
            if model.isAboveThreshold(s, at: dt) {
                model.fire(&s, at: dt)
                expectedFired.append(UInt32(i))
            }
            reference[i] = s
        }
        var fired = ContiguousArray<UInt32>()
        states.withUnsafeMutableBufferPointer { st in
            inputs.withUnsafeMutableBufferPointer { inp in
                model.step(st.baseAddress!, count: n, inputs: inp.baseAddress!, advancingBy: dt, using: p, at: dt, fired: &fired)
            }
        }
        #expect(states == reference)
        #expect(Array(fired) == expectedFired)
        #expect(expectedFired.count > 5)
        #expect(inputs.allSatisfy { $0 == 0 })
    }
}
