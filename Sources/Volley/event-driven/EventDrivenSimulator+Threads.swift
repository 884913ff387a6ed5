extension Network {
    /// The shortest synaptic delay (ms) of any projection; +∞ without synapses.
    public var minimumDelay: Double {
        projections.reduce(Double.infinity) { shortest, projection in
            let s = projection.structure
            return (0..<s.groupCount).reduce(shortest) { Swift.min($0, s.groupDelay[$1]) }
        }
    }
}

extension EventDrivenSimulator {
    /// How many threads the event-driven engine runs for `network` when `requested` are asked
    /// for, and why fewer, if so.
    static func threadPlan(_ network: Network, requested: Int) -> (threads: Int, reason: String?) {
        let shortest = network.minimumDelay
        if shortest < minimumWindow {
            return (1, "the shortest delay, \(shortest) ms, is below \(minimumWindow) ms: a lookahead that short makes the threads wait for each other more than they gain")
        }
        return (requested, nil)
    }

    /// A run on the threads' shards: on all threads at once, or — with a stop condition or
    /// state recordings, which need every event in the total order as it happens — one event at
    /// a time on this thread.
    func advance(_ parallel: EventThreads, until end: Double, stop: StopCondition) -> RunOutcome {
        defer { counters.add(parallel.takeCounters()) }
        let serialReason: String? =
            stop != .never ? "a stop condition must end the run at the first instant it holds"
            : !stateRecordings.isEmpty ? "state recordings sample every neuron at the same instants" : nil
        if let serialReason {
            threadsOfLastRun = 1
            oneThreadReason = "this run: \(serialReason), so it processed the threads' events one at a time on one thread"
            return advanceSerially(parallel, until: end, stop: stop)
        }
        threadsOfLastRun = threads
        oneThreadReason = nil
        parallel.advanceInSegments(until: end) { [unowned self] merged in noteSpikes(inOrder: merged) }
        return finishRun(stoppedAt: .infinity, end: end, lastEventTime: Swift.max(time, parallel.lastEventTime))
    }

    /// The shards' events one at a time, in the total order across all of them.
    private func advanceSerially(_ parallel: EventThreads, until end: Double, stop: StopCondition) -> RunOutcome {
        var stopTime = Double.infinity
        var lastEventTime = time
        while true {
            let (k, t, kind, p) = parallel.earliestShard()
            if t > stopTime || t > end || t == .infinity { break }
            if t > nextSampleTime { sampleStates(upTo: t.nextDown) }
            lastEventTime = t
            let shard = parallel.shard(k)
            if kind == 0 {
                shard.pointee.deliverNext()
                continue
            }
            let local = shard.pointee.neuronEventNext(population: p, at: t)
            guard local >= 0 else { continue }
            parallel.scheduleEverywhere(spikeOf: p, local: local, at: t)
            if noteSpike(population: p, local: local, time: t, stop: stop, potentiate: false) {
                stopTime = Swift.min(stopTime, t)
            }
        }
        return finishRun(stoppedAt: stopTime, end: end, lastEventTime: lastEventTime)
    }
}
