import VolleyPrefetch

/// Populations of at least this many neurons get cache prefetch hints in their delivery loops:
/// from here on their per-neuron state and queue slots outgrow a typical L2 cache.
@usableFromInline let eventPrefetchMinimumPopulation = 16_384

/// One population of a model in epoch form (`EpochFormRepresentable`) in the event-driven
/// engine: every neuron's state held as coefficients relative to the population's epoch t₀
/// (`EpochClock`), so that an input costs a few multiply-adds with factors shared by the whole
/// delivery group. `Q` selects, at compile time, whether the population keeps quiet bounds
/// (`WithQuietBounds` for `QuietBounded` models whose neurons can stay quiet).
///
/// The population owns its neuron queue (one slot per neuron: next crossing or wake-up) and
/// may hold a contiguous block of its neurons only (`firstNeuron` on), one thread's share.
@usableFromInline
final class EpochPopulation<M: EpochFormRepresentable, Q: QuietBoundPolicy>: NeuronStateAccess where Q.Model == M {
    @usableFromInline typealias Model = M
    @usableFromInline let model: M
    @usableFromInline let count: Int
    /// The population index of the first neuron held (a thread's block starts past 0): delivery
    /// groups name population indices, the storage here is indexed from this neuron on.
    @usableFromInline let firstNeuron: Int
    @usableFromInline let initial: StateStorage<M.State>
    /// Every neuron's state in epoch form, relative to `clock.origin`.
    @usableFromInline let forms: UnsafeMutablePointer<M.EpochForm>
    /// Whether the neuron's queued prediction is an exact crossing (true) or a wake-up (false).
    @usableFromInline let exact: UnsafeMutablePointer<Bool>
    /// With `Q.enabled`: per neuron an upper bound on V − θ over all later times (see
    /// `QuietBounded`); below −`quietMargin` it proves the neuron silent: its queued time is ∞
    /// and an input only raises the bound.
    @usableFromInline let quietBounds: UnsafeMutablePointer<Double>?
    /// Held behind a pointer, like the states, so the hot loops pay no exclusivity checks.
    @usableFromInline let clock: UnsafeMutablePointer<EpochClock<M.EpochForm>>
    @usableFromInline let queue: IndexedMinTree
    @usableFromInline let slots: IndexedMinTree.UnsafeHandle
    /// Large populations issue cache prefetch hints for targets ahead (see `deliver`).
    @usableFromInline let prefetchesTargets: Bool

    @inlinable
    init(model: M, neurons: Range<Int>, initialPotentials: [Double]?) {
        self.model = model
        count = neurons.count
        firstNeuron = neurons.lowerBound
        initial = StateStorage(model, count: count, first: firstNeuron, initialPotentials: initialPotentials)
        forms = .allocate(capacity: count)
        forms.initialize(repeating: M.EpochForm(), count: count)
        exact = .allocate(capacity: count)
        exact.initialize(repeating: false, count: count)
        if Q.enabled {
            let bounds = UnsafeMutablePointer<Double>.allocate(capacity: count)
            bounds.initialize(repeating: .infinity, count: count)
            quietBounds = bounds
        } else {
            quietBounds = nil
        }
        clock = .allocate(capacity: 1)
        let step = 20 / model.epochRates.max()
        clock.initialize(to: EpochClock(rebaseAfter: step, stepDecay: laneExp(-model.epochRates * step)))
        queue = IndexedMinTree(capacity: count)
        slots = queue.handle
        prefetchesTargets = count >= eventPrefetchMinimumPopulation
    }

    deinit {
        forms.deallocate()
        exact.deallocate()
        quietBounds?.deallocate()
        clock.deallocate()
    }

    @inlinable
    func makeKernel() -> EventKernel {
        let perNeuron = MemoryLayout<M.EpochForm>.stride + 1 + (Q.enabled ? 8 : 0)
        return EventKernel(
            deliver: { [self] group, time, counters in deliver(group, time, &counters) },
            nextEvent: { [self] time, counters in nextEvent(time, &counters) },
            schedule: { [self] time in schedule(time) },
            runtime: PopulationRuntime(
                reset: { [self] in queue.removeAll() },
                potential: { [self] i, time in model.potential(of: state(i, at: time), at: time) },
                memoryBytes: initial.memoryBytes + count * perNeuron + queue.capacityBytes, states: self))
    }

