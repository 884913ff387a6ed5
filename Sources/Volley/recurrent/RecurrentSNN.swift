import Foundation

/// A recurrent network of leaky integrate-and-fire neurons, some with an adaptive threshold
/// (the LSNN of Bellec et al., *Long short-term memory and learning-to-learn in networks of
/// spiking neurons*, NeurIPS 2018), with a leaky non-spiking readout, on a time grid of `dt`.
///
/// Every recurrent neuron is Volley's `AdaptiveLIF` (threshold increment β = 0 for the regular
/// ones), reset by subtraction, tRef = 0; the readout is a `LIFDelta` that never fires. For step
/// n ≥ 1, with pₘ = e^(−dt/τm), pₛ = e^(−dt/τₛ), κ the current-to-voltage coefficient of
/// `LIFExp`, ρ = e^(−dt/τ_adapt), pₒ = e^(−dt/τ_out):
///
///     vₙ = V∞ + (vₙ₋₁ − zₙ₋₁·(θ₀ − vReset) − V∞)·pₘ + cₙ₋₁·κ     (potential before the reset)
///     ãₙ = (ãₙ₋₁ + zₙ₋₁)·ρ                                          (adaptation)
///     zₙ = H(vₙ − θₙ),  θₙ = θ₀ + β·ãₙ                               (spike)
///     cₙ = cₙ₋₁·pₛ + Σᵢ W_in[i, j]·xᵢ,ₙ₋₁ + Σᵢ W_rec[i, j]·zᵢ,ₙ₋₁    (synaptic current)
///     yₖ,ₙ = yₖ,ₙ₋₁·pₒ + Σⱼ W_out[j, k]·zⱼ,ₙ₋₁                       (readout, mV)
///
/// (v₀ = V∞, c₀ = ã₀ = y₀ = 0; every connection has one step of delay, as in the engines). These
/// are exactly the time-stepped engine's updates, so `forward` gives bit-identical spikes to
/// `TimeSteppedSimulator` running `engineNetwork()` (tested).
public struct RecurrentSNN: Sendable {
    /// Neuron and readout constants, named as in Bellec et al. 2020 where they have a name there.
    public struct Parameters: Sendable, Equatable, Codable {
        /// Membrane time constant τm (ms).
        public var tauM: Double = 20
        /// Synaptic current time constant τₛ (ms) of `LIFExp` (AdaptiveLIF's membrane).
        public var tauSyn: Double = 5
        /// Baseline threshold θ₀ (mV above rest; rest and reset are 0 mV).
        public var vThreshold: Double = 0.6
        /// Threshold increment per spike β (mV) of the adaptive neurons.
        public var beta: Double = 0.0174
        /// Adaptation time constant τ_adapt (ms).
        public var tauAdapt: Double = 2000
        /// Readout time constant τ_out (ms).
        public var tauOut: Double = 20
        /// Time step (ms); also the delay of every connection.
        public var dt: Double = 1

        public init() {}

        func validate() throws {
            for (name, value) in [("tauM", tauM), ("tauSyn", tauSyn), ("vThreshold", vThreshold), ("tauAdapt", tauAdapt), ("tauOut", tauOut)] {
                guard value.isFinite, value > 0 else {
                    throw VolleyError.invalidParameter(name: name, value: "\(value)", reason: "must be finite and > 0")
                }
            }
            guard beta.isFinite, beta >= 0 else {
                throw VolleyError.invalidParameter(name: "beta", value: "\(beta)", reason: "threshold increment must be finite and ≥ 0 mV")
            }
            guard dt.isFinite, dt > 0, dt <= 100 else {
                throw VolleyError.invalidParameter(name: "dt", value: "\(dt)", reason: "must be in (0, 100] ms")
            }
            try membrane.validate()
        }

