import Volley
import VolleyExamples

extension LearnedStates {
    /// The learned per-neuron states as network-file state variables (`initial_state`).
    var fileColumns: [String: [Double]] {
        switch self {
        case let .current(states): return ["adaptation": states.map(\.adaptation)]
        case let .conductance(states): return ["theta": states.map(\.theta)]
        case let .integratedConductance(states): return ["theta": states.map { $0.y[3] }]
        }
    }
}

extension FrozenNetwork {
    /// Writes the frozen network — learned weights and thresholds — fed one test image's Poisson
    /// trains (the evaluation's own first presentation of it), as a network file; returns the
    /// excitatory spikes this example's own simulator gives for that presentation, which
    /// `volley run PATH` reproduces.
    func writeNetwork(to path: String, image: [Double], index: Int, description: String) throws -> Int {
        var rng = Xoshiro256(seed: settings.seed, stream: 3, UInt64(index), 0)
        let (trains, _) = poissonTrains(image, intensity: 1, start: 0, rng: &rng)
        var experiment = Experiment(network: network, description: description)
        experiment.run.durationMs = DC.presentation + longestInputDelay + DC.lateralDelay
        experiment.run.engine = settings.engine == "event" ? .event : .stepped
        experiment.run.dtMs = settings.dt
        experiment.initialStates = [try network.population(excitatory).name: learnedStates.fileColumns]
        var file = try experiment.file()
        let inputName = try network.population(input).name
        guard let k = file.populations.firstIndex(where: { $0.name == inputName }) else { return 0 }
        file.populations[k].source?.trainsMs = trains
        try file.write(to: path)

        let sim = try makeSimulator(network, engine: settings.engine, dt: settings.dt)
        try learnedStates.install(in: sim, excitatory)
        sim.reset()
        try sim.setSpikeTrains(trains, for: input)
        try sim.run(until: experiment.run.durationMs)
        return try sim.spikeCount(of: excitatory)
    }
}
