import Foundation
import Testing

@testable import Volley

/// EventProp's spike budget: LIF neurons without a refractory period can fire without bound once
/// the weights grow too strong; a sample beyond `maxMeanRate` stops at once with a typed error.
@Suite("EventProp spike budget")
struct EventPropBudgetTests {
    static let lif = LIFExp(tauM: 10, tauSynExc: 5, tauSynInh: 5, vRest: 0, vReset: 0, vThreshold: 1, tRef: 0)
    static let inputs: [[Double]] = [[1, 9], [2.5, 12], [4, 6.5], [0.5]]

    static func network(recurrent: Bool, weightMean: Double) -> EventPropNetwork {
        EventPropNetwork.layered(
            inputSize: 4, hidden: [6], outputs: 3, hiddenModel: lif, readoutModel: lif, readoutSpiking: false,
            recurrent: recurrent, weightMean: weightMean, weightStd: 1.2, delay: 0.5, delaySpread: 2.5, seed: 3)
    }

    @Test("A sample may fire exactly its budget; one spike more is refused")
    func boundary() throws {
        let runner = try EventPropRunner(Self.network(recurrent: false, weightMean: 1.5))
        let spikes = try runner.run(inputs: Self.inputs, label: 1, duration: 40, loss: .maxPotential).spikeCounts.reduce(0, +)
        #expect(spikes > 3)
        // Budget = ⌊rate · 10⁻³ · 40 ms · 9 neurons⌋.
        runner.maxMeanRate = (Double(spikes) + 0.5) / (1e-3 * 40 * 9)
        #expect(runner.spikeBudget(duration: 40) == spikes)
        let exact = try runner.run(inputs: Self.inputs, label: 1, duration: 40, loss: .maxPotential)
        #expect(exact.spikeCounts.reduce(0, +) == spikes)
        runner.maxMeanRate = (Double(spikes) - 0.5) / (1e-3 * 40 * 9)
        #expect(runner.spikeBudget(duration: 40) == spikes - 1)
        #expect { try runner.run(inputs: Self.inputs, label: 1, duration: 40, loss: .maxPotential) } throws: { error in
            guard case let VolleyError.diverged(message) = error else { return false }
            return message.contains("ran away") && message.contains("\(spikes) spikes") && message.contains("budget of \(spikes - 1)")
        }
        // The runner is usable again with the budget raised.
        runner.maxMeanRate = EventPropRunner.defaultMaxMeanRate
        #expect(try runner.run(inputs: Self.inputs, label: 1, duration: 40, loss: .maxPotential).loss == exact.loss)
        runner.maxMeanRate = .nan
        #expect { try runner.run(inputs: Self.inputs, label: 1, duration: 40, loss: .maxPotential) } throws: { "\($0)".contains("maxMeanRate") }
    }

    @Test("Strong recurrent excitation runs away: training and evaluation stop with an error naming the layer")
    func runaway() throws {
        let net = Self.network(recurrent: true, weightMean: 40)
        let budget = Int(EventPropRunner.defaultMaxMeanRate * 1e-3 * 40 * 9)
        var trainer = try EventPropTrainer(network: net, loss: .maxPotential, duration: 40, learningRate: 1e-3)
        let batch = [EventPropTrainer.Sample(inputs: Self.inputs, label: 0)]
        #expect { try trainer.step(batch) } throws: { error in
            guard case let VolleyError.diverged(message) = error else { return false }
            return message.contains("layer 'hidden1'") && message.contains("budget of \(budget)")
        }
        #expect { try trainer.evaluate(batch) } throws: { "\($0)".contains("layer 'hidden1'") }
        // A budget well above what the network fires lets the same sample through.
        trainer.network = Self.network(recurrent: true, weightMean: 1.5)
        #expect(try trainer.evaluate(batch).spikesPerNeuron > 0)
    }
}
