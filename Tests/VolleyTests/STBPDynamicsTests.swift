import Foundation
import Testing

@testable import Volley

/// STBP layers with exponential synapses (LIFExp), threshold adaptation (AdaptiveLIF) and reset by
/// subtraction: spikes bit-identical to the time-stepped engine, gradients against finite
/// differences, training, and refused combinations.
@Suite("STBP dynamics: exponential synapses, adaptive threshold, reset by subtraction")
struct STBPDynamicsTests {
    struct Dynamics: CustomStringConvertible, Sendable {
        var synapse: STBPSynapse
        var adaptation: STBPAdaptation?
        var reset: ResetMode
        var description: String { "\(synapse), adaptation \(adaptation.map { "β \($0.beta)" } ?? "none"), reset \(reset.rawValue)" }
    }

    static let cases: [Dynamics] = [
        Dynamics(synapse: .delta, adaptation: nil, reset: .bySubtraction),
        Dynamics(synapse: .exponential(tauSyn: 5), adaptation: nil, reset: .toValue),
        Dynamics(synapse: .exponential(tauSyn: 2.5), adaptation: nil, reset: .bySubtraction),
        Dynamics(synapse: .exponential(tauSyn: 5), adaptation: STBPAdaptation(beta: 0.4, tauAdapt: 30), reset: .toValue),
        Dynamics(synapse: .exponential(tauSyn: 4), adaptation: STBPAdaptation(beta: 0.3, tauAdapt: 50), reset: .bySubtraction),
    ]

    func network(_ sizes: [Int], _ d: Dynamics, readout: STBPNetwork.Readout = .spikeCount, seed: UInt64, gain: Double) throws -> STBPNetwork {
        var net = try STBPNetwork(
            layerSizes: sizes, neuron: LIFDelta(tauM: 10, vRest: 0, vReset: 0, vThreshold: 1, tRef: 0, reset: d.reset),
            synapse: d.synapse, adaptation: d.adaptation, dt: 1, readout: readout)
        net.initialize(gain: gain, seed: seed)
        return net
    }

    func input(size: Int, steps: Int, rate: Double, seed: UInt64) -> STBPInput {
        var rng = Xoshiro256(seed: seed, stream: 3)
        let intensities = (0..<size).map { _ in rng.uniform(0, rate) }
        return STBPInput.bernoulli(intensities, steps: steps, rng: &rng)
    }

