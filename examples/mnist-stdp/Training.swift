import Foundation
import Volley
import VolleyExamples

/// The learned weights and thresholds (trained here, or loaded), and training's figures.
struct Trained {
    var weights: [Double]
    var theta: [Double]
    var adaptation: [Double]?
    var presentations = 0, boosts = 0
    var seconds = 0.0, spikes = 0.0
    var synapticEvents: UInt64 = 0, plasticityUpdates: UInt64 = 0
    var excitatorySpikes = 0
    /// Threads of the training simulation.
    var threads = 1
    /// (images presented, running accuracy) per progress window.
    var curve: [(images: Double, accuracy: Double)] = []
}

/// Diehl & Cook's training protocol in one continuous simulation, weights and thresholds carried
/// from image to image: each image is presented for 350 ms of Poisson input and followed by 150 ms
/// of rest; an image that draws fewer than 5 excitatory spikes is shown again with stronger input;
/// the input weights are normalised after every presentation. A progress line (and a point of the
/// training curve) every `progressEvery` images reports the running accuracy with labels assigned
/// from the window before.
func train(
    _ net: TrainingNetwork, _ s: Settings, images: [[Double]], labels: [Int], resumed: SavedModel?,
    resumedFrom path: String?
) throws -> Trained {
    let trainStart = Date()
    let threads = try s.threads ?? (ProcessInfo.processInfo.environment["VOLLEY_THREADS"] != nil
        ? Simulator.defaultThreads() : TimeSteppedSimulator.automaticThreads(for: net.network))
    let sim = try makeSimulator(net.network, engine: s.engine, dt: s.dt, threads: threads)
    let exc = net.excitatory
    let neurons = s.neurons
    try s.variant.prepareTraining(sim, exc, neurons)
    if let resumed {
        try s.variant.learnedStates(theta: resumed.thetaMv, adaptation: resumed.adaptation, frozen: false).install(in: sim, exc)
        sim.reset()
        try sim.setWeights(resumed.weightsInputMajor, of: net.plastic)
        print("resuming: \(neurons) neurons from \(path ?? "?"), θ mean \(Format.fixed(resumed.thetaMv.reduce(0, +) / Double(neurons), 2)) mV; first epoch \(s.firstEpoch)")
    }
    try sim.normalizeIncomingWeights(of: net.plastic, toTotal: s.inputTotal)
    var presentations = 0, inputSpikes = 0, boosts = 0
    var excSpikesTotal = 0
    var window: [(response: [Int], label: Int)] = []
    var assignments = [Int](repeating: -1, count: neurons)
    var windowCorrect = 0, windowScored = 0
    var curve: [(images: Double, accuracy: Double)] = []
    var previous = try sim.spikeCounts(of: exc)
    // Images presented before this run (earlier epochs of a resumed model), for the curve.
    let imagesBefore = (s.firstEpoch - 1) * s.trainSamples
    for epoch in s.firstEpoch..<(s.firstEpoch + s.epochs) {
        for k in 0..<s.trainSamples {
            var intensity = 1.0
            var response: [Int] = []
            for attempt in 0...DC.maxBoosts {
                var rng = Xoshiro256(seed: s.seed, stream: 1, UInt64(epoch), UInt64(k), UInt64(attempt))
                let (trains, n) = poissonTrains(images[k], intensity: intensity, start: sim.time, rng: &rng)
                inputSpikes += n
                try sim.setSpikeTrains(trains, for: net.input)
                try sim.run(until: sim.time + DC.presentation)
                let counts = try sim.spikeCounts(of: exc)
                response = zip(counts, previous).map { $0 - $1 }
                previous = counts
                try sim.run(until: sim.time + DC.rest)
                let after = try sim.spikeCounts(of: exc)
                for j in 0..<neurons { response[j] += after[j] - previous[j] }
                previous = after
                try sim.normalizeIncomingWeights(of: net.plastic, toTotal: s.inputTotal)
                presentations += 1
                if response.reduce(0, +) >= DC.minimumSpikes || attempt == DC.maxBoosts { break }
                intensity += DC.boost
                boosts += 1
            }
            excSpikesTotal += response.reduce(0, +)
            let label = labels[k]
            if assignments.contains(where: { $0 >= 0 }) {
                windowScored += 1
                if classify(response, assignments: assignments) == label { windowCorrect += 1 }
            }
            window.append((response, label))
            let done = (epoch - s.firstEpoch) * s.trainSamples + k + 1
            if window.count == s.progressEvery {
                let elapsed = Date().timeIntervalSince(trainStart)
                let running = windowScored > 0 ? Double(windowCorrect) / Double(windowScored) : .nan
                if windowScored > 0 { curve.append((Double(imagesBefore + done), running)) }
                print("epoch \(epoch), image \(done)/\(s.epochs * s.trainSamples): running accuracy \(windowScored > 0 ? Format.fixed(running * 100, 1) + "%" : "n/a") (last \(s.progressEvery), labels from the \(s.progressEvery) before), \(Format.fixed(Double(done) / elapsed, 1)) images/s, \(Format.fixed(Double(excSpikesTotal) / Double(done), 1)) exc spikes/image, \(boosts) boosts")
                assignments = assignLabels(responses: window.map(\.response), labels: window.map(\.label), neurons: neurons)
                window.removeAll(keepingCapacity: true)
                windowCorrect = 0
                windowScored = 0
            }
        }
    }
    let trainSeconds = Date().timeIntervalSince(trainStart)
    let counters = sim.counters
    let (theta, adaptation) = try s.variant.thresholds(sim, exc, neurons)
    let trainSpikes = Double(counters.spikes)  // sources included
    print("training: \(presentations) presentations (\(boosts) boosted repeats) in \(Format.fixed(trainSeconds, 1)) s = \(Format.fixed(Double(presentations) / trainSeconds, 1)) presentations/s; \(Format.fixed(trainSpikes / Double(presentations), 0)) spikes and \(Format.fixed(Double(counters.synapticEvents) / Double(presentations), 0)) synaptic events per presentation; θ mean \(Format.fixed(theta.reduce(0, +) / Double(neurons), 2)) mV, max \(Format.fixed(theta.max() ?? 0, 2)) mV")
    return Trained(
        weights: try sim.weights(of: net.plastic), theta: theta, adaptation: adaptation,
        presentations: presentations, boosts: boosts, seconds: trainSeconds, spikes: trainSpikes,
        synapticEvents: counters.synapticEvents, plasticityUpdates: sim.plasticityUpdates, excitatorySpikes: excSpikesTotal,
        threads: sim.threadCount, curve: curve)
}