        /// The recurrent neurons' membrane as the engines run it.
        var membrane: LIFExp {
            LIFExp(tauM: tauM, tauSynExc: tauSyn, tauSynInh: tauSyn, vRest: 0, vReset: 0, vThreshold: vThreshold, tRef: 0, reset: .bySubtraction)
        }

        /// The readout as the engines run it: a `LIFDelta` that never fires.
        var readout: LIFDelta {
            LIFDelta(tauM: tauOut, vRest: 0, vReset: 0, vThreshold: .greatestFiniteMagnitude, tRef: 0)
        }
    }

    public let inputs: Int
    /// Recurrent neurons without (first) and with (after them) threshold adaptation.
    public let regular: Int
    public let adaptive: Int
    public let outputs: Int
    public let parameters: Parameters
    /// W_in[i·n + j] (mV): from input i to recurrent neuron j (n = `size`).
    public var inputWeights: [Double]
    /// W_rec[i·n + j] (mV): from recurrent neuron i to j; the diagonal stays 0 (no autapses).
    public var recurrentWeights: [Double]
    /// W_out[j·outputs + k] (mV): from recurrent neuron j to readout k.
    public var outputWeights: [Double]

    /// Recurrent neurons.
    public var size: Int { regular + adaptive }

    public init(inputs: Int, regular: Int, adaptive: Int, outputs: Int, parameters: Parameters = Parameters()) throws {
        for (name, value) in [("inputs", inputs), ("outputs", outputs)] where !(1...1 << 20).contains(value) {
            throw VolleyError.invalidParameter(name: name, value: "\(value)", reason: "must be 1…2²⁰")
        }
        guard regular >= 0, adaptive >= 0, regular + adaptive >= 1, regular + adaptive <= 1 << 14 else {
            throw VolleyError.invalidParameter(
                name: "recurrent neurons", value: "\(regular) regular + \(adaptive) adaptive", reason: "need 1…2¹⁴ in all, none negative")
        }
        try parameters.validate()
        self.inputs = inputs
        self.regular = regular
        self.adaptive = adaptive
        self.outputs = outputs
        self.parameters = parameters
        let n = regular + adaptive
        inputWeights = [Double](repeating: 0, count: inputs * n)
        recurrentWeights = [Double](repeating: 0, count: n * n)
        outputWeights = [Double](repeating: 0, count: n * outputs)
    }

    /// Gaussian initialisation as Bellec et al.: W ~ N(0, 1)·g/√(fan-in), scaled by θ₀ over the
    /// peak potential a unit weight causes (`unitPSPPeak`), so that the gain g means the same for
    /// any τₛ; no autapses. The readout weights are N(0, 1)/√n (mV). Seeded.
    public mutating func initialize(inputGain: Double = 1, recurrentGain: Double = 1, seed: UInt64) {
        var rng = Xoshiro256(seed: seed, stream: 0xE9_0B)
        let n = size, scale = parameters.vThreshold / unitPSPPeak
        let inScale = inputGain * scale / Double(inputs).squareRoot()
        let recScale = n > 1 ? recurrentGain * scale / Double(n - 1).squareRoot() : 0
        for k in inputWeights.indices { inputWeights[k] = rng.normal() * inScale }
        for i in 0..<n { for j in 0..<n { recurrentWeights[i * n + j] = i == j ? 0 : rng.normal() * recScale } }
        let outScale = 1 / Double(n).squareRoot()
        for k in outputWeights.indices { outputWeights[k] = rng.normal() * outScale }
    }

    /// The largest potential a unit weight causes in a recurrent neuron on the grid (mV per mV of
    /// weight): maxₙ vₙ of vₙ = vₙ₋₁·pₘ + cₙ₋₁·κ, cₙ = cₙ₋₁·pₛ from c₀ = 1.
    public var unitPSPPeak: Double {
        let k = constants
        return LIFExp.gridPSPPeak(membrane: k.membrane, current: k.current, currentToV: k.currentToV)
    }