    // MARK: Deliveries

    /// Applies one delivery group in epoch form: no per-target advance; the factors are shared by
    /// the whole group. Large populations take the loop with prefetch hints (`PrefetchAhead`).
    @inlinable
    func deliver(_ group: DeliveryGroup, _ time: Double, _ counters: inout EngineCounters) -> Double {
        switch (group.weights.layout, prefetchesTargets) {
        case (.double, false): deliver(group, DoubleWeights(group.weights), time, NoPrefetch.self, &counters)
        case (.double, true): deliver(group, DoubleWeights(group.weights), time, PrefetchAhead.self, &counters)
        case (.single, false): deliver(group, SingleWeights(group.weights), time, NoPrefetch.self, &counters)
        case (.single, true): deliver(group, SingleWeights(group.weights), time, PrefetchAhead.self, &counters)
        case (.uniform, false): deliver(group, UniformWeight(group.weights), time, NoPrefetch.self, &counters)
        case (.uniform, true): deliver(group, UniformWeight(group.weights), time, PrefetchAhead.self, &counters)
        case (.shared, false): deliver(group, SharedWeights(group.weights), time, NoPrefetch.self, &counters)
        case (.shared, true): deliver(group, SharedWeights(group.weights), time, PrefetchAhead.self, &counters)
        }
        return slots.minTime
    }

    /// `deliver` specialised over the weight layout `W` and `P`: with `PrefetchAhead` it
    /// pipelines the cache misses, starting to load the form and queue slot of the target 16
    /// ahead, since each target's work (a prediction, a queue move) is too long for the CPU to
    /// reach the next targets' loads on its own. Small populations take `NoPrefetch`: their state
    /// is in cache, and the hints would be pure overhead. Same arithmetic either way. With quiet
    /// bounds the group goes to `deliverQuiet`.
    @inlinable
    func deliver<W: WeightReader, P: PrefetchPolicy>(
        _ group: DeliveryGroup, _ weights: W, _ time: Double, _: P.Type, _ counters: inout EngineCounters
    ) {
        let n = group.count
        let targets = group.targets
        let first = firstNeuron
        let receptor = group.receptor
        let x = epochFactors(at: time)
        let g = clock.pointee.growth
        let d = clock.pointee.decay
        var predictions: UInt64 = 0
        if Q.enabled {
            deliverQuiet(group, weights, time, x, P.self, &predictions)
        } else {
            let context = PredictionContext.afterInput(inputInterval: .infinity)
            let model = self.model
            if P.prefetches {
                for k in 0..<Swift.min(16, n) {
                    volley_prefetch(forms + (Int(targets[k]) &- first))
                    slots.prefetchSlot(Int(targets[k]) &- first)
                }
            }
            for k in 0..<n {
                if P.prefetches {
                    if k &+ 16 < n {
                        let ahead = Int(targets[k &+ 16]) &- first
                        volley_prefetch(forms + ahead)
                        slots.prefetchSlot(ahead)
                    }
                }
                let i = Int(targets[k]) &- first
                let w = weights.weight(k)
                model.receive(&forms[i], weight: w, receptor: receptor, elapsed: x, growth: g)
                if model.inputOnlyDelaysCrossing(weight: w, receptor: receptor) {
                    // The queued time stays a lower bound on the crossing: keep it, as a wake-up.
                    exact[i] = false
                    continue
                }
                let s = model.state(fromEpoch: forms[i], elapsed: x, decay: d)
                predictAfterInput(model, i, s, time, context, &predictions)
            }
        }
        counters.synapticEvents &+= UInt64(n)
        counters.stateUpdates &+= UInt64(n)
        counters.neuronQueueUpdates &+= predictions
    }

