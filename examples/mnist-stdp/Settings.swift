import Volley

/// Everything a run of the example is configured with, from the command line or a saved model.
struct Settings {
    var neurons: Int
    var trainSamples: Int
    var epochs: Int
    /// The number of the first epoch trained (> 1 when resuming), which selects its Poisson trains.
    var firstEpoch: Int
    var assignSamples: Int
    var testSamples: Int
    var progressEvery: Int
    /// "eq4" or "code".
    var ruleName: String
    var xTar: Double
    /// "event" or "stepped".
    var engine: String
    var dt: Double
    /// Threads of the engine during training (`--threads`; nil: auto).
    var threads: Int?
    var variant: Variant
    var inhibition: Double
    var inputTotal: Double
    var seed: UInt64
    var randomDelays: Bool
    /// Each labelling or test image from a reset state (default), or one continuous run per core.
    var evalFromRest: Bool

    var thetaPlus: Double { variant.thetaPlus }
}

/// The training network: inputs, excitatory and inhibitory populations, the plastic projection.
struct TrainingNetwork {
    let network: Network
    let input: PopulationID
    let excitatory: PopulationID
    let plastic: ProjectionID
    /// The lateral inhibition synapses (inhibitory neuron i → every excitatory neuron but i).
    let lateral: [Synapse]

    /// Diehl & Cook's architecture with the given settings.
    init(_ s: Settings, pixels: Int) throws {
        var net = Network()
        input = try net.addSpikeSource("input", size: pixels)
        excitatory = try s.variant.addExcitatory(&net, s.neurons, frozen: false)
        let inh = try s.variant.addInhibitory(&net, s.neurons, frozen: false)
        var delayRng = Xoshiro256(seed: s.seed, stream: 9)
        let inputDelays: DelaySpec = s.randomDelays
            ? .values((0..<(pixels * s.neurons)).map { _ in Double(1 + delayRng.index(below: DC.randomInputDelaySteps)) * DC.randomInputDelayStep })
            : .constant(DC.inputDelay)
        plastic = try net.connect(input, to: excitatory, pattern: .allToAll(), weight: .uniform(0, 0.3 * s.variant.gain), delay: inputDelays, seed: s.seed)
        try net.setPlasticity(.diehlCook(DC.rule(xTar: s.xTar, triplet: s.ruleName == "code", gain: s.variant.gain)), for: plastic)
        try net.connect(excitatory, to: inh, pattern: .oneToOne, weight: .constant(s.variant.excToInh), delay: .constant(DC.lateralDelay))
        lateral = (0..<s.neurons).flatMap { i in
            (0..<s.neurons).compactMap { j in i == j ? nil : Synapse(source: i, target: j, weight: s.inhibition, delay: DC.lateralDelay) }
        }
        try net.connect(inh, to: excitatory, synapses: lateral, receptor: 1)
        network = net
    }
}
