import VolleyPrefetch

/// Populations of at least this many neurons get cache prefetch hints in event-driven deliveries
/// (`ModelPopulation.prefetchesTargets`): from here on their per-neuron state and queue slots
/// outgrow a typical L2 cache.
@usableFromInline let eventPrefetchMinimumPopulation = 16_384

/// The runtime state of one population of model `M` inside one engine, and every per-neuron loop
/// both engines run over it.
///
/// A `final class` because it owns raw per-neuron buffers (struct-of-arrays: states, last-update
/// times, prediction kinds, fired flags) that the kernel's closures share; the buffers are
/// allocated once and reused across `reset()`s. Neuron state structs are small (16–48 bytes), so
/// an event-driven update touches one cache line per neuron.
@usableFromInline
final class ModelPopulation<M: NeuronModel> {
    @usableFromInline let model: M
    @usableFromInline let offset: Int
    @usableFromInline let count: Int
    @usableFromInline let firstSpikeOnly: Bool
    /// Current state of each neuron, valid at `lastUpdate[i]` (event-driven) or at the current
    /// step (time-stepped).
    @usableFromInline let states: UnsafeMutablePointer<M.State>
    @usableFromInline let initialStates: UnsafeMutablePointer<M.State>
    @usableFromInline let lastUpdate: UnsafeMutablePointer<Double>
    /// Whether the neuron's queued prediction is an exact crossing (true) or a wake-up (false).
    @usableFromInline let exact: UnsafeMutablePointer<Bool>
    /// First-spike-only populations: the neuron has fired and is out of the simulation.
    @usableFromInline let done: UnsafeMutablePointer<Bool>
    @usableFromInline var stepPropagator: M.Propagator?
    @usableFromInline var stepSize: Double = 0
    /// Time-stepped engine, models with `sumsSimultaneousInputs`: the summed input of the current
    /// step per receptor and neuron (`inputs[r·count + i]`), and whether the population still has
    /// to advance over the current step. Such a population defers its advance to `detectSpikes`
    /// and runs advance, input and threshold in one pass (`NeuronModel.step`); nil otherwise.
    @usableFromInline var inputs: UnsafeMutablePointer<Double>?
    @usableFromInline var advancePending = false
    /// Time-stepped engine, models with `laneCount` > 0: the states in struct-of-arrays form
    /// (`lanes[k·count + i]`, see Lanes.swift), which then replace `states` and `inputs`: the
    /// step runs advance, threshold and fire in `advanceAll` (`stepLanes`), deliveries add into
    /// the input lanes, and `detectSpikes` reports the spikes found (`laneFired`).
    @usableFromInline var lanes: UnsafeMutablePointer<Double>?
    @exclusivity(unchecked) @usableFromInline var laneFired = ContiguousArray<UInt32>()
    /// What the lane kernel keeps between steps (its refractory list; see `LaneScratch`).
    /// Both unchecked: only the owning engine's thread touches them, once per step each, and the
    /// dynamic exclusivity checks were 1.5 % of a CUBA step.
    @exclusivity(unchecked) @usableFromInline var laneScratch = LaneScratch<M.State>()
    @usableFromInline var laneStepped = false
    /// Event-driven engine, models with `supportsEpochForm`: every neuron's state in epoch form
    /// relative to the epoch `clock.origin` (then `states` and `lastUpdate` are unused), and the
    /// factors e^(±r·x) of the last event time (one computation per delivery group); see
    /// `EpochClock`. Held behind a pointer, like the states, so the hot loops pay no exclusivity
    /// checks; the forms are allocated when the event-driven engine first schedules the population.
    @usableFromInline let clock: UnsafeMutablePointer<EpochClock<M.EpochForm>>
    /// Event-driven deliveries in epoch form issue cache prefetch hints for targets ahead (see
    /// `deliverEvent`): only from `eventPrefetchMinimumPopulation` neurons on, where the loads
    /// miss; below it the hints are pure overhead.
    @usableFromInline let prefetchesTargets: Bool

