import Foundation
import Testing

@testable import Volley

@Suite("STBP decisions: the highest spike count, ties decided by the earliest first output spike")
struct STBPDecisionTests {
    @Test("The rule: a unique count wins whatever the timing; a tie goes to the earliest first spike; equal or absent first spikes stay undecided")
    func rule() {
        let inf = Double.infinity
        // A unique highest count wins even if another class fired earlier.
        #expect(STBPNetwork.decision([3, 5, 1], firstSpikes: [0, 4, 1]) == 1)
        // Tied at 5: class 2 fired at step 2, class 0 at step 3.
        #expect(STBPNetwork.decision([5, 1, 5], firstSpikes: [3, 0, 2]) == 2)
        #expect(STBPNetwork.decision([5, 1, 5], firstSpikes: [2, 0, 3]) == 0)
        // A class outside the tie never wins, however early.
        #expect(STBPNetwork.decision([5, 4, 5, 0], firstSpikes: [7, 0, 6, inf]) == 2)
        // Tied in count and first spike: undecided.
        #expect(STBPNetwork.decision([2, 2, 0], firstSpikes: [4, 4, 1]) == nil)
        // Three-way tie, two share the earliest time: undecided; one earliest: decided.
        #expect(STBPNetwork.decision([2, 2, 2], firstSpikes: [1, 1, 5]) == nil)
        #expect(STBPNetwork.decision([2, 2, 2], firstSpikes: [1, 0.5, 5]) == 1)
        // A silent output layer decides nothing.
        #expect(STBPNetwork.decision([0, 0, 0], firstSpikes: [inf, inf, inf]) == nil)
        // Without first spikes (wrong length) a tie stays undecided.
        #expect(STBPNetwork.decision([1, 1], firstSpikes: []) == nil)
        // The plain rule is unchanged.
        #expect(STBPNetwork.decision([5, 1, 5]) == nil && STBPNetwork.decision([5, 1, 4]) == 0)
    }

    @Test("A forward pass's first output spikes are the steps where each output neuron first fired")
    func firstSpikesOfAPass() throws {
        var net = try STBPNetwork(layerSizes: [20, 12, 5], neuron: LIFDelta(tauM: 10, vRest: 0, vReset: 0, vThreshold: 1, tRef: 0), dt: 1)
        net.initialize(gain: 2.5, seed: 4)
        var rng = Xoshiro256(seed: 4, stream: 3)
        let x = STBPInput.bernoulli((0..<20).map { _ in rng.uniform(0, 0.5) }, steps: 20, rng: &rng)
        let a = net.forward(x, steps: net.steps(forInputSteps: 20))
        let first = a.outputFirstSpikes(size: 5)
        var expected = [Double](repeating: .infinity, count: 5)
        for (n, step) in a.fired[1].enumerated() { for j in step where expected[Int(j)] == .infinity { expected[Int(j)] = Double(n) } }
        #expect(first == expected)
        #expect(first.contains { $0.isFinite } && first.contains { $0 > 0 }, "the outputs should fire, not all at step 0: \(first)")
    }

    /// Samples of a random network whose output counts tie at the top, but not their first spikes.
    func tiedSamples(_ net: STBPNetwork, _ inputs: [STBPInput], steps: Int) -> [Int] {
        inputs.indices.filter { i in
            let a = net.forward(inputs[i], steps: steps)
            return STBPNetwork.decision(net.scores(a)) == nil && STBPNetwork.decision(net.scores(a), firstSpikes: a.outputFirstSpikes(size: 4)) != nil
        }
    }

    @Test("Evaluation on the grid and in both engines applies the tie-break alike; without it the tied samples stay errors", arguments: [1, 2] as [UInt64])
    func evaluationAndEngines(seed: UInt64) throws {
        var net = try STBPNetwork(layerSizes: [24, 16, 4], neuron: LIFDelta(tauM: 10, vRest: 0, vReset: 0, vThreshold: 1, tRef: 0), dt: 1)
        net.initialize(gain: 1.2, seed: seed)
        let inputSteps = 12, steps = net.steps(forInputSteps: inputSteps), end = Double(steps - 1) * net.dt
        let inputs = (0..<60).map { i in
            var rng = Xoshiro256(seed: seed, stream: 7, UInt64(i))
            return STBPInput.bernoulli((0..<24).map { _ in rng.uniform(0, 0.3) }, steps: inputSteps, rng: &rng)
        }
        let tied = tiedSamples(net, inputs, steps: steps)
        #expect(tied.count >= 3, "the check needs samples whose counts tie: \(tied.count)")
        // Labels: each sample's first-spike decision (the grid's), so with the tie-break every
        // decided sample is right; tied samples without one get label 0 (a wrong or a lucky guess).
        var timed = net
        timed.tieBreak = .firstSpike
        let labels = inputs.map { timed.decision(timed.forward($0, steps: steps)) ?? 0 }
        let grid = try STBPEvaluation.evaluate(timed, count: inputs.count, labels: labels, steps: steps) { inputs[$0] }
        let plain = try STBPEvaluation.evaluate(net, count: inputs.count, labels: labels, steps: steps) { inputs[$0] }
        #expect(Int((60 * (grid.accuracy - plain.accuracy)).rounded()) == tied.count, "every tied sample is an error without the tie-break")
        #expect(Int((60 * (plain.undecided - grid.undecided)).rounded()) == tied.count)
        #expect(grid.report(of: timed, steps: steps).decision == "spike_count_then_first_spike")
        // The engines' first output spikes (ms) are the grid's first steps × dt.
        let (engineNet, layers) = try timed.engineNetwork()
        let sims: [Simulator] = [
            try EventDrivenSimulator(network: engineNet, recording: .only([layers[2]])),
            try TimeSteppedSimulator(network: engineNet, dt: 0.5, recording: .only([layers[2]])),
        ]
        for sim in sims {
            for i in inputs.indices {
                sim.reset()
                try sim.setSpikeTrains(inputs[i].spikeTrains(size: 24, dt: 1), for: layers[0])
                try sim.run(until: end)
                let grid = timed.forward(inputs[i], steps: steps).outputFirstSpikes(size: 4)
                #expect(try STBPEngineEvaluation.firstSpikes(sim, output: layers[2], size: 4) == grid.map { $0 * timed.dt }, "sample \(i)")
            }
        }
        for engine in [STBPEngineEvaluation.Engine.eventDriven, .timeStepped(dt: 1), .timeStepped(dt: 0.5)] {
            let run = { (n: STBPNetwork) in
                try STBPEngineEvaluation.run(n, engine: engine, count: inputs.count, labels: labels, until: end) { inputs[$0].spikeTrains(size: 24, dt: 1) }
            }
            #expect(try run(timed).accuracy == grid.accuracy, "\(engine)")
            #expect(try run(net).accuracy == plain.accuracy, "\(engine)")
        }
    }
}