    /// `deliver` for a population with quiet bounds, in chunks of 64 targets and two passes. The
    /// first applies each input and raises the target's quiet bound, branch-free: it only notes
    /// the targets whose bound no longer proves them silent. The second handles those: the state,
    /// a fresh bound, and if that does not prove silence either, a prediction. Most inputs to a
    /// quiet population end in the first pass, a short loop of independent loads and stores. A
    /// target listed twice in a chunk is handled twice in the second pass, both times from its
    /// state after both inputs: the same bound and prediction.
    @inlinable @inline(__always)
    func deliverQuiet<W: WeightReader, P: PrefetchPolicy>(
        _ group: DeliveryGroup, _ weights: W, _ time: Double, _ x: Double, _: P.Type, _ predictions: inout UInt64
    ) {
        let n = group.count
        let targets = group.targets
        let first = firstNeuron
        let receptor = group.receptor
        let g = clock.pointee.growth
        let d = clock.pointee.decay
        let bounds = quietBounds.unsafelyUnwrapped
        let model = self.model
        let peak = Q.peakResponse(model, receptor: receptor)
        let context = PredictionContext.afterInput(inputInterval: .infinity)
        withUnsafeTemporaryAllocation(of: Int.self, capacity: 64) { pendingBuffer in
            let pending = pendingBuffer.baseAddress.unsafelyUnwrapped
            var start = 0
            while start < n {
                let end = Swift.min(n, start &+ 64)
                var m = 0
                for k in start..<end {
                    if P.prefetches && k &+ 16 < n {
                        let ahead = Int(targets[k &+ 16]) &- first
                        volley_prefetch(forms + ahead)
                        volley_prefetch(bounds + ahead)
                    }
                    let i = Int(targets[k]) &- first
                    let w = weights.weight(k)
                    model.receive(&forms[i], weight: w, receptor: receptor, elapsed: x, growth: g)
                    if model.inputOnlyDelaysCrossing(weight: w, receptor: receptor) {
                        // The queued time stays a lower bound on the crossing (∞ for a quiet
                        // neuron, whose bound an input that only delays crossings cannot raise).
                        exact[i] = false
                        continue
                    }
                    // A silent neuron stays provably silent: one addition, no prediction.
                    let raised = bounds[i] + peak * w
                    bounds[i] = raised
                    pending[m] = i
                    m &+= raised < -quietMargin ? 0 : 1
                }
                for j in 0..<m {
                    let i = pending[j]
                    let s = model.state(fromEpoch: forms[i], elapsed: x, decay: d)
                    if refreshQuietBound(model, i, from: s, bounds) {
                        slots.update(i, time: .infinity)
                        continue
                    }
                    predictAfterInput(model, i, s, time, context, &predictions)
                }
                start = end
            }
        }
    }

    /// Queues neuron i's next crossing or wake-up from its state `s` just after an input at
    /// `time` (the delivery loops' common tail). `model` is the population's, read once per loop
    /// into a local: reading the stored property per target would copy the whole model.
    @inlinable @inline(__always)
    func predictAfterInput(
        _ model: M, _ i: Int, _ s: M.State, _ time: Double, _ context: PredictionContext, _ predictions: inout UInt64
    ) {
        predictions &+= 1
        let next = model.nextCrossing(of: s, at: time, context: context)
        exact[i] = next.isExact
        slots.update(i, time: next.time)
    }

    /// Recomputes neuron i's quiet bound from its state `s`; true when that proves the neuron
    /// silent (its prediction is then "never": the caller queues it at ∞).
    @inlinable @inline(__always)
    func refreshQuietBound(_ model: M, _ i: Int, from s: M.State, _ bounds: UnsafeMutablePointer<Double>) -> Bool {
        let fresh = Q.marginBound(model, of: s)
        bounds[i] = fresh
        guard fresh < -quietMargin else { return false }
        exact[i] = false
        return true
    }

    // MARK: Neuron events