    @inlinable
    init(model: M, layout: PopulationLayout, initialPotentials: [Double]?) {
        self.model = model
        self.offset = layout.offset
        self.count = layout.count
        self.firstSpikeOnly = layout.firstSpikeOnly
        self.prefetchesTargets = layout.count >= eventPrefetchMinimumPopulation
        states = .allocate(capacity: count)
        initialStates = .allocate(capacity: count)
        lastUpdate = .allocate(capacity: count)
        exact = .allocate(capacity: count)
        done = .allocate(capacity: count)
        for i in 0..<count {
            let s = model.initialState(potential: initialPotentials?[i])
            initialStates.advanced(by: i).initialize(to: s)
            states.advanced(by: i).initialize(to: s)
        }
        lastUpdate.initialize(repeating: 0, count: count)
        exact.initialize(repeating: false, count: count)
        done.initialize(repeating: false, count: count)
        let epochForm = model.supportsEpochForm && !layout.firstSpikeOnly
        clock = .allocate(capacity: 1)
        clock.initialize(
            to: EpochClock<M.EpochForm>(
                enabled: epochForm, rebaseAfter: epochForm ? 20 / model.epochRates.max() : .infinity))
        if M.sumsSimultaneousInputs && !layout.firstSpikeOnly {
            let n = model.receptorCount * count
            inputs = .allocate(capacity: n)
            inputs!.initialize(repeating: 0, count: n)
        } else {
            inputs = nil
        }
        usesQuietBounds(true)
    }

    deinit {
        states.deinitialize(count: count)
        initialStates.deinitialize(count: count)
        states.deallocate()
        initialStates.deallocate()
        lastUpdate.deallocate()
        exact.deallocate()
        done.deallocate()
        inputs?.deallocate()
        lanes?.deallocate()
        clock.pointee.forms?.deallocate()
        clock.pointee.quietBounds?.deallocate()
        clock.deallocate()
    }

    /// Recomputes neuron i's quiet bound from its state `s`; true when that proves the neuron
    /// silent (its prediction is then "never": the caller queues it at ∞).
    @inlinable @inline(__always)
    func refreshQuietBound(_ model: M, _ i: Int, from s: M.State, _ bounds: UnsafeMutablePointer<Double>) -> Bool {
        let fresh = model.marginBound(of: s)
        bounds[i] = fresh
        guard fresh < -quietMargin else { return false }
        exact[i] = false
        return true
    }

    /// Switches the quiet bounds on (where the model allows them: the default) or off; takes
    /// effect at the next scheduling (`Simulator.reset()`). Off: for tests that compare the paths.
    @usableFromInline
    func usesQuietBounds(_ on: Bool) {
        clock.pointee.quietBounds?.deallocate()
        clock.pointee.quietBounds = nil
        if on && clock.pointee.enabled && model.canStayQuiet {
            clock.pointee.quietBounds = .allocate(capacity: count)
            clock.pointee.quietBounds!.initialize(repeating: .infinity, count: count)
        }
    }

    @inlinable
    func makeKernel() -> PopulationKernel {
        PopulationKernel(
            deliverEvent: { [self] targets, weights, n, receptor, time, queue, counters in
                deliverEvent(targets, weights, n, receptor, time, &queue, &counters)
            },
            neuronEvent: { [self] i, time, queue, counters in
                neuronEvent(i, time, &queue, &counters)
            },
            scheduleAll: { [self] time, queue in scheduleAll(time, &queue) },
            prepareSteps: { [self] dt in prepareSteps(dt) },
            advanceAll: { [self] time, counters in advanceAll(time, &counters) },
            deliverStep: { [self] targets, weights, n, receptor, time, counters in
                deliverStep(targets, weights, n, receptor, time, &counters)
            },
            detectSpikes: { [self] time, fired in detectSpikes(time, &fired) },
            reset: { [self] in reset() },
            potential: { [self] i, time in model.potential(of: state(i, at: time), at: time) },
            bytesPerNeuron: { [self] in
                MemoryLayout<M.State>.stride * 2 + 8 + 2
                    + (inputs == nil ? 0 : 8 * model.receptorCount) + (lanes == nil ? 0 : 8 * M.laneCount)
                    + (clock.pointee.forms == nil ? 0 : MemoryLayout<M.EpochForm>.stride)
            },
            runtime: self)
    }

