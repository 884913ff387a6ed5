/// Clock-driven simulation of the same `Network` on a fixed grid tₙ = n·dt.
///
/// Step n−1 → n, in this fixed order (see docs/architecture.md):
/// 1. every model neuron advances by dt with the model's exact propagator (precomputed once);
/// 2. deliveries due at step n are applied, in (emitting neuron, projection, delay group) order;
/// 3. populations in index order: model neurons at or above threshold fire at tₙ; source neurons
///    whose next spike rounds to step n fire at tₙ;
/// 4. state recordings due at tₙ are sampled.
/// Step 0 runs phases 2–4 at t = 0 before the first advance.
///
/// Grid rules: a delay d becomes round(d/dt) steps (ties away from zero) and must be ≥ 1 step,
/// otherwise construction fails; a source spike at time s is emitted at step round(s/dt). Spikes
/// are recorded at grid times. Within one step a source may emit several spikes (each delivers).
public final class TimeSteppedSimulator: Simulator {
    /// The time step (ms).
    public let dt: Double
    /// Current step index n (time = n·dt).
    public private(set) var step = 0
    private var started = false
    /// delaySteps[projection][group]
    private let delaySteps: [[Int32]]
    /// Ring buffer of due delivery keys, indexed by step modulo its length.
    private var ring: [ContiguousArray<UInt64>]
    private var sourceQueue: IndexedMinTree
    private var fired = ContiguousArray<UInt32>()
    private var dueSources: [Int] = []

    public override var engineName: String { "stepped" }
    public override var timeStep: Double? { dt }

    public init(network: Network, dt: Double, recording: SpikeRecording = .all) throws {
        guard dt.isFinite && dt > 0 else { throw VolleyError.invalidTimeStep(value: dt) }
        self.dt = dt
        var steps: [[Int32]] = []
        var maxSteps = 1
        for proj in network.projections {
            let s = proj.structure
            var groupSteps = [Int32](repeating: 0, count: s.groupCount)
            for g in 0..<s.groupCount {
                let d = s.delay(ofGroup: g)
                let n = (d / dt).rounded(.toNearestOrAwayFromZero)
                guard n >= 1 else {
                    throw VolleyError.invalidDelay(
                        value: d,
                        context: "projection '\(proj.name)': rounds to 0 steps of dt = \(dt) ms; "
                            + "delays must be ≥ dt/2 in the time-stepped engine")
                }
                guard n < Double(Int32.max) else {
                    throw VolleyError.invalidDelay(value: d, context: "projection '\(proj.name)': too many steps of dt = \(dt) ms")
                }
                groupSteps[g] = Int32(n)
                maxSteps = Swift.max(maxSteps, Int(n))
            }
            steps.append(groupSteps)
        }
        delaySteps = steps
        ring = Array(repeating: [], count: maxSteps + 1)
        sourceQueue = IndexedMinTree(capacity: network.neuronCount)
        try super.init(building: network, recording: recording)
        for k in kernels { k?.prepareSteps(dt) }
        for p in network.populations.indices { sourcesChanged(p) }
    }

    override func resetEngine() {
        step = 0
        started = false
        for i in ring.indices { ring[i].removeAll(keepingCapacity: true) }
        sourceQueue.removeAll()
        for p in network.populations.indices { sourcesChanged(p) }
    }

    override func sourcesChanged(_ p: Int) {
        guard let source = sources[p] else { return }
        let offset = network.populations[p].offset
        for i in 0..<source.layout.count {
            sourceQueue.update(offset + i, time: source.nextTime(i))
        }
    }

    override var engineMemoryBytes: Int {
        sourceQueue.capacityBytes + ring.reduce(0) { $0 + $1.capacity * 8 }
            + delaySteps.reduce(0) { $0 + $1.count * 4 }
    }

    /// The step at which a source spike at `t` is emitted.
    @inline(__always)
    private func gridStep(_ t: Double) -> Int {
        t == .infinity ? Int.max : Int((t / dt).rounded(.toNearestOrAwayFromZero))
    }

    /// The engine's mutable per-step structures, moved out of the object for the duration of a
    /// run (and back at its end), so that the step loop works on locals: no dynamic exclusivity
    /// check per access of a stored property.
    private struct StepBuffers {
        var ring: [ContiguousArray<UInt64>]
        var sourceQueue: IndexedMinTree
        var fired: ContiguousArray<UInt32>
        var dueSources: [Int]
    }

    /// What the step loop reads, captured once per run: the kernels' closures one by one (copying
    /// a whole `PopulationKernel` would retain every closure in it, per population and step), the
    /// projection views, and each population's (offset, size).
    private struct StepPlan {
        let deliverStep: [((UnsafePointer<UInt32>, WeightRun, Int, Int, Double, inout EngineCounters) -> Void)?]
        let detectSpikes: [((Double, inout ContiguousArray<UInt32>) -> Void)?]
        let sources: [SourcePopulation?]
        let plastic: [PlasticProjection?]
        let views: ContiguousArray<ProjectionView>
        let outgoing: [[Int]]
        let populations: [(offset: Int, size: Int)]
        let delaySteps: [[Int32]]
    }

