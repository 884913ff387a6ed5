import Foundation

/// A ReLU network converted into non-leaky integrate-and-fire neurons whose spike rates stand
/// for the activations (Diehl et al. 2015; Rueckauer et al. 2017).
///
/// Every layer of the normalised ANN (`ActivationScales`) becomes a population of `LIFDelta`
/// neurons with τm = +∞ (no leak), θ = 1, no bias, reset by subtraction (V ← V − θ) or to zero,
/// connected with the normalised weights and a delay of one step dt; average pooling keeps its
/// fixed weight 1/size². A neuron whose input is a constant ẑ per step fires ⌊n·ẑ⌋ times in n
/// steps (reset by subtraction, 0 ≤ ẑ ≤ 1), so rates approach the normalised activations.
/// The input is either the pixel values as a **constant current** into the first layer
/// (Σᵢ Ŵᵢⱼxᵢ per step: Rueckauer et al.'s analog input) or **Poisson** spikes (a Bernoulli draw
/// with probability xᵢ per step).
///
/// The class scores are the output layer's accumulated charge, count + V/θ (spike count plus the
/// residual potential: exactly the summed input with reset by subtraction), so equal counts are
/// told apart. `run` steps the network exactly as the time-stepped engine steps `engineNetwork`
/// (the STBP step at decay 1, inputs summed in ascending source order): the same spikes, bit for
/// bit (tested).
public struct RateConversion: Sendable {
    public enum Input: String, Sendable, CaseIterable {
        case current, poisson
    }

    /// The IF network (the normalised weights, `LIFDelta` layers with τm = +∞).
    public let network: STBPNetwork
    /// The normalised ANN it was converted from.
    public let ann: ReLUNetwork
    public let input: Input
    public let seed: UInt64

    /// Converts a normalised ReLU network (`ActivationScales.normalized`).
    public init(normalized ann: ReLUNetwork, reset: ResetMode, input: Input, dt: Double = 1, seed: UInt64 = 1) throws {
        let neuron = LIFDelta(tauM: .infinity, vRest: 0, vReset: 0, vThreshold: 1, tRef: 0, reset: reset)
        var net = try STBPNetwork(layerSizes: ann.layerSizes, connections: ann.connections, neuron: neuron, dt: dt)
        net.weights = ann.weights
        network = net
        self.ann = ann
        self.input = input
        self.seed = seed
    }

    /// What one sample did up to each checkpoint (steps, ascending).
    public struct Outcome: Sendable {
        /// Class scores (count + V/θ of each output neuron) after each checkpoint's step.
        public var scores: [[Double]]
        /// Spikes of non-input neurons up to each checkpoint.
        public var spikes: [Int]
        /// Synaptic events (one per spike and outgoing synapse, input spikes included) delivered
        /// up to each checkpoint, plus, with current input, one add per first-layer neuron and step.
        public var synapticEvents: [Double]
        /// The most non-input spikes in one step.
        public var peakSpikesPerStep: Int
        /// With `layerCounts`: spikes of every neuron by each checkpoint, [checkpoint][layer − 1][neuron].
        public var layerCounts: [[[Double]]] = []
    }

    /// The constant current Σᵢ Ŵᵢⱼxᵢ (mV per step) of first-layer neuron j.
    public func firstLayerCurrent(_ x: [Double]) -> [Double] {
        var current = [Double](repeating: 0, count: network.layerSizes[1])
        ann.propagate(into: 1, from: x, &current)
        return current
    }

    /// Poisson input of sample `index`: at each of `steps` steps input i spikes with probability
    /// xᵢ, from the stream (seed, index).
    public func poissonInput(_ x: [Double], steps: Int, index: Int) -> STBPInput {
        var rng = Xoshiro256(seed: seed, stream: 0xB0F, UInt64(index))
        return STBPInput.bernoulli(x.map { min(1, max(0, $0)) }, steps: steps, rng: &rng)
    }

    /// Runs sample `index` with pixel values `x` ∈ [0, 1] up to the last checkpoint step
    /// (checkpoint T: after the step at time T·dt, as `Simulator.run(until: T·dt)`).
    public func run(_ x: [Double], index: Int, checkpoints: [Int], layerCounts: Bool = false) -> Outcome {
        let last = checkpoints.max() ?? 0
        let layers = network.layerCount - 1
        let classes = network.layerSizes[layers]
        let current = input == .current ? firstLayerCurrent(x) : []
        let spikesIn = input == .poisson ? poissonInput(x, steps: last, index: index) : STBPInput(spikes: [])
        let theta = network.neuron.vThreshold, vReset = network.neuron.vReset
        let drop = theta - vReset
        let subtract = network.neuron.reset == .bySubtraction
        var v = (1...layers).map { [Double](repeating: 0, count: network.layerSizes[$0]) }
        var input = v
        // previous[l]: the neurons of layer l (0: inputs) that fired at the step before.
        var previous = [[Int32]](repeating: [], count: layers + 1)
        var fired = previous
        var counts = [Double](repeating: 0, count: classes)
        var perNeuron = layerCounts ? (1...layers).map { [Double](repeating: 0, count: network.layerSizes[$0]) } : []
        var outcome = Outcome(scores: [], spikes: [], synapticEvents: [], peakSpikesPerStep: 0)
        var spikes = 0, events = 0.0
        var pending = checkpoints.sorted()[...]
        for n in 0...last {
            previous[0] = n >= 1 && n - 1 < spikesIn.spikes.count ? spikesIn.spikes[n - 1] : []
            var inStep = 0
            for l in 1...layers {
                input[l - 1].withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
                if n > 0 {
                    if l == 1 && self.input == .current {
                        input[0] = current
                        events += Double(current.count)
                    } else {
                        network.accumulate(into: l, sources: previous[l - 1], smooth: nil, step: 0, &input[l - 1])
                        for i in previous[l - 1] { events += Double(network.outDegree(layer: l - 1, neuron: Int(i))) }
                    }
                }
                var list: [Int32] = []
                v[l - 1].withUnsafeMutableBufferPointer { v in
                    input[l - 1].withUnsafeBufferPointer { input in
                        for j in 0..<v.count {
                            let a = v[j] + input[j]
                            if a >= theta {
                                list.append(Int32(j))
                                v[j] = subtract ? a - drop : vReset
                            } else {
                                v[j] = a
                            }
                        }
                    }
                }
                inStep += list.count
                fired[l] = list
            }
            for j in fired[layers] { counts[Int(j)] += 1 }
            if layerCounts { for l in 1...layers { for j in fired[l] { perNeuron[l - 1][Int(j)] += 1 } } }
            spikes += inStep
            outcome.peakSpikesPerStep = max(outcome.peakSpikesPerStep, inStep)
            for l in 1...layers { swap(&previous[l], &fired[l]) }
            while let c = pending.first, c == n {
                pending.removeFirst()
                outcome.scores.append((0..<classes).map { counts[$0] + v[layers - 1][$0] / theta })
                outcome.spikes.append(spikes)
                outcome.synapticEvents.append(events)
                if layerCounts { outcome.layerCounts.append(perNeuron) }
            }
        }
        return outcome
    }
}