    // MARK: Event-driven engine

    /// Applies one delivery group: advance each target to `time`, add the input, re-predict.
    @inlinable
    func deliverEvent(
        _ targets: UnsafePointer<UInt32>, _ weights: WeightRun, _ n: Int, _ receptor: Int,
        _ time: Double, _ queue: inout IndexedMinTree.UnsafeHandle, _ counters: inout EngineCounters
    ) {
        switch weights.layout {
        case .double: deliverEvent(targets, DoubleWeights(weights), n, receptor, time, &queue, &counters)
        case .single: deliverEvent(targets, SingleWeights(weights), n, receptor, time, &queue, &counters)
        case .uniform: deliverEvent(targets, UniformWeight(weights), n, receptor, time, &queue, &counters)
        }
    }

    @inlinable
    func deliverEvent<W: WeightReader>(
        _ targets: UnsafePointer<UInt32>, _ weights: W, _ n: Int,
        _ receptor: Int, _ time: Double, _ queue: inout IndexedMinTree.UnsafeHandle,
        _ counters: inout EngineCounters
    ) {
        var applied: UInt64 = 0
        var updates: UInt64 = 0
        var predictions: UInt64 = 0
        if let forms = clock.pointee.forms {
            // Epoch form; large populations take the specialisation with prefetch hints, models
            // that can stay quiet the one with quiet bounds.
            switch (prefetchesTargets, clock.pointee.quietBounds != nil) {
            case (true, false):
                deliverEpoch(targets, weights, n, receptor, time, forms, PrefetchAhead.self, WithoutQuietBounds.self, &queue, &counters)
            case (false, false):
                deliverEpoch(targets, weights, n, receptor, time, forms, NoPrefetch.self, WithoutQuietBounds.self, &queue, &counters)
            case (true, true):
                deliverEpoch(targets, weights, n, receptor, time, forms, PrefetchAhead.self, WithQuietBounds.self, &queue, &counters)
            case (false, true):
                deliverEpoch(targets, weights, n, receptor, time, forms, NoPrefetch.self, WithQuietBounds.self, &queue, &counters)
            }
            return
        }
        let model = self.model
        for k in 0..<n {
            let i = Int(targets[k])
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
            let next = model.nextCrossing(of: s, at: time)
            exact[i] = next.isExact
            queue.update(offset &+ i, time: next.time)
        }
        counters.synapticEvents &+= applied
        counters.stateUpdates &+= updates
        counters.neuronQueueUpdates &+= predictions
    }

