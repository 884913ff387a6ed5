/// When a run may end before its end time.
public enum StopCondition: Sendable, Equatable {
    case never
    /// Stop right after the first spike of the population (time-to-first-spike inference).
    case firstSpike(in: PopulationID)
    /// Stop once the population has emitted `count` spikes.
    case spikeCount(Int, in: PopulationID)
    /// Stop once every neuron of the population has fired at least once.
    case allFired(PopulationID)
    /// Stop once the model neurons of all populations together have emitted `count` spikes since
    /// the last reset (source spikes not counted): a budget against runaway activity.
    case modelSpikeCount(Int)

    /// The population the condition watches, if any.
    var population: PopulationID? {
        switch self {
        case .never, .modelSpikeCount: return nil
        case let .firstSpike(p), let .spikeCount(_, p), let .allFired(p): return p
        }
    }
}

/// How a run ended.
public enum RunOutcome: Sendable, Equatable {
    /// All events up to and including the end time were processed.
    case reachedTime(Double)
    /// `run(until: .infinity)` found no more events; the payload is the last event time.
    case queueEmpty(Double)
    /// The stop condition held after the spike at this time.
    case stopped(at: Double)
}

/// Which populations' spikes are recorded.
public enum SpikeRecording: Sendable {
    case all
    case none
    case only([PopulationID])
}
