import Foundation
import Testing

@testable import Volley

/// EventProp: exact gradients of weights and delays against central finite differences.
@Suite("EventProp exact gradients")
struct EventPropTests {
    static let hidden = LIFExp(tauM: 10, tauSynExc: 5, tauSynInh: 5, vRest: 0, vReset: 0, vThreshold: 1, tRef: 0)

    static func network(loss: EventPropLoss, recurrent: Bool = false, seed: UInt64 = 3, weightMean: Double = 1.5) -> EventPropNetwork {
        EventPropNetwork.layered(
            inputSize: 4, hidden: [6], outputs: 3, hiddenModel: hidden, readoutModel: hidden,
            readoutSpiking: loss.readoutSpikes, recurrent: recurrent, weightMean: weightMean, weightStd: 1.2,
            delay: 0.5, delaySpread: 2.5, seed: seed)
    }

    static let inputs: [[Double]] = [[1, 9], [2.5, 12], [4, 6.5], [0.5]]

    /// Worst relative difference between the gradient and central differences over every weight
    /// and delay whose perturbation leaves all spike counts unchanged.
    static func worstError(_ net: EventPropNetwork, loss: EventPropLoss, label: Int = 1, T: Double = 40, h: Double = 1e-4) throws -> (error: Double, checked: Int, spikes: [Int]) {
        let base = try net.run(inputs: inputs, label: label, duration: T, loss: loss)
        var worst = 0.0, checked = 0
        for p in net.projections.indices {
            for s in 0..<net.projections[p].count {
                for delay in [false, true] {
                    let g = delay ? base.delayGradients[p][s] : base.weightGradients[p][s]
                    var plus = net, minus = net
                    if delay {
                        plus.projections[p].delays[s] += h
                        minus.projections[p].delays[s] -= h
                    } else {
                        plus.projections[p].weights[s] += h
                        minus.projections[p].weights[s] -= h
                    }
                    let a = try plus.run(inputs: inputs, label: label, duration: T, loss: loss, gradient: false)
                    let b = try minus.run(inputs: inputs, label: label, duration: T, loss: loss, gradient: false)
                    guard a.spikeCounts == base.spikeCounts, b.spikeCounts == base.spikeCounts else { continue }
                    let fd = (a.loss - b.loss) / (2 * h)
                    let error = abs(g - fd) / max(abs(fd), abs(g), 1e-3)
                    worst = max(worst, error)
                    checked += 1
                }
            }
        }
        return (worst, checked, base.spikeCounts)
    }

    @Test("Weights and delays, max-potential readout: the gradient equals central finite differences")
    func maxPotentialGradient() throws {
        let r = try Self.worstError(Self.network(loss: .maxPotential), loss: .maxPotential)
        print("max potential: worst \(r.error) over \(r.checked), spikes \(r.spikes)")
        #expect(r.spikes[0] > 3 && r.checked > 40)
        #expect(r.error < 1e-6)
    }

    @Test("Mean-potential readout and a recurrent hidden layer")
    func meanPotentialRecurrent() throws {
        let r = try Self.worstError(Self.network(loss: .meanPotential, recurrent: true), loss: .meanPotential)
        #expect(r.spikes[0] > 3 && r.checked > 40)
        #expect(r.error < 1e-6)
    }

    @Test("First-spike-time loss on a spiking readout")
    func firstSpikeGradient() throws {
        let loss = EventPropLoss.firstSpike(tau0: 2, tau1: 20, alpha: 0.01)
        let r = try Self.worstError(Self.network(loss: loss, weightMean: 3), loss: loss)
        print("first spike: worst \(r.error) over \(r.checked), spikes \(r.spikes)")
        #expect(r.spikes[1] >= 3 && r.checked > 30)
        #expect(r.error < 1e-6)
    }
}