    /// `deliverEvent` in epoch form: no per-target advance; the factors are shared by the whole
    /// group. Specialised over `P`: with `PrefetchAhead` (large populations, `prefetchesTargets`)
    /// it pipelines the cache misses, starting to load the form and queue slot of the target 16
    /// ahead, since each target's work (a prediction, a queue move) is too long for the CPU to
    /// reach the next targets' loads on its own. Small populations take `NoPrefetch`: their state is in
    /// cache, and the hints there cost 7 %. Same arithmetic in the same order either way.
    /// Specialised over `Q` too: with `WithQuietBounds` (models that `canStayQuiet`) the group
    /// goes to `deliverEpochQuiet`, where an input to a neuron proven silent only raises its
    /// bound (`EpochClock.quietBounds`). Predictions get the population's mean input interval
    /// (`EpochClock.inputInterval`) as a hint.
    @inlinable
    func deliverEpoch<W: WeightReader, P: PrefetchPolicy, Q: QuietBoundPolicy>(
        _ targets: UnsafePointer<UInt32>, _ weights: W, _ n: Int, _ receptor: Int,
        _ time: Double, _ forms: UnsafeMutablePointer<M.EpochForm>, _: P.Type, _: Q.Type,
        _ queue: inout IndexedMinTree.UnsafeHandle, _ counters: inout EngineCounters
    ) {
        let x = epochFactors(at: time)
        let g = clock.pointee.growth
        let d = clock.pointee.decay
        var predictions: UInt64 = 0
        clock.pointee.windowInputs &+= n
        if Q.enabled {
            deliverEpochQuiet(targets, weights, n, receptor, time, x, forms, P.self, &queue, &predictions)
        } else {
            let inputInterval = clock.pointee.inputInterval
            let model = self.model
            if P.prefetches {
                for k in 0..<Swift.min(16, n) {
                    volley_prefetch(forms + Int(targets[k]))
                    queue.prefetchSlot(offset &+ Int(targets[k]))
                }
            }
            for k in 0..<n {
                if P.prefetches {
                    if k &+ 16 < n {
                        let ahead = Int(targets[k &+ 16])
                        volley_prefetch(forms + ahead)
                        queue.prefetchSlot(offset &+ ahead)
                    }
                }
                let i = Int(targets[k])
                let w = weights.weight(k)
                model.receive(&forms[i], weight: w, receptor: receptor, elapsed: x, growth: g)
                if model.inputOnlyDelaysCrossing(weight: w, receptor: receptor) {
                    // The queued time stays a lower bound on the crossing: keep it, as a wake-up.
                    exact[i] = false
                    continue
                }
                let s = model.state(fromEpoch: forms[i], elapsed: x, decay: d)
                predictAfterInput(model, i, s, time, inputInterval, &queue, &predictions)
            }
        }
        counters.synapticEvents &+= UInt64(n)
        counters.stateUpdates &+= UInt64(n)
        counters.neuronQueueUpdates &+= predictions
    }