    override func advance(until end: Double, stop: StopCondition) throws -> RunOutcome {
        var count = counters
        var buffers = StepBuffers(ring: [], sourceQueue: IndexedMinTree(capacity: 0), fired: [], dueSources: [])
        swap(&buffers.ring, &ring)
        swap(&buffers.sourceQueue, &sourceQueue)
        swap(&buffers.fired, &fired)
        swap(&buffers.dueSources, &dueSources)
        defer {
            counters = count
            swap(&buffers.ring, &ring)
            swap(&buffers.sourceQueue, &sourceQueue)
            swap(&buffers.fired, &fired)
            swap(&buffers.dueSources, &dueSources)
        }
        let plan = StepPlan(
            deliverStep: kernels.map { $0?.deliverStep }, detectSpikes: kernels.map { $0?.detectSpikes },
            sources: sources, plastic: plastic, views: views, outgoing: outgoing,
            populations: network.populations.map { ($0.offset, $0.size) }, delaySteps: delaySteps)
        let lastStep = end == .infinity ? Int.max : Int((end / dt + 1e-9).rounded(.down))
        if !started {
            started = true
            if processTimePoint(stop: stop, &count, &buffers, plan) { return .stopped(at: time) }
        }
        let advanceAll = kernels.compactMap { $0?.advanceAll }
        while step < lastStep {
            // Quiescent: no pending delivery and no pending source spike (only for `run(until:
            // .infinity)`; model neurons may still be driven to threshold by a bias, which stepping
            // to infinity cannot end).
            if end == .infinity && buffers.sourceQueue.isEmpty && buffers.ring.allSatisfy({ $0.isEmpty }) {
                return .queueEmpty(time)
            }
            step += 1
            time = Double(step) * dt
            for f in advanceAll { f(time, &count) }
            if processTimePoint(stop: stop, &count, &buffers, plan) { return .stopped(at: time) }
        }
        return .reachedTime(time)
    }

    /// Phases 2–4 of the step order at time `time`. Returns true when `stop` holds.
    private func processTimePoint(
        stop: StopCondition, _ count: inout EngineCounters, _ buffers: inout StepBuffers, _ plan: StepPlan
    ) -> Bool {
        let t = time
        let step = step
        // Phase 2: deliveries due now, in key order (emitting neuron, projection, group).
        let slot = step % buffers.ring.count
        if !buffers.ring[slot].isEmpty {
            // The slot is moved out while it is processed and moved back empty, keeping its capacity.
            var due = ContiguousArray<UInt64>()
            swap(&due, &buffers.ring[slot])
            due.sort()
            // Keys are sorted by source first, so runs share a projection: its plastic runtime and
            // the target kernel's delivery closure are looked up once per run of keys.
            var projection = 0
            var view = plan.views[0]
            var rule = plan.plastic[0]
            var deliver = plan.deliverStep[view.targetPopulation].unsafelyUnwrapped
            for key in due {
                let event = DeliveryEvent(time: t, key: key)
                if event.projection != projection {
                    projection = event.projection
                    view = plan.views[projection]
                    rule = plan.plastic[projection]
                    deliver = plan.deliverStep[view.targetPopulation].unsafelyUnwrapped
                }
                let group = Int(view.rowGroups[event.source - view.sourceOffset]) + event.group
                let first = Int(view.groupStart[group])
                let n = Int(view.groupStart[group + 1]) - first
                rule?.preArrival(group: group, first: first, count: n, time: t)
                deliver(view.targets + first, view.weights.from(first), n, view.receptor, t, &count)
            }
            count.deliveryPops &+= UInt64(due.count)
            due.removeAll(keepingCapacity: true)
            swap(&due, &buffers.ring[slot])
        }
        // Phase 3: spikes, population by population.
        buffers.dueSources.removeAll(keepingCapacity: true)
        while let top = buffers.sourceQueue.min, gridStep(top.time) <= step {
            buffers.dueSources.append(Int(top.id))
            buffers.sourceQueue.remove(Int(top.id))
        }
        buffers.dueSources.sort()
        var nextDue = 0
        var stopNow = false
        for p in plan.populations.indices {
            let (offset, size) = plan.populations[p]
            if let detect = plan.detectSpikes[p] {
                buffers.fired.removeAll(keepingCapacity: true)
                detect(t, &buffers.fired)
                for k in buffers.fired.indices
                where emit(p, Int(buffers.fired[k]), offset, stop, &count, &buffers.ring, plan) {
                    stopNow = true
                }
            } else if let source = plan.sources[p] {
                let end = offset + size
                while nextDue < buffers.dueSources.count && buffers.dueSources[nextDue] < end {
                    let global = buffers.dueSources[nextDue]
                    let local = global - offset
                    // Every spike of this source that falls on this step (multiplicity).
                    while gridStep(source.nextTime(local)) <= step {
                        source.consume(local, at: source.nextTime(local))
                        if emit(p, local, offset, stop, &count, &buffers.ring, plan) { stopNow = true }
                    }
                    buffers.sourceQueue.update(global, time: source.nextTime(local))
                    count.neuronQueueUpdates &+= 1
                    nextDue += 1
                }
            }
        }
        // Phase 4.
        sampleStates(upTo: t + 1e-9 * dt)
        return stopNow
    }

    /// Records a spike at the current step and schedules its deliveries.
    private func emit(
        _ p: Int, _ local: Int, _ offset: Int, _ stop: StopCondition, _ count: inout EngineCounters,
        _ ring: inout [ContiguousArray<UInt64>], _ plan: StepPlan
    ) -> Bool {
        count.spikes &+= 1
        let global = offset + local
        let step = step
        for projection in plan.outgoing[p] {
            let view = plan.views[projection]
            let g0 = Int(view.rowGroups[local])
            let g1 = Int(view.rowGroups[local + 1])
            plan.delaySteps[projection].withUnsafeBufferPointer { steps in
                ring.withUnsafeMutableBufferPointer { ring in
                    for g in g0..<g1 {
                        view.prefetchTargets(ofGroup: g)
                        let slot = (step + Int(steps[g])) % ring.count
                        ring[slot].append(
                            DeliveryEvent(time: 0, source: global, projection: projection, group: g - g0).key)
                    }
                }
            }
            count.deliveryPushes &+= UInt64(g1 - g0)
        }
        return noteSpike(population: p, local: local, time: time, stop: stop)
    }
}
