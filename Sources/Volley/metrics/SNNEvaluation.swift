/// The evaluation SNN papers report besides accuracy (Deng et al., *Rethinking the performance
/// comparison between SNNs and ANNs*, Neural Networks 121, 2020): memory, compute and an energy
/// estimate of a classifier, per sample.
///
/// * **Memory** (bytes) = weight memory (synapses × bytes per stored weight) + membrane memory
///   (model neurons × bytes of one neuron's state) + spike memory (the most spikes emitted in one
///   time step, over all samples, × 4 bytes: one 32-bit address per spike, AER).
/// * **Compute**: synaptic operations (accumulates, SynOps) counted from the event stream, against
///   the multiply-accumulates (MACs) of the equivalent ANN (one per synapse per sample).
/// * **Energy estimate** = SynOps × E_AC vs MACs × E_MAC, with E_AC = 0.9 pJ and E_MAC = 4.6 pJ,
///   the 32-bit floating-point add and multiply + add of Horowitz (ISSCC 2014, 45 nm). An
///   estimate: it ignores memory access, which dominates real hardware.
public struct SNNEvaluation: Sendable, Encodable, Equatable {
    /// Energy per accumulate (J): 32-bit float add, 45 nm (Horowitz 2014).
    public static let accumulateJoules = 0.9e-12
    /// Energy per multiply-accumulate (J): 32-bit float multiply (3.7 pJ) + add (0.9 pJ).
    public static let multiplyAccumulateJoules = 4.6e-12
    /// Bytes per spike in the spike memory (a 32-bit neuron address).
    public static let bytesPerSpike = 4

    public var samples: Int
    public var accuracy: Double
    /// How the class is read out: "spike_count", "spike_count_then_first_spike" (ties of the
    /// count decided by the earliest first spike), "first_spike", or "potential".
    public var decision: String
    /// Model (non-input) neurons.
    public var neurons: Int
    public var synapses: Int
    public var weightBytes: Int
    public var membraneBytes: Int
    /// The most spikes of model neurons in one time step (ms bins of `stepMs` in the event-driven
    /// engine), over all samples.
    public var peakSpikesPerStep: Int
    public var stepMs: Double
    public var spikeBytes: Int { peakSpikesPerStep * Self.bytesPerSpike }
    public var memoryBytes: Int { weightBytes + membraneBytes + spikeBytes }
    /// Synaptic operations (accumulates) per sample, counted.
    public var synopsPerSample: Double
    /// Multiply-accumulates per sample of the equivalent ANN.
    public var annMACsPerSample: Double
    public var energyEstimateJoules: Double { synopsPerSample * Self.accumulateJoules }
    public var annEnergyEstimateJoules: Double { annMACsPerSample * Self.multiplyAccumulateJoules }
    /// Spikes of model neurons per neuron per sample.
    public var spikesPerNeuron: Double
    /// Time from the sample's onset to the decision (ms): the mean first output spike for
    /// first-spike readouts, the presentation length for spike counts.
    public var latencyMs: Double

    public init(
        samples: Int, accuracy: Double, decision: String, neurons: Int, synapses: Int, weightBytes: Int,
        membraneBytes: Int, peakSpikesPerStep: Int, stepMs: Double, synopsPerSample: Double,
        annMACsPerSample: Double, spikesPerNeuron: Double, latencyMs: Double
    ) {
        self.samples = samples
        self.accuracy = accuracy
        self.decision = decision
        self.neurons = neurons
        self.synapses = synapses
        self.weightBytes = weightBytes
        self.membraneBytes = membraneBytes
        self.peakSpikesPerStep = peakSpikesPerStep
        self.stepMs = stepMs
        self.synopsPerSample = synopsPerSample
        self.annMACsPerSample = annMACsPerSample
        self.spikesPerNeuron = spikesPerNeuron
        self.latencyMs = latencyMs
    }

    /// Bytes of the stored weights of every projection of `network` (weight memory).
    public static func weightBytes(of network: Network) -> Int {
        network.projections.reduce(0) { $0 + $1.weights.memoryBytes }
    }

    /// Bytes of one state per model neuron of `network` (membrane memory).
    public static func membraneBytes(of network: Network) -> Int {
        func stateBytes<M: NeuronModel>(_ model: M) -> Int { MemoryLayout<M.State>.stride }
        return network.populations.reduce(0) { total, p in total + (p.model.map { stateBytes($0) * p.size } ?? 0) }
    }

    /// The most spikes in one bin of `stepMs` among spike times (ms) of one sample.
    public static func peakSpikes(inBinsOf stepMs: Double, times: some Sequence<Double>) -> Int {
        var bins: [Int: Int] = [:]
        for t in times where t.isFinite { bins[Int((t / stepMs).rounded(.down)), default: 0] += 1 }
        return bins.values.max() ?? 0
    }