    /// Per-step constants, computed by the engines' own propagators.
    var constants: RecurrentConstants {
        let p = parameters
        let lif = p.membrane.propagator(over: p.dt)
        return RecurrentConstants(
            membrane: lif.membrane, current: lif.exc, currentToV: lif.excToV,
            adaptation: AdaptiveLIF(membrane: p.membrane, beta: p.beta, tauAdapt: p.tauAdapt).propagator(over: p.dt).adaptation,
            readout: p.readout.propagator(over: p.dt).decay, resetStep: p.vThreshold)
    }

    /// β of recurrent neuron j.
    @inline(__always) func beta(_ j: Int) -> Double { j < regular ? 0 : parameters.beta }

    /// Throws unless every input index fits.
    public func validate(_ input: STBPInput) throws(VolleyError) {
        for (n, step) in input.spikes.enumerated() {
            if let bad = step.first(where: { $0 < 0 || Int($0) >= inputs }) {
                throw VolleyError.indexOutOfRange(index: Int(bad), count: inputs, context: "input spike at step \(n)")
            }
        }
    }

    // MARK: Engine

    /// The populations of `engineNetwork()`.
    public struct EnginePopulations: Sendable {
        public let input: PopulationID
        /// The regular and the adaptive recurrent neurons (nil when there are none).
        public let regular: PopulationID?
        public let adaptive: PopulationID?
        public let readout: PopulationID
    }

    /// The same network for the simulators: a spike source, the regular and adaptive neurons as two
    /// `AdaptiveLIF` populations (β = 0 and β), the readout as a `LIFDelta` population; every
    /// synapse explicit, with delay dt.
    public func engineNetwork() throws -> (Network, EnginePopulations) {
        var net = Network()
        let p = parameters, n = size
        let input = try net.addSpikeSource("input", size: inputs)
        let reg = regular > 0 ? try net.addPopulation(
            "regular", size: regular, model: AdaptiveLIF(membrane: p.membrane, beta: 0, tauAdapt: p.tauAdapt)) : nil
        let ada = adaptive > 0 ? try net.addPopulation(
            "adaptive", size: adaptive, model: AdaptiveLIF(membrane: p.membrane, beta: p.beta, tauAdapt: p.tauAdapt)) : nil
        let out = try net.addPopulation("readout", size: outputs, model: p.readout)
        // Recurrent neuron j lives in (population, local index).
        let groups: [(PopulationID, Range<Int>)] = [(reg, 0..<regular), (ada, regular..<n)].compactMap { id, r in id.map { ($0, r) } }
        func connect(_ source: PopulationID, _ count: Int, weights: [Double]) throws {
            for (target, range) in groups {
                var synapses: [Synapse] = []
                for i in 0..<count {
                    for j in range where source != target || i != j - range.lowerBound {
                        synapses.append(Synapse(source: i, target: j - range.lowerBound, weight: weights[i * n + j], delay: p.dt))
                    }
                }
                try net.connect(source, to: target, synapses: synapses)
            }
        }
        try connect(input, inputs, weights: inputWeights)
        for (source, range) in groups {
            let rows = Array(recurrentWeights[(range.lowerBound * n)..<(range.upperBound * n)])
            try connect(source, range.count, weights: rows)
            var synapses: [Synapse] = []
            for j in range { for k in 0..<outputs {
                synapses.append(Synapse(source: j - range.lowerBound, target: k, weight: outputWeights[j * outputs + k], delay: p.dt))
            } }
            try net.connect(source, to: out, synapses: synapses)
        }
        return (net, EnginePopulations(input: input, regular: reg, adaptive: ada, readout: out))
    }
}

/// Per-step constants of a `RecurrentSNN` (see its equations).
struct RecurrentConstants {
    /// pₘ, pₛ, κ, ρ, pₒ.
    var membrane: Double
    var current: Double
    var currentToV: Double
    var adaptation: Double
    var readout: Double
    /// θ₀ − vReset: what a spike subtracts.
    var resetStep: Double
}
