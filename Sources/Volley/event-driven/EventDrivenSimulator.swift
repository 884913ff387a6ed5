/// Exact event-driven simulation: time jumps from event to event; spike times are exact.
///
/// Two kinds of queue (see docs/architecture.md and docs/event-ordering.md):
/// - the *delivery queue*, a 4-ary heap with one entry per (spike, projection, delay group),
///   fanned out over the group's targets when it is due;
/// - each population's *neuron queue* (an `IndexedMinTree` it owns: one slot per neuron holding
///   its next predicted threshold crossing, wake-up, or for sources next input spike; every state
///   change re-predicts and moves the slot in place, so stale predictions never fire), and the
///   populations ordered by their earliest events (`PopulationQueue`).
///
/// Total order of events: (time, kind, id). Deliveries (kind 0) come before neuron events
/// (kind 1) at equal times, so all inputs arriving at t are applied before any neuron is tested
/// at t; deliveries are ordered by (emitting neuron's global id, projection, delay group), neuron
/// events by global id — i.e. by (population, local index), the order of the two trees. Delays
/// are > 0, so a spike at t never delivers at t. A stop condition takes effect after all events
/// at the time it first holds.
///
/// Only `ExactlyPredictable` models run here; construction fails with a typed error naming any
/// other population.
public final class EventDrivenSimulator: Simulator {
    var deliveries = QuaternaryHeap<DeliveryEvent>()
    /// The kernel of each model population (nil for sources).
    let kernels: [EventKernel?]
    /// The populations ordered by their earliest neuron events.
    let populationQueue: PopulationQueue

    public override var engineName: String { "event" }

    public init(network: Network, recording: SpikeRecording = .all) throws {
        var kernels: [EventKernel?] = []
        for p in network.populations {
            guard let builders = p.kernels else {
                kernels.append(nil)
                continue
            }
            guard let build = builders.eventDriven else {
                let remedy = p.modelName == ConductanceLIF.modelName
                    ? "use the time-stepped engine, or the same equations integrated adaptively (ConductanceLIF.integrated())"
                    : "use the time-stepped engine, or .adaptive integration"
                throw VolleyError.unsupported(
                    "population '\(p.name)': \(p.modelName) has no exact free evolution (or is integrated by forward Euler), so the event-driven engine cannot place its spikes exactly; \(remedy)")
            }
            kernels.append(build(p.size))
        }
        self.kernels = kernels
        populationQueue = PopulationQueue(count: network.populations.count)
        try super.init(network: network, recording: recording, runtimes: kernels.map { $0?.runtime })
        deliveries.reserveCapacity(1024)
        scheduleInitialEvents()
    }

    override func resetEngine() {
        deliveries.removeAll()
        populationQueue.removeAll()
        scheduleInitialEvents()
    }

    private func scheduleInitialEvents() {
        for p in network.populations.indices {
            if let kernel = kernels[p] {
                populationQueue.update(p, time: kernel.schedule(time))
            } else {
                sourcesChanged(p)
            }
        }
    }

    override func sourcesChanged(_ p: Int) {
        guard let source = sources[p] else { return }
        populationQueue.update(p, time: source.nextEventTime)
    }

    override var engineMemoryBytes: Int { deliveries.capacityBytes + populationQueue.capacityBytes }

    override func advance(until end: Double, stop: StopCondition) throws -> RunOutcome {
        // Work on a local copy of the delivery heap (moved out, so no copy-on-write) to keep
        // exclusivity checks off the hot path; it is moved back on exit.
        var queue = QuaternaryHeap<DeliveryEvent>()
        swap(&queue, &deliveries)
        var count = counters
        defer {
            swap(&queue, &deliveries)
            counters = count
        }
        var lastEventTime = time
        // Hoisted so that the loop copies no arrays of structs holding references.
        let deliver = kernels.map { $0?.deliver }
        let nextEvent = kernels.map { $0?.nextEvent }
        let sources = self.sources
        let routing = self.routing
        let populations = populationQueue
        let offsets = network.populations.map(\.offset)
        var stopTime = Double.infinity
        events: while true {
            let deliveryTime = queue.min?.time ?? .infinity
            let neuronTime = populations.minTime
            let t = Swift.min(deliveryTime, neuronTime)
            // A stop takes effect once every event at the stopping time is processed.
            if t > stopTime { break events }
            if t > end || t == .infinity { break events }
            if t > nextSampleTime { sampleStates(upTo: t.nextDown) }
            lastEventTime = t
            if deliveryTime <= neuronTime {
                // Kind 0: a spike arriving through one delay group of one projection.
                let event = queue.popMin().unsafelyUnwrapped
                count.deliveryPops &+= 1
                let group = routing.arrive(source: event.source, projection: event.projection, group: event.group, at: t)
                let target = routing.target(ofProjection: event.projection)
                populations.update(target, time: deliver[target].unsafelyUnwrapped(group, t, &count))
                continue
            }
            // Kind 1: the earliest population's next neuron event (a predicted crossing or
            // wake-up of a model neuron, or a source's input spike).
            let p = populations.minPopulation
            count.neuronEvents &+= 1
            let (local, next) =
                if let handle = nextEvent[p] { handle(t, &count) } else { sources[p].unsafelyUnwrapped.emitNext(&count) }
            populations.update(p, time: next)
            guard local >= 0 else { continue }
            // The neuron fired at t: one delivery per outgoing delay group.
            count.spikes &+= 1
            let global = offsets[p] + local
            count.deliveryPushes &+= UInt64(
                routing.forEachGroup(ofSpikeFrom: p, local: local) { projection, g, groupInRow in
                    queue.push(
                        DeliveryEvent(
                            time: t + routing.views[projection].groupDelay[g], source: global,
                            projection: projection, group: groupInRow))
                })
            if noteSpike(population: p, local: local, time: t, stop: stop) {
                stopTime = Swift.min(stopTime, t)
            }
        }
        let outcome: RunOutcome =
            stopTime < .infinity
            ? .stopped(at: stopTime) : end == .infinity ? .queueEmpty(lastEventTime) : .reachedTime(end)
        switch outcome {
        case .stopped(at: let t), .reachedTime(let t), .queueEmpty(let t):
            time = t
            sampleStates(upTo: t)
        }
        return outcome
    }
}