    /// Evaluations of parts of a test set (cross-validation folds) as one: means weighted by
    /// samples (the latency over parts that decided any sample), the peak of the peaks, the
    /// architecture (memory, synapses) of the first part.
    public static func pooled(_ parts: [SNNEvaluation]) -> SNNEvaluation? {
        guard var total = parts.first else { return nil }
        let n = Double(parts.reduce(0) { $0 + $1.samples })
        func mean(_ value: (SNNEvaluation) -> Double) -> Double {
            parts.reduce(0) { $0 + value($1) * Double($1.samples) } / n
        }
        total.samples = Int(n)
        total.accuracy = mean(\.accuracy)
        total.synopsPerSample = mean(\.synopsPerSample)
        total.spikesPerNeuron = mean(\.spikesPerNeuron)
        let decided = parts.filter { $0.latencyMs.isFinite }
        let decidedSamples = Double(decided.reduce(0) { $0 + $1.samples })
        total.latencyMs = decidedSamples > 0 ? decided.reduce(0) { $0 + $1.latencyMs * Double($1.samples) } / decidedSamples : .nan
        total.peakSpikesPerStep = parts.map(\.peakSpikesPerStep).max() ?? 0
        return total
    }

    /// The human-readable lines of the report.
    public var summary: String {
        let mb = { (b: Int) in Format.fixed(Double(b) / 1_048_576, 2) + " MB" }
        return """
            evaluation (Deng et al. 2020) over \(samples) samples: accuracy \(Format.fixed(100 * accuracy, 2))% (\(decision.replacingOccurrences(of: "_", with: " "))), latency \(Format.fixed(latencyMs, 2)) ms
              memory \(mb(memoryBytes)) = weights \(mb(weightBytes)) (\(synapses) synapses) + membranes \(mb(membraneBytes)) (\(neurons) neurons) + spikes \(spikeBytes) B (peak \(peakSpikesPerStep) per \(Format.fixed(stepMs, 2)) ms step)
              compute \(Format.engineering(synopsPerSample)) SynOps per sample vs \(Format.engineering(annMACsPerSample)) MACs of the equivalent ANN; \(Format.fixed(spikesPerNeuron, 3)) spikes per neuron per sample
              energy estimate \(Format.scientific(energyEstimateJoules, 2)) J per sample vs ANN \(Format.scientific(annEnergyEstimateJoules, 2)) J (0.9 pJ per accumulate, 4.6 pJ per MAC, 45 nm; compute only)
            """
    }

    enum CodingKeys: String, CodingKey {
        case samples = "evaluation_samples", decision, neurons = "model_neurons", synapses = "synapse_count"
        case weightBytes = "weight_bytes", membraneBytes = "membrane_bytes", spikeBytes = "spike_bytes"
        case memoryBytes = "memory_bytes", peakSpikesPerStep = "peak_spikes_per_step", stepMs = "step_ms"
        case synopsPerSample = "synops_per_sample", annMACsPerSample = "ann_macs_per_sample"
        case energyEstimateJoules = "energy_estimate_joules", annEnergyEstimateJoules = "ann_energy_estimate_joules"
        case spikesPerNeuron = "spikes_per_neuron", latencyMs = "latency_ms"
    }

    /// JSON with the keys above; a figure that does not exist (the latency when no sample was
    /// decided) is null, since JSON has no NaN.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        func number(_ value: Double, _ key: CodingKeys) throws {
            if value.isFinite { try c.encode(value, forKey: key) } else { try c.encodeNil(forKey: key) }
        }
        try c.encode(samples, forKey: .samples)
        try c.encode(decision, forKey: .decision)
        try c.encode(neurons, forKey: .neurons)
        try c.encode(synapses, forKey: .synapses)
        try c.encode(weightBytes, forKey: .weightBytes)
        try c.encode(membraneBytes, forKey: .membraneBytes)
        try c.encode(spikeBytes, forKey: .spikeBytes)
        try c.encode(memoryBytes, forKey: .memoryBytes)
        try c.encode(peakSpikesPerStep, forKey: .peakSpikesPerStep)
        try number(stepMs, .stepMs)
        try number(synopsPerSample, .synopsPerSample)
        try number(annMACsPerSample, .annMACsPerSample)
        try number(energyEstimateJoules, .energyEstimateJoules)
        try number(annEnergyEstimateJoules, .annEnergyEstimateJoules)
        try number(spikesPerNeuron, .spikesPerNeuron)
        try number(latencyMs, .latencyMs)
    }
}
