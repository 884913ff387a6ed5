/// One population of an `ExactlyPredictable` model in the event-driven engine, each neuron
/// advanced by its own interval when an input or its queued event reaches it (the path for
/// models without an epoch form, and for first-spike-only populations).
///
/// Struct-of-arrays storage in raw buffers allocated once: each neuron's state valid at
/// `lastUpdate[i]`, whether its queued prediction is exact, and (first-spike-only) whether it
/// has fired. It may hold a contiguous block of the population only (`firstNeuron` on), one
/// thread's share. The population owns its neuron queue: one slot per neuron, keyed by its next
/// predicted crossing or wake-up; the engine orders populations by their queues' minima.
@usableFromInline
final class EventPopulation<M: ExactlyPredictable>: NeuronStateAccess {
    @usableFromInline typealias Model = M
    @usableFromInline let model: M
    @usableFromInline let count: Int
    /// The population index of the first neuron held (a thread's block starts past 0).
    @usableFromInline let firstNeuron: Int
    /// Each neuron fires at most once per run; it then leaves the queue and ignores inputs.
    @usableFromInline let firstSpikeOnly: Bool
    @usableFromInline let initial: StateStorage<M.State>
    @usableFromInline let current: StateStorage<M.State>
    @usableFromInline let states: UnsafeMutablePointer<M.State>
    @usableFromInline let lastUpdate: UnsafeMutablePointer<Double>
    /// Whether the neuron's queued prediction is an exact crossing (true) or a wake-up (false).
    @usableFromInline let exact: UnsafeMutablePointer<Bool>
    @usableFromInline let done: UnsafeMutablePointer<Bool>
    @usableFromInline let queue: IndexedMinTree
    /// `queue`'s storage, for updates without reference counting.
    @usableFromInline let slots: IndexedMinTree.UnsafeHandle

    @inlinable
    init(model: M, neurons: Range<Int>, firstSpikeOnly: Bool, initialPotentials: [Double]?) {
        self.model = model
        count = neurons.count
        firstNeuron = neurons.lowerBound
        self.firstSpikeOnly = firstSpikeOnly
        initial = StateStorage(model, count: count, first: firstNeuron, initialPotentials: initialPotentials)
        current = StateStorage(copying: initial)
        states = current.pointer
        lastUpdate = .allocate(capacity: count)
        lastUpdate.initialize(repeating: 0, count: count)
        exact = .allocate(capacity: count)
        exact.initialize(repeating: false, count: count)
        done = .allocate(capacity: count)
        done.initialize(repeating: false, count: count)
        queue = IndexedMinTree(capacity: count)
        slots = queue.handle
    }

    deinit {
        lastUpdate.deallocate()
        exact.deallocate()
        done.deallocate()
    }

    @inlinable
    func makeKernel() -> EventKernel {
        EventKernel(
            deliver: { [self] group, time, counters in deliver(group, time, &counters) },
            nextEvent: { [self] time, counters in nextEvent(time, &counters) },
            schedule: { [self] time in schedule(time) },
            runtime: PopulationRuntime(
                reset: { [self] in reset() },
                potential: { [self] i, time in model.potential(of: state(i, at: time), at: time) },
                memoryBytes: initial.memoryBytes + current.memoryBytes + count * (8 + 2) + queue.capacityBytes, states: self,
                stalledNeuron: PopulationRuntime.stalledScan(states, count: count)))
    }

    /// Applies one delivery group: advance each target to `time`, add the input, re-predict.
    @inlinable
    func deliver(_ group: DeliveryGroup, _ time: Double, _ counters: inout EngineCounters) -> Double {
        switch group.weights.layout {
        case .double: deliver(group, DoubleWeights(group.weights), time, &counters)
        case .single: deliver(group, SingleWeights(group.weights), time, &counters)
        case .uniform: deliver(group, UniformWeight(group.weights), time, &counters)
        case .shared: deliver(group, SharedWeights(group.weights), time, &counters)
        }
        return slots.minTime
    }

    @inlinable
    func deliver<W: WeightReader>(_ group: DeliveryGroup, _ weights: W, _ time: Double, _ counters: inout EngineCounters) {
        var applied: UInt64 = 0
        var updates: UInt64 = 0
        var predictions: UInt64 = 0
        let model = self.model
        let targets = group.targets
        let first = firstNeuron
        let receptor = group.receptor
        for k in 0..<group.count {
            let i = Int(targets[k]) &- first
            if done[i] { continue }
            var s = states[i]
            let h = time - lastUpdate[i]
            if h > 0 {
                model.advance(&s, by: h)
                lastUpdate[i] = time
                updates &+= 1
            }
            let w = weights.weight(k)
            model.receive(&s, weight: w, receptor: receptor, at: time)
            states[i] = s
            applied &+= 1
            if model.inputOnlyDelaysCrossing(weight: w, receptor: receptor) {
                // The queued time stays a lower bound on the crossing: keep it, as a wake-up.
                exact[i] = false
                continue
            }
            predictions &+= 1
            let next = model.nextCrossing(of: s, at: time, context: .standard)
            exact[i] = next.isExact
            slots.update(i, time: next.time)
        }
        counters.synapticEvents &+= applied
        counters.stateUpdates &+= updates
        counters.neuronQueueUpdates &+= predictions
    }

    /// Handles the queued prediction of the population's earliest neuron at `time`: an exact
    /// crossing fires; a wake-up fires only if the neuron is at threshold, and is otherwise
    /// replaced by a new prediction.
    @inlinable
    func nextEvent(_ time: Double, _ counters: inout EngineCounters) -> (fired: Int, next: Double) {
        let i = Int(slots.min.unsafelyUnwrapped.id)
        let model = self.model
        var s = states[i]
        let h = time - lastUpdate[i]
        if h > 0 {
            model.advance(&s, by: h)
            lastUpdate[i] = time
            counters.stateUpdates &+= 1
        }
        let fires = exact[i] || model.isAboveThreshold(s, at: time)
        if fires {
            model.fire(&s, at: time)
        } else {
            counters.wakeUps &+= 1
        }
        states[i] = s
        counters.neuronQueueUpdates &+= 1
        if fires && firstSpikeOnly {
            done[i] = true
            slots.update(i, time: .infinity)
            return (i, slots.minTime)
        }
        let next = model.nextCrossing(of: s, at: time, context: .neuronEvent)
        assert(next.isExact || next.time > time, "a wake-up must lie in the future")
        exact[i] = next.isExact
        slots.update(i, time: next.time)
        return (fires ? i : -1, slots.minTime)
    }

    /// Queues every neuron's first prediction from `time`.
    @inlinable
    func schedule(_ time: Double) -> Double {
        for i in 0..<count where !done[i] {
            lastUpdate[i] = time
            let next = model.nextCrossing(of: states[i], at: time, context: .standard)
            exact[i] = next.isExact
            slots.update(i, time: next.time)
        }
        return slots.minTime
    }

    @inlinable
    func reset() {
        current.assign(from: initial)
        lastUpdate.update(repeating: 0, count: count)
        exact.update(repeating: false, count: count)
        done.update(repeating: false, count: count)
        queue.removeAll()
    }

    /// A copy of neuron i's state advanced to `time`.
    @inlinable
    func state(_ i: Int, at time: Double) -> M.State {
        var s = states[i]
        let h = time - lastUpdate[i]
        if h > 0 { model.advance(&s, by: h) }
        return s
    }

    @usableFromInline
    func setInitialStates(_ newStates: [M.State]) { initial.assign(newStates) }
}
