/// One population of an `InputSumming` model in the time-stepped engine: the step's deliveries
/// are summed per neuron and receptor, then one pass over the population advances each neuron,
/// applies its summed inputs and tests its threshold (`InputSumming.step`).
@usableFromInline
final class SummedInputPopulation<M: InputSumming>: NeuronStateAccess {
    @usableFromInline typealias Model = M
    @usableFromInline let model: M
    @usableFromInline let count: Int
    @usableFromInline let dt: Double
    @usableFromInline let propagator: M.Propagator
    @usableFromInline let initial: StateStorage<M.State>
    @usableFromInline let current: StateStorage<M.State>
    @usableFromInline let states: UnsafeMutablePointer<M.State>
    /// The summed input of the current step per receptor and neuron (`inputs[r·count + i]`).
    @usableFromInline let inputs: UnsafeMutablePointer<Double>
    @usableFromInline let inputCount: Int

    @inlinable
    init(model: M, count: Int, dt: Double, initialPotentials: [Double]?) {
        self.model = model
        self.count = count
        self.dt = dt
        propagator = model.propagator(over: dt)
        initial = StateStorage(model, count: count, initialPotentials: initialPotentials)
        current = StateStorage(copying: initial)
        states = current.pointer
        inputCount = model.receptorCount * count
        inputs = .allocate(capacity: inputCount)
        inputs.initialize(repeating: 0, count: inputCount)
    }

    deinit {
        inputs.deallocate()
    }

    @inlinable
    func makeKernel() -> SteppedKernel {
        SteppedKernel(
            makeStep: { [self] in { [self] time, advancing, due, range, fired, counters in step(time, advancing, due, range, &fired, &counters) } },
            runtime: PopulationRuntime(
                reset: { [self] in reset() },
                potential: { [self] i, time in model.potential(of: states[i], at: time) },
                memoryBytes: initial.memoryBytes + current.memoryBytes + inputCount * 8, states: self))
    }

    @inlinable
    func step(
        _ time: Double, _ advancing: Bool, _ due: DueDeliveries, _ range: Range<Int>,
        _ fired: inout ContiguousArray<UInt32>, _ counters: inout EngineCounters
    ) {
        due.forEach(at: time) { group in
            switch group.weights.layout {
            case .double: add(group, DoubleWeights(group.weights))
            case .single: add(group, SingleWeights(group.weights))
            case .uniform: add(group, UniformWeight(group.weights))
            case .shared: add(group, SharedWeights(group.weights))
            }
            counters.synapticEvents &+= UInt64(group.count)
        }
        if advancing { counters.stateUpdates &+= UInt64(range.count) }
        let lo = range.lowerBound
        let before = fired.count
        model.step(
            states + lo, count: range.count, inputs: inputs + lo, inputStride: count, advancingBy: advancing ? dt : nil,
            using: propagator, at: time, fired: &fired)
        if lo > 0 { for k in before..<fired.count { fired[k] &+= UInt32(truncatingIfNeeded: lo) } }
    }

    /// Adds one delivery group's weights to its targets' summed inputs.
    @inlinable
    func add<W: WeightReader>(_ group: DeliveryGroup, _ weights: W) {
        let row = inputs + group.receptor &* count
        for k in 0..<group.count { row[Int(group.targets[k])] += weights.weight(k) }
    }

    @inlinable
    func reset() {
        current.assign(from: initial)
        inputs.update(repeating: 0, count: inputCount)
    }

    @inlinable
    func state(_ i: Int, at time: Double) -> M.State { states[i] }

    @usableFromInline
    func setInitialStates(_ newStates: [M.State]) { initial.assign(newStates) }
}