    /// Handles the queued prediction of the population's earliest neuron at `time`: an exact
    /// crossing fires; a wake-up fires only if the neuron is at threshold, and is otherwise
    /// replaced by a new prediction.
    @inlinable
    func nextEvent(_ time: Double, _ counters: inout EngineCounters) -> (fired: Int, next: Double) {
        let i = Int(slots.min.unsafelyUnwrapped.id)
        let model = self.model
        let x = epochFactors(at: time)
        var s = model.state(fromEpoch: forms[i], elapsed: x, decay: clock.pointee.decay)
        counters.stateUpdates &+= 1
        counters.neuronQueueUpdates &+= 1
        let fires = exact[i] || model.isAboveThreshold(s, at: time)
        if fires {
            model.fire(&s, at: time)
            forms[i] = model.epochForm(of: s, elapsed: x)
        } else {
            counters.wakeUps &+= 1
        }
        if Q.enabled, refreshQuietBound(model, i, from: s, quietBounds.unsafelyUnwrapped) {
            slots.update(i, time: .infinity)
            return (fires ? i : -1, slots.minTime)
        }
        let next = model.nextCrossing(of: s, at: time, context: .neuronEvent)
        assert(next.isExact || next.time > time, "a wake-up must lie in the future")
        exact[i] = next.isExact
        slots.update(i, time: next.time)
        return (fires ? i : -1, slots.minTime)
    }

    /// Starts the epoch at `time` with every neuron in its initial state, and queues every
    /// neuron's first prediction.
    @inlinable
    func schedule(_ time: Double) -> Double {
        let initialStates = initial.pointer
        for i in 0..<count { forms[i] = model.epochForm(of: initialStates[i], elapsed: 0) }
        clock.pointee.start(at: time)
        exact.update(repeating: false, count: count)
        for i in 0..<count {
            if Q.enabled, refreshQuietBound(model, i, from: initialStates[i], quietBounds.unsafelyUnwrapped) {
                slots.update(i, time: .infinity)
                continue
            }
            let next = model.nextCrossing(of: initialStates[i], at: time, context: .standard)
            exact[i] = next.isExact
            slots.update(i, time: next.time)
        }
        return slots.minTime
    }

    // MARK: The epoch

    /// x = time − t₀ for an event at `time`, with `growth` = e^(r·x) and `decay` = e^(−r·x)
    /// (computed once per distinct time); first moves the epoch forward one step at a time while
    /// x passes `rebaseAfter` (`EpochClock`). Deterministic: a function of the event's time only.
    @inlinable @inline(__always)
    func epochFactors(at time: Double) -> Double {
        var x = time - clock.pointee.origin
        if x > clock.pointee.rebaseAfter {
            moveEpoch(toCover: time)
            x = time - clock.pointee.origin
        }
        if time != clock.pointee.factorTime {
            clock.pointee.factorTime = time
            let g = model.epochGrowth(elapsed: x)
            clock.pointee.growth = g
            clock.pointee.decay = 1 / g
        }
        return x
    }

    /// Steps the epoch forward until it covers `time`, re-expressing every form at each step;
    /// once a step changes no form, the epoch moves to its last step at once (`EpochClock`).
    @inlinable
    func moveEpoch(toCover time: Double) {
        let target = clock.pointee.covering(time)
        let shift = clock.pointee.rebaseAfter
        let d = clock.pointee.stepDecay
        while clock.pointee.steps < target {
            var changed = false
            for i in 0..<count {
                let before = forms[i]
                model.rebase(&forms[i], shift: shift, decay: d)
                changed = changed || !sameBits(forms[i], before)
            }
            clock.pointee.move(toStep: changed ? clock.pointee.steps + 1 : target)
        }
    }

    // MARK: Inspection

    /// Neuron i's state at `time` (the stored form is not modified): on a copy of its form, the
    /// epoch steps an event at `time` would take, so the value does not depend on how far this
    /// block's epoch has moved.
    @inlinable
    func state(_ i: Int, at time: Double) -> M.State {
        var form = forms[i]
        var epoch = clock.pointee
        let target = epoch.covering(time)
        while epoch.steps < target {
            let before = form
            model.rebase(&form, shift: epoch.rebaseAfter, decay: epoch.stepDecay)
            epoch.move(toStep: sameBits(form, before) ? target : epoch.steps + 1)
        }
        let x = time - epoch.origin
        let d = laneExp(-model.epochRates * x)
        return model.state(fromEpoch: form, elapsed: x, decay: d)
    }

    @usableFromInline
    func setInitialStates(_ newStates: [M.State]) { initial.assign(newStates) }
}
