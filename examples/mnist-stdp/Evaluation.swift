import Volley
import VolleyExamples

/// The evaluation network: the training network's architecture with the learned input weights
/// and the thresholds frozen at their learned values.
struct FrozenNetwork: Sendable {
    let network: Network
    let input: PopulationID
    let excitatory: PopulationID
    let learnedStates: LearnedStates
    /// The longest input delay: a presentation lasts until its last input has arrived.
    let longestInputDelay: Double
    let settings: FrozenSettings

    /// What the evaluation needs of the run's settings.
    struct FrozenSettings: Sendable {
        let engine: String
        let dt: Double
        let seed: UInt64
        let evalFromRest: Bool
    }

    init(_ trained: Trained, _ training: TrainingNetwork, _ s: Settings, pixels: Int) throws {
        var frozen = Network()
        input = try frozen.addSpikeSource("input", size: pixels)
        excitatory = try s.variant.addExcitatory(&frozen, s.neurons, frozen: true)
        let inh = try s.variant.addInhibitory(&frozen, s.neurons, frozen: true)
        let structure = try training.network.projection(training.plastic).structure
        let delays = structure.delays
        let learnedSynapses = (0..<structure.sourceCount).flatMap { i in
            structure.synapses(ofSource: i).map { k in
                Synapse(source: i, target: structure.target(ofSynapse: k), weight: trained.weights[k], delay: delays[k])
            }
        }
        longestInputDelay = delays.max() ?? DC.inputDelay
        try frozen.connect(input, to: excitatory, synapses: learnedSynapses)
        try frozen.connect(excitatory, to: inh, pattern: .oneToOne, weight: .constant(s.variant.excToInh), delay: .constant(DC.lateralDelay))
        try frozen.connect(inh, to: excitatory, synapses: training.lateral, receptor: 1)
        learnedStates = s.variant.learnedStates(theta: trained.theta, adaptation: trained.adaptation, frozen: true)
        network = frozen
        settings = FrozenSettings(engine: s.engine, dt: s.dt, seed: s.seed, evalFromRest: s.evalFromRest)
    }

    /// Responses of the frozen network to images, boosted like training: by default each image
    /// from a reset state; with `--eval-continuous` one continuous run per worker with 150 ms of
    /// rest between images (as during training). Two workers (a fixed partition: image k goes to
    /// worker k mod 2), so results do not depend on the thread count. Returns the responses,
    /// spikes (all, and of the model neurons only) and synaptic events (all presentations), how
    /// many images needed a boosted repeat, and the most model spikes in one time step.
    func responses(_ images: IDXImages, _ indices: [Int], stream: UInt64) throws -> Responses {
        let workers = min(2, indices.count)
        let results = parallelMap(workers) { w in Result { () throws -> ([[Int]], Int, UInt64, Int, Int, Int) in
            let mine = stride(from: w, to: indices.count, by: workers).map { indices[$0] }
            let s = try makeSimulator(network, engine: settings.engine, dt: settings.dt)
            try learnedStates.install(in: s, excitatory)
            s.reset()  // the learned thresholds take effect at a reset
            var out: [[Int]] = [], spikes = 0, boosted = 0, modelSpikes = 0, peak = 0
            var events: UInt64 = 0
            for i in mine {
                let image = images.image(i)
                var intensity = 1.0
                for attempt in 0...DC.maxBoosts {
                    if settings.evalFromRest { s.reset() }
                    let start = s.time, before = try s.spikeCounts(of: excitatory)
                    let (spikesBefore, eventsBefore) = (Int(s.counters.spikes), s.counters.synapticEvents)
                    var rng = Xoshiro256(seed: settings.seed, stream: stream, UInt64(i), UInt64(attempt))
                    let (trains, inputSpikes) = poissonTrains(image, intensity: intensity, start: start, rng: &rng)
                    try s.setSpikeTrains(trains, for: input)
                    try s.run(until: start + DC.presentation + longestInputDelay + DC.lateralDelay)
                    if !settings.evalFromRest { try s.run(until: start + DC.presentation + DC.rest) }
                    spikes += Int(s.counters.spikes) - spikesBefore  // sources included
                    modelSpikes += Int(s.counters.spikes) - spikesBefore - inputSpikes
                    peak = max(peak, s.peakSpikesPerStep)
                    events += s.counters.synapticEvents - eventsBefore
                    let r = try zip(s.spikeCounts(of: excitatory), before).map { $0 - $1 }
                    if r.reduce(0, +) >= DC.minimumSpikes || attempt == DC.maxBoosts {
                        out.append(r)
                        if attempt > 0 { boosted += 1 }
                        break
                    }
                    intensity += DC.boost
                }
            }
            return (out, spikes, events, boosted, modelSpikes, peak)
        } }
        // Re-interleave the strided chunks into the original order.
        var ordered = [[Int]](repeating: [], count: indices.count)
        var total = Responses(responses: [], spikes: 0, synapticEvents: 0, boosted: 0, modelSpikes: 0, peakSpikesPerStep: 0)
        for w in 0..<workers {
            let (out, s, e, b, m, p) = try results[w].get()
            for (k, r) in out.enumerated() { ordered[w + k * workers] = r }
            total.spikes += s
            total.synapticEvents += e
            total.boosted += b
            total.modelSpikes += m
            total.peakSpikesPerStep = max(total.peakSpikesPerStep, p)
        }
        total.responses = ordered
        return total
    }

    struct Responses {
        var responses: [[Int]]
        var spikes: Int
        var synapticEvents: UInt64
        var boosted: Int
        var modelSpikes: Int
        var peakSpikesPerStep: Int
    }

    /// The evaluation report (Deng et al. 2020) of a test run: the frozen network's weights and
    /// states, its time step (1 ms bins when event-driven), the class read from spike counts after
    /// the 350 ms presentation; the equivalent ANN is one dense layer of pixels × neurons.
    func report(_ run: Responses, accuracy: Double, samples: Int) -> SNNEvaluation {
        let n = Double(samples)
        let neurons = network.populations.filter { !$0.isSource }.reduce(0) { $0 + $1.size }
        let excitatoryCount = network.populations[excitatory.index].size
        return SNNEvaluation(
            samples: samples, accuracy: accuracy, decision: "spike_count", neurons: neurons, synapses: network.synapseCount,
            weightBytes: SNNEvaluation.weightBytes(of: network), membraneBytes: SNNEvaluation.membraneBytes(of: network),
            peakSpikesPerStep: run.peakSpikesPerStep, stepMs: settings.engine == "stepped" ? settings.dt : 1,
            synopsPerSample: Double(run.synapticEvents) / n,
            annMACsPerSample: Double(network.populations[input.index].size * excitatoryCount),
            spikesPerNeuron: Double(run.modelSpikes) / n / Double(neurons), latencyMs: DC.presentation)
    }
}