    /// `deliverEpoch` for a population with quiet bounds, in chunks of 64 targets and two passes.
    /// The first applies each input and raises the target's quiet bound, branch-free: it only
    /// notes the targets whose bound no longer proves them silent. The second handles those:
    /// the state, a fresh bound, and if that does not prove silence either, a prediction. Most
    /// inputs to a quiet population end in the first pass, which is then a short loop of
    /// independent loads and stores (one mispredicted branch per refresh, ≈ 1 in 6 inputs, was
    /// a large part of its cost when both passes were one loop). A target listed twice in a
    /// chunk is handled twice in the second pass, both times from its state after both inputs:
    /// the same bound and prediction.
    @inlinable @inline(__always)
    func deliverEpochQuiet<W: WeightReader, P: PrefetchPolicy>(
        _ targets: UnsafePointer<UInt32>, _ weights: W, _ n: Int, _ receptor: Int,
        _ time: Double, _ x: Double, _ forms: UnsafeMutablePointer<M.EpochForm>, _: P.Type,
        _ queue: inout IndexedMinTree.UnsafeHandle, _ predictions: inout UInt64
    ) {
        let g = clock.pointee.growth
        let d = clock.pointee.decay
        let bounds = clock.pointee.quietBounds.unsafelyUnwrapped
        let model = self.model
        let peak = model.peakResponse(receptor: receptor)
        let inputInterval = clock.pointee.inputInterval
        withUnsafeTemporaryAllocation(of: Int.self, capacity: 64) { pendingBuffer in
            let pending = pendingBuffer.baseAddress.unsafelyUnwrapped
            var start = 0
            while start < n {
                let end = Swift.min(n, start &+ 64)
                var m = 0
                for k in start..<end {
                    if P.prefetches && k &+ 16 < n {
                        let ahead = Int(targets[k &+ 16])
                        volley_prefetch(forms + ahead)
                        volley_prefetch(bounds + ahead)
                    }
                    let i = Int(targets[k])
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
                        queue.update(offset &+ i, time: .infinity)
                        continue
                    }
                    predictAfterInput(model, i, s, time, inputInterval, &queue, &predictions)
                }
                start = end
            }
        }
    }

    /// Queues neuron i's next crossing or wake-up from its state `s` just after an input at
    /// `time` (the delivery loops' common tail).
    @inlinable @inline(__always)
    func predictAfterInput(
        _ model: M, _ i: Int, _ s: M.State, _ time: Double, _ inputInterval: Double,
        _ queue: inout IndexedMinTree.UnsafeHandle, _ predictions: inout UInt64
    ) {
        predictions &+= 1
        let next = model.nextCrossing(of: s, at: time, inputInterval: inputInterval)
        exact[i] = next.isExact
        queue.update(offset &+ i, time: next.time)
    }

    /// Handles the queued prediction of neuron i at `time`: an exact crossing fires; a wake-up
    /// fires only if the neuron is at threshold, and is otherwise replaced by a new prediction.
    @inlinable
    func neuronEvent(
        _ i: Int, _ time: Double, _ queue: inout IndexedMinTree.UnsafeHandle, _ counters: inout EngineCounters
    ) -> Bool {
        let model = self.model
        if let forms = clock.pointee.forms {
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
            if let bounds = clock.pointee.quietBounds, refreshQuietBound(model, i, from: s, bounds) {
                queue.update(offset &+ i, time: .infinity)
                return fires
            }
            let next = model.nextCrossingAtNeuronEvent(of: s, at: time)
            assert(next.isExact || next.time > time, "a wake-up must lie in the future")
            exact[i] = next.isExact
            queue.update(offset &+ i, time: next.time)
            return fires
        }
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
            queue.update(offset &+ i, time: .infinity)
            return true
        }
        let next = model.nextCrossingAtNeuronEvent(of: s, at: time)
        assert(next.isExact || next.time > time, "a wake-up must lie in the future")
        exact[i] = next.isExact
        queue.update(offset &+ i, time: next.time)
        return fires
    }

    @inlinable
    func scheduleAll(_ time: Double, _ queue: inout IndexedMinTree) {
        if clock.pointee.enabled {
            let forms = clock.pointee.forms ?? .allocate(capacity: count)
            for i in 0..<count { (forms + i).initialize(to: model.epochForm(of: states[i], elapsed: 0)) }
            clock.pointee.forms = forms
            clock.pointee.origin = time
            clock.pointee.factorTime = .nan
            clock.pointee.windowInputs = 0
            clock.pointee.inputInterval = .infinity
        }
        for i in 0..<count where !done[i] {
            lastUpdate[i] = time
            if let bounds = clock.pointee.quietBounds, refreshQuietBound(model, i, from: states[i], bounds) {
                queue.update(offset &+ i, time: .infinity)
                continue
            }
            let next = model.nextCrossing(of: states[i], at: time)
            exact[i] = next.isExact
            queue.update(offset &+ i, time: next.time)
        }
    }

    /// x = time − t₀ for an event at `time`, with `growth` = e^(r·x) and `decay` = e^(−r·x)
    /// (computed once per distinct time); moves the epoch to `time` first when x passes
    /// `rebaseAfter`. Deterministic: a function of the event times only.
    @inlinable @inline(__always)
    func epochFactors(at time: Double) -> Double {
        var x = time - clock.pointee.origin
        if x > clock.pointee.rebaseAfter {
            rebase(to: time)
            x = 0
        }
        if time != clock.pointee.factorTime {
            clock.pointee.factorTime = time
            let g = model.epochGrowth(elapsed: x)
            clock.pointee.growth = g
            clock.pointee.decay = 1 / g
        }
        return x
    }

    /// Re-expresses every form relative to the new epoch `time`.
    @inlinable
    func rebase(to time: Double) {
        guard let forms = clock.pointee.forms else { return }
        let shift = time - clock.pointee.origin
        let d = laneExp(-model.epochRates * shift)
        for i in 0..<count { model.rebase(&forms[i], shift: shift, decay: d) }
        clock.pointee.origin = time
        clock.pointee.factorTime = .nan
        // The mean input interval per neuron over the epoch that ends here (a function of the
        // event times only, so runs stay deterministic).
        let inputs = clock.pointee.windowInputs
        clock.pointee.inputInterval = inputs > 0 ? Double(count) * shift / Double(inputs) : .infinity
        clock.pointee.windowInputs = 0
    }

    // MARK: Time-stepped engine

    /// Precomputes the step propagator and, for models with lane storage, moves the states into
    /// struct-of-arrays form.
    @inlinable
    func prepareSteps(_ dt: Double) {
        stepSize = dt
        stepPropagator = model.propagator(over: dt)
        if M.laneCount > 0 && !firstSpikeOnly && lanes == nil {
            let storage = UnsafeMutablePointer<Double>.allocate(capacity: M.laneCount * count)
            storage.initialize(repeating: 0, count: M.laneCount * count)
            for i in 0..<count { model.store(states[i], inLanes: storage, stride: count, at: i) }
            lanes = storage
            laneScratch.invalidate()
            inputs?.deallocate()
            inputs = nil
        }
    }

    @inlinable
    func advanceAll(_ time: Double, _ counters: inout EngineCounters) {
        guard let p = stepPropagator else { return }
        let h = stepSize
        if let lanes {
            laneFired.removeAll(keepingCapacity: true)
            model.stepLanes(
                lanes, stride: count, count: count, advancingBy: h, using: p, at: time,
                scratch: &laneScratch, fired: &laneFired)
            laneStepped = true
            counters.stateUpdates &+= UInt64(count)
            return
        }
        if inputs != nil {
            advancePending = true
            counters.stateUpdates &+= UInt64(count)
            return
        }
        if firstSpikeOnly {
            for i in 0..<count where !done[i] { model.advance(&states[i], by: h, using: p) }
        } else {
            for i in 0..<count { model.advance(&states[i], by: h, using: p) }
        }
        counters.stateUpdates &+= UInt64(count)
    }

    @inlinable
    func deliverStep(
        _ targets: UnsafePointer<UInt32>, _ weights: WeightRun, _ n: Int, _ receptor: Int,
        _ time: Double, _ counters: inout EngineCounters
    ) {
        switch weights.layout {
        case .double: deliverStep(targets, DoubleWeights(weights), n, receptor, time, &counters)
        case .single: deliverStep(targets, SingleWeights(weights), n, receptor, time, &counters)
        case .uniform: deliverStep(targets, UniformWeight(weights), n, receptor, time, &counters)
        }
    }

    /// Applies one delivery group on the grid: adds each weight to its target's input.
    @inlinable
    func deliverStep<W: WeightReader>(
        _ targets: UnsafePointer<UInt32>, _ weights: W, _ n: Int,
        _ receptor: Int, _ time: Double, _ counters: inout EngineCounters
    ) {
        if let lanes {
            let row = lanes + model.inputLane(receptor: receptor) &* count
            for k in 0..<n { row[Int(targets[k])] += weights.weight(k) }
            counters.synapticEvents &+= UInt64(n)
            return
        }
        if let inputs {
            let row = inputs + receptor &* count
            for k in 0..<n { row[Int(targets[k])] += weights.weight(k) }
            counters.synapticEvents &+= UInt64(n)
            return
        }
        var applied: UInt64 = 0
        for k in 0..<n {
            let i = Int(targets[k])
            if done[i] { continue }
            model.receive(&states[i], weight: weights.weight(k), receptor: receptor, at: time)
            applied &+= 1
        }
        counters.synapticEvents &+= applied
    }

    @inlinable
    func detectSpikes(_ time: Double, _ fired: inout ContiguousArray<UInt32>) {
        if let lanes, let p = stepPropagator {
            if laneStepped {
                fired.append(contentsOf: laneFired)
                laneStepped = false
            } else {
                // Step 0: no advance, threshold only.
                model.stepLanes(
                    lanes, stride: count, count: count, advancingBy: nil, using: p, at: time,
                    scratch: &laneScratch, fired: &fired)
            }
            return
        }
        if let inputs, let p = stepPropagator {
            model.step(
                states, count: count, inputs: inputs, advancingBy: advancePending ? stepSize : nil,
                using: p, at: time, fired: &fired)
            advancePending = false
            return
        }
        for i in 0..<count where !done[i] && model.isAboveThreshold(states[i], at: time) {
            model.fire(&states[i], at: time)
            if firstSpikeOnly { done[i] = true }
            fired.append(UInt32(truncatingIfNeeded: i))
        }
    }

    // MARK: Both

    @inlinable
    func reset() {
        for i in 0..<count { states[i] = initialStates[i] }
        if let lanes {
            for i in 0..<count { model.store(initialStates[i], inLanes: lanes, stride: count, at: i) }
            laneScratch.invalidate()
        }
        lastUpdate.update(repeating: 0, count: count)
        exact.update(repeating: false, count: count)
        done.update(repeating: false, count: count)
        inputs?.update(repeating: 0, count: model.receptorCount * count)
        advancePending = false
        laneStepped = false
    }

    /// A copy of neuron i's state advanced to `time` (the stored state is not modified). In the
    /// time-stepped engine states are always current, so no advance is needed.
    @inlinable
    func state(_ i: Int, at time: Double) -> M.State {
        if let lanes { return model.state(inLanes: lanes, stride: count, at: i) }
        if let forms = clock.pointee.forms {
            let x = time - clock.pointee.origin
            let d = laneExp(-model.epochRates * x)
            return model.state(fromEpoch: forms[i], elapsed: x, decay: d)
        }
        var s = states[i]
        if stepPropagator == nil {
            let h = time - lastUpdate[i]
            if h > 0 { model.advance(&s, by: h) }
        }
        return s
    }
}

