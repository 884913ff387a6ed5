/// Exact event-driven simulation: time jumps from event to event; spike times are exact.
///
/// Two kinds of queue (see docs/architecture.md and docs/event-ordering.md):
/// - the *delivery queue* (`DeliveryQueue`): 4-ary heaps of the spikes in flight, one entry per
///   (spike, projection row) — a row with several delay groups holds only its next group —,
///   each group fanned out over its targets when it is due;
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
///
/// **Threads** (`threads` > 1): conservative parallel simulation with the shortest delay as
/// lookahead, one block of every population per thread (`EventThreads`); spike trains are
/// bit-identical for any thread count.
/// Plastic projections are updated by the thread that owns each target. Networks whose shortest
/// delay is below `minimumWindow` run on one thread, and `oneThreadReason` says why.
public final class EventDrivenSimulator: Simulator {
    var deliveries = DeliveryQueue()
    /// The kernel of each model population (nil for sources; all nil when threads run).
    let kernels: [EventKernel?]
    /// The populations ordered by their earliest neuron events (one thread).
    let populationQueue: PopulationQueue
    /// The threads' shards (nil: one thread); set once, after the shared parts exist.
    private(set) var parallel: EventThreads?
    /// Threads that advance the neurons.
    public let threads: Int
    /// Threads that advanced them in the last run (one for runs that must go event by event).
    var threadsOfLastRun: Int

    public override var engineName: String { "event" }
    public override var threadCount: Int { threadsOfLastRun }
    public override var threadWaitSeconds: [Double] { threads > 1 ? parallel?.waitSeconds ?? [] : [] }

    /// The shortest delay (ms) with which the engine uses several threads: a thread reads the
    /// others' clocks (a transfer between cores, ≈ 0.1–0.6 µs) about once per shortest delay of
    /// simulated time, which a shorter lookahead rarely amortises.
    public static let minimumWindow = 0.05

    /// `threads`: how many threads advance the neurons (default `Simulator.defaultThreads`: the
    /// `VOLLEY_THREADS` environment variable, else 1). Fewer run when the network does not allow
    /// them (`oneThreadReason`).
    public init(network: Network, recording: SpikeRecording = .all, threads: Int? = nil) throws {
        let requested = try threads.map { try Simulator.checkThreads($0) } ?? Simulator.defaultThreads()
        for p in network.populations {
            guard let builders = p.kernels else { continue }
            guard builders.eventDriven != nil else {
                let remedy = p.modelName == ConductanceLIF.modelName
                    ? "use the time-stepped engine, or the same equations integrated adaptively (ConductanceLIF.integrated())"
                    : "use the time-stepped engine, or .adaptive integration"
                throw VolleyError.unsupported(
                    "population '\(p.name)': \(p.modelName) has no exact free evolution (or is integrated by forward Euler), so the event-driven engine cannot place its spikes exactly; \(remedy)")
            }
        }
        let (threads, reason) = requested > 1 ? Self.threadPlan(network, requested: requested) : (1, nil)
        self.threads = threads
        threadsOfLastRun = threads
        // Each model population's kernels, one per thread's non-empty block (one thread: one
        // block, the whole population).
        var builds = [EventKernelBlocks?](repeating: nil, count: network.populations.count)
        let partition = TargetPartition(network: network, parts: threads)
        var shardKernels = [[EventKernel?]](repeating: [EventKernel?](repeating: nil, count: network.populations.count), count: threads)
        for p in network.populations {
            guard let build = p.kernels?.eventDriven else { continue }
            let held = partition.blocks[p.id.index].indices.filter { !partition.blocks[p.id.index][$0].isEmpty }
            let blocks = build(held.map { partition.blocks[p.id.index][$0] })
            builds[p.id.index] = blocks
            for (k, kernel) in zip(held, blocks.kernels) { shardKernels[k][p.id.index] = kernel }
        }
        kernels = threads == 1 ? shardKernels[0] : Array(repeating: nil, count: network.populations.count)
        populationQueue = PopulationQueue(count: network.populations.count)
        let minimumDelay = network.minimumDelay
        try super.init(network: network, recording: recording, runtimes: builds.map { $0?.runtime })
        parallel = threads == 1
            ? nil
            : EventThreads(
                threads: threads, minimumDelay: minimumDelay, partition: partition, kernels: shardKernels, sources: sources,
                routing: routing, offsets: network.populations.map(\.offset))
        oneThreadReason = reason
        deliveries.reserveCapacity(groups: 1024, rows: 256)
        scheduleInitialEvents()
    }

    override func resetEngine() {
        deliveries.removeAll()
        populationQueue.removeAll()
        scheduleInitialEvents()
    }

    private func scheduleInitialEvents() {
        if let parallel { return parallel.start(at: time) }
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
        if let parallel { return parallel.sourcesChanged(p, source) }
        populationQueue.update(p, time: source.nextEventTime)
    }

    override var engineMemoryBytes: Int {
        deliveries.capacityBytes + populationQueue.capacityBytes + (parallel?.memoryBytes ?? 0)
    }

    override func advance(until end: Double, stop: StopCondition) throws -> RunOutcome {
        if let parallel { return advance(parallel, until: end, stop: stop) }
        threadsOfLastRun = 1
        // Work on a local copy of the delivery queue (moved out, so no copy-on-write) to keep
        // exclusivity checks off the hot path; it is moved back on exit.
        var queue = DeliveryQueue()
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
            let deliveryTime = queue.minTime
            let neuronTime = populations.minTime
            let t = Swift.min(deliveryTime, neuronTime)
            // A stop takes effect once every event at the stopping time is processed.
            if t > stopTime { break events }
            if t > end || t == .infinity { break events }
            if t > nextSampleTime { sampleStates(upTo: t.nextDown) }
            lastEventTime = t
            if deliveryTime <= neuronTime {
                // Kind 0: a spike arriving through one delay group of one projection.
                let event = queue.popMin { routing.nextGroup(after: $0) }
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
            // The neuron fired at t: one delivery per outgoing delay group (a row's groups one
            // after another).
            count.spikes &+= 1
            let global = offsets[p] + local
            count.deliveryPushes &+= UInt64(
                routing.forEachRow(ofSpikeFrom: p, local: local) { projection, g0, groups in
                    queue.push(
                        spikeTime: t, delay: routing.views[projection].groupDelay[g0], source: global,
                        projection: projection, group: 0, rowGroups: groups)
                })
            if noteSpike(population: p, local: local, time: t, stop: stop) {
                stopTime = Swift.min(stopTime, t)
            }
        }
        return finishRun(stoppedAt: stopTime, end: end, lastEventTime: lastEventTime)
    }

    /// How a run that processed its events ended: stopped, at `end`, or with no events left
    /// after `lastEventTime`; the clock moves there and the last state samples are taken.
    func finishRun(stoppedAt stopTime: Double, end: Double, lastEventTime: Double) -> RunOutcome {
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
