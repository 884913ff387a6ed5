/// One population of any `NeuronModel` in the time-stepped engine, following the contract's
/// order literally: advance every neuron by dt with the precomputed propagator, apply each
/// delivery with `receive` in delivery order, fire every neuron at threshold. The path for
/// models without summed inputs (SRM, ReL-PSP) and for first-spike-only populations.
@usableFromInline
final class SteppedPopulation<M: NeuronModel>: NeuronStateAccess {
    @usableFromInline typealias Model = M
    @usableFromInline let model: M
    @usableFromInline let count: Int
    @usableFromInline let dt: Double
    @usableFromInline let propagator: M.Propagator
    /// Each neuron fires at most once per run; it then ignores inputs and is no longer advanced.
    @usableFromInline let firstSpikeOnly: Bool
    @usableFromInline let initial: StateStorage<M.State>
    @usableFromInline let current: StateStorage<M.State>
    @usableFromInline let states: UnsafeMutablePointer<M.State>
    @usableFromInline let done: UnsafeMutablePointer<Bool>

    @inlinable
    init(model: M, count: Int, dt: Double, firstSpikeOnly: Bool, initialPotentials: [Double]?) {
        self.model = model
        self.count = count
        self.dt = dt
        self.firstSpikeOnly = firstSpikeOnly
        propagator = model.propagator(over: dt)
        initial = StateStorage(model, count: count, initialPotentials: initialPotentials)
        current = StateStorage(copying: initial)
        states = current.pointer
        done = .allocate(capacity: count)
        done.initialize(repeating: false, count: count)
    }

    deinit {
        done.deallocate()
    }

    @inlinable
    func makeKernel() -> SteppedKernel {
        SteppedKernel(
            makeStep: { [self] in { [self] time, advancing, due, range, fired, counters in step(time, advancing, due, range, &fired, &counters) } },
            runtime: PopulationRuntime(
                reset: { [self] in reset() },
                potential: { [self] i, time in model.potential(of: states[i], at: time) },
                memoryBytes: initial.memoryBytes + current.memoryBytes + count, states: self,
                stalledNeuron: PopulationRuntime.stalledScan(states, count: count)))
    }

    @inlinable
    func step(
        _ time: Double, _ advancing: Bool, _ due: DueDeliveries, _ range: Range<Int>,
        _ fired: inout ContiguousArray<UInt32>, _ counters: inout EngineCounters
    ) {
        if advancing {
            let p = propagator
            if firstSpikeOnly {
                for i in range where !done[i] { model.advance(&states[i], by: dt, using: p) }
            } else {
                for i in range { model.advance(&states[i], by: dt, using: p) }
            }
            counters.stateUpdates &+= UInt64(range.count)
        }
        due.forEach(at: time) { group in
            switch group.weights.layout {
            case .double: deliver(group, DoubleWeights(group.weights), time, &counters)
            case .single: deliver(group, SingleWeights(group.weights), time, &counters)
            case .uniform: deliver(group, UniformWeight(group.weights), time, &counters)
            case .shared: deliver(group, SharedWeights(group.weights), time, &counters)
            }
        }
        for i in range where !done[i] && model.isAboveThreshold(states[i], at: time) {
            model.fire(&states[i], at: time)
            if firstSpikeOnly { done[i] = true }
            fired.append(UInt32(truncatingIfNeeded: i))
        }
    }

    /// Applies one delivery group: `receive` on each target, in order.
    @inlinable
    func deliver<W: WeightReader>(_ group: DeliveryGroup, _ weights: W, _ time: Double, _ counters: inout EngineCounters) {
        var applied: UInt64 = 0
        for k in 0..<group.count {
            let i = Int(group.targets[k])
            if done[i] { continue }
            model.receive(&states[i], weight: weights.weight(k), receptor: group.receptor, at: time)
            applied &+= 1
        }
        counters.synapticEvents &+= applied
    }

    @inlinable
    func reset() {
        current.assign(from: initial)
        done.update(repeating: false, count: count)
    }

    /// In the time-stepped engine states are always current.
    @inlinable
    func state(_ i: Int, at time: Double) -> M.State { states[i] }

    @usableFromInline
    func setInitialStates(_ newStates: [M.State]) { initial.assign(newStates) }
}