    @Test("The training forward pass spikes bit-identically to TimeSteppedSimulator (LIFExp lanes, AdaptiveLIF summed inputs)", arguments: cases)
    func engineIdentity(_ d: Dynamics) throws {
        for (seed, readout) in [(1, STBPNetwork.Readout.spikeCount), (2, .potential), (3, .spikeCount)] as [(UInt64, STBPNetwork.Readout)] {
            var net = try network([30, 21, 13, 6], d, readout: readout, seed: seed, gain: d.synapse == .delta ? 2.5 : 4)
            net.membraneTimeConstants = [10, 3.7, 25]
            var spikes = input(size: 30, steps: 25, rate: 0.4, seed: seed)
            spikes.spikes[3] = (spikes.spikes[3] + [5, 5, 5]).sorted()
            let steps = net.steps(forInputSteps: 25) + 5
            let run = try STBPEngineRun(net, input: spikes, steps: steps)
            let activity = run.activity
            var total = 0
            for l in 1..<net.layerCount {
                #expect(run.engineSpikes[l - 1] == run.trainingSpikes[l - 1], "layer \(l), seed \(seed), \(d)")
                total += run.trainingSpikes[l - 1].count
            }
            #expect(total > 50, "the network should be active: \(total) spikes (\(d))")
            if readout == .potential {
                // The non-spiking readout's potential is the engine's, bit for bit, at the end.
                let last = run.layers[run.layers.count - 1]
                for j in 0..<6 {
                    #expect(try run.simulator.potential(of: last, neuron: j) == activity.potentials[2][(steps - 1) * 6 + j])
                }
            }
            if d.adaptation != nil { #expect(activity.thresholds[0].contains { $0 > 1.5 }, "the thresholds should adapt") }
        }
    }

    @Test("Weight and leak gradients equal central finite differences of the smooth network", arguments: cases)
    func gradientCheck(_ d: Dynamics) throws {
        for (readout, loss) in [(STBPNetwork.Readout.spikeCount, STBPLoss.crossEntropy), (.potential, .crossEntropy), (.spikeCount, .rateMSE)] {
            var net = try network([8, 6, 4], d, readout: readout, seed: 11, gain: d.synapse == .delta ? 1.2 : 0.8)
            net.membraneTimeConstants = [4, 9]
            let spikes = input(size: 8, steps: 12, rate: 0.5, seed: 5)
            let check = STBPGradientCheck(input: spikes, steps: net.steps(forInputSteps: 12) + 2, label: 2, loss: loss, beta: 4)
            let (gradient, leak) = check.backpropagated(net)
            let (worst, checked) = check.compareWeights(net, gradient)
            #expect(worst < 1e-5, "\(d) \(readout) \(loss): worst relative error \(worst)")
            #expect(checked > 40, "\(checked) non-zero gradient entries")
            for l in 0..<2 {
                // At τm = τₛ (layer 1 of the τₛ = 4 case) κ takes its limit form and the
                // difference quotient steps over LIFExp's cancellation band (|τₛ − τm| < 1e-4·τm).
                let numeric = check.leakDifference(net, layer: l, step: net.membraneTimeConstants[l] == d.synapse.tauSyn ? 1e-3 : 1e-5)
                #expect(abs(numeric) > 1e-7, "\(d): τm of layer \(l + 1) should matter")
                #expect(abs(numeric - leak[l]) <= 1e-5 * max(abs(numeric), 1e-4), "\(d) \(readout) \(loss) layer \(l + 1): \(leak[l]) vs \(numeric)")
            }
        }
    }

    @Test("Training separates two input patterns with each dynamics", arguments: cases)
    func training(_ d: Dynamics) throws {
        let (inputs, labels) = STBPTests.twoPatterns(80)
        let net = try network([20, 16, 2], d, seed: 4, gain: 1)
        var trainer = try STBPTrainer(network: net, learningRate: 0.01, surrogate: .arctan(alpha: 2), loss: .crossEntropy, batch: 8)
        var last = (loss: 0.0, accuracy: 0.0)
        for _ in 0..<15 { last = try trainer.epoch(inputs, labels: labels, order: Array(0..<80), steps: net.steps(forInputSteps: 10)) }
        #expect(last.accuracy >= 0.95, "\(d): training accuracy \(last.accuracy)")
    }

    @Test("Model files keep the synapse, adaptation and reset; inconsistent ones are typed errors", arguments: cases)
    func modelFile(_ d: Dynamics) throws {
        var net = try network([6, 5, 3], d, seed: 2, gain: 1)
        net.membraneTimeConstants = [7.5, 12]
        let file = STBPModelFile(network: net, inputSteps: 10, seed: 2, epochs: 1)
        let data = try JSONEncoder().encode(file)
        let back = try JSONDecoder().decode(STBPModelFile.self, from: data).network(source: "m.json")
        #expect(back.synapse == d.synapse && back.adaptation == d.adaptation && back.neuron.reset == d.reset)
        #expect(back.weights == net.weights && back.membraneTimeConstants == net.membraneTimeConstants)
        var bad = file
        bad.reset = "soft"
        #expect { try bad.network(source: "m.json") } throws: { "\($0)".contains("m.json") && "\($0)".contains("soft") }
        bad = file
        bad.tauAdapt = d.adaptation == nil ? 100 : nil
        #expect { try bad.network(source: "m.json") } throws: { "\($0)".contains("tau_adapt_ms") }
        bad = file
        bad.tauSyn = -2
        #expect { try bad.network(source: "m.json") } throws: { "\($0)".contains("m.json") && "\($0)".contains("tauSyn") }
    }

    @Test("Refused: adaptation with delta synapses, τs within 1e-4·τm of τm, subtraction with tRef > 0, bad β and τ_adapt")
    func refusals() {
        let membrane = LIFDelta(tauM: 10, vRest: 0, vReset: 0, vThreshold: 1, tRef: 0)
        #expect { try STBPNetwork(layerSizes: [4, 2], neuron: membrane, adaptation: STBPAdaptation(beta: 1, tauAdapt: 100)) } throws: {
            "\($0)".contains("adaptation") && "\($0)".contains("exponential synapses")
        }
        #expect { try STBPNetwork(layerSizes: [4, 2], neuron: membrane, synapse: .exponential(tauSyn: 10.0001)) } throws: { "\($0)".contains("tauSynExc") }
        #expect { try STBPNetwork(layerSizes: [4, 2], neuron: membrane, synapse: .exponential(tauSyn: -1)) } throws: { "\($0)".contains("tauSynExc") }
        #expect { try STBPNetwork(layerSizes: [4, 2], neuron: membrane, synapse: .exponential(tauSyn: 5), adaptation: STBPAdaptation(beta: -1, tauAdapt: 100)) } throws: {
            "\($0)".contains("beta")
        }
        #expect { try STBPNetwork(layerSizes: [4, 2], neuron: membrane, synapse: .exponential(tauSyn: 5), adaptation: STBPAdaptation(beta: 1, tauAdapt: 0)) } throws: {
            "\($0)".contains("tauAdapt")
        }
        #expect { try STBPNetwork(layerSizes: [4, 2], neuron: LIFDelta(vRest: 0, vReset: 0, vThreshold: 1, tRef: 1, reset: .bySubtraction)) } throws: {
            "\($0)".contains("tRef")
        }
        let pool = STBPConnection.maxPooling(PoolingGeometry(channels: 1, inputHeight: 4, inputWidth: 4, size: 2))
        #expect { try STBPNetwork(layerSizes: [16, 4, 2], connections: [pool, .dense], neuron: membrane, synapse: .exponential(tauSyn: 5)) } throws: {
            "\($0)".contains("pooling needs delta synapses")
        }
    }

    @Test("Initial weights are scaled by the unit PSP's peak, so exponential synapses start as excitable as delta ones")
    func initialization() throws {
        let membrane = LIFDelta(tauM: 10, vRest: 0, vReset: 0, vThreshold: 1, tRef: 0)
        var delta = try STBPNetwork(layerSizes: [50, 10], neuron: membrane)
        var exp = try STBPNetwork(layerSizes: [50, 10], neuron: membrane, synapse: .exponential(tauSyn: 5))
        #expect(delta.unitPSPPeak(ofLayer: 1) == 1)
        // Continuous-time peak of τₛ/(τₛ − τm)·(e^(−t/τₛ) − e^(−t/τm)) with τm 10, τₛ 5 ms: 0.25 at
        // t = 10·ln 2 ≈ 6.93 ms; on the 1 ms grid the peak is at 7 ms, a little below.
        let peak = exp.unitPSPPeak(ofLayer: 1)
        let atSeven = 5.0 / (5 - 10) * (Foundation.exp(-7.0 / 5) - Foundation.exp(-7.0 / 10))
        #expect(abs(peak - atSeven) < 1e-12, "\(peak) vs \(atSeven)")
        delta.initialize(gain: 1, seed: 3)
        exp.initialize(gain: 1, seed: 3)
        for k in delta.weights[0].indices { #expect(abs(exp.weights[0][k] * peak - delta.weights[0][k]) < 1e-12) }
    }
}