/// The epoch bookkeeping of one population in the event-driven engine (see `ModelPopulation`).
@usableFromInline
struct EpochClock<Form: SIMD> where Form.Scalar == Double {
    /// Whether the population may use the epoch form (model support, not first-spike-only).
    @usableFromInline let enabled: Bool
    /// The forms, allocated when the event-driven engine first schedules the population.
    @usableFromInline var forms: UnsafeMutablePointer<Form>? = nil
    /// The epoch t₀ (ms).
    @usableFromInline var origin = 0.0
    /// The time whose factors `growth` = e^(r·x), `decay` = e^(−r·x) hold (NaN: none).
    @usableFromInline var factorTime = Double.nan
    @usableFromInline var growth = Form(repeating: 1)
    @usableFromInline var decay = Form(repeating: 1)
    /// The epoch moves forward once the fastest mode's factor would pass e^20.
    @usableFromInline let rebaseAfter: Double
    /// Models that `canStayQuiet`: per neuron an upper bound on V − θ over all later times
    /// (`NeuronModel.marginBound`, raised by `peakResponse`·w per input of weight w > 0). Below
    /// −`quietMargin` it proves the neuron silent: its queued time is ∞ and an input only raises
    /// the bound. nil otherwise, or when switched off (`ModelPopulation.usesQuietBounds`).
    @usableFromInline var quietBounds: UnsafeMutablePointer<Double>? = nil
    /// Synaptic events delivered to the population since the epoch began, and the mean input
    /// interval per neuron (ms) over the previous epoch (+∞ before the first rebase, or if it
    /// had no input): the hint `NeuronModel.nextCrossing(of:at:inputInterval:)` gets.
    @usableFromInline var windowInputs = 0
    @usableFromInline var inputInterval = Double.infinity

    @inlinable
    init(enabled: Bool, rebaseAfter: Double) {
        self.enabled = enabled
        self.rebaseAfter = rebaseAfter
    }
}

/// Whether an event-driven delivery loop issues cache prefetch hints (a compile-time choice:
/// `ModelPopulation.deliverEpoch` is specialised for each, so the flag costs nothing at run time).
@usableFromInline protocol PrefetchPolicy { static var prefetches: Bool { get } }
@usableFromInline enum PrefetchAhead: PrefetchPolicy {
    @inlinable static var prefetches: Bool { true }
}
@usableFromInline enum NoPrefetch: PrefetchPolicy {
    @inlinable static var prefetches: Bool { false }
}

/// Whether an event-driven delivery loop keeps quiet bounds (`EpochClock.quietBounds`), a
/// compile-time choice like `PrefetchPolicy`: populations without them pay nothing per input.
@usableFromInline protocol QuietBoundPolicy { static var enabled: Bool { get } }
@usableFromInline enum WithQuietBounds: QuietBoundPolicy {
    @inlinable static var enabled: Bool { true }
}
@usableFromInline enum WithoutQuietBounds: QuietBoundPolicy {
    @inlinable static var enabled: Bool { false }
}
