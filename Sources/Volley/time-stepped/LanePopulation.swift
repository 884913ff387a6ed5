/// One population of a `LaneStorable` model in the time-stepped engine: states in
/// struct-of-arrays lanes (`lanes[k·count + i]`), one vectorised pass that advances and fires
/// (`stepLanes`), then the step's deliveries added straight into the input lanes — the
/// contract's order with the same arithmetic, since threshold and reset never read an input
/// lane (see `LaneStorable`).
@usableFromInline
final class LanePopulation<M: LaneStorable>: NeuronStateAccess {
    @usableFromInline typealias Model = M
    @usableFromInline let model: M
    @usableFromInline let count: Int
    @usableFromInline let dt: Double
    @usableFromInline let propagator: M.Propagator
    @usableFromInline let initial: StateStorage<M.State>
    @usableFromInline let lanes: UnsafeMutablePointer<Double>
    /// What the lane kernel keeps between steps (its refractory list; see `LaneScratch`).
    /// Unchecked: only the owning engine's thread touches it, once per step.
    @exclusivity(unchecked) @usableFromInline var scratch = LaneScratch<M.State>()

    @inlinable
    init(model: M, count: Int, dt: Double, initialPotentials: [Double]?) {
        self.model = model
        self.count = count
        self.dt = dt
        propagator = model.propagator(over: dt)
        initial = StateStorage(model, count: count, initialPotentials: initialPotentials)
        lanes = .allocate(capacity: M.laneCount * count)
        lanes.initialize(repeating: 0, count: M.laneCount * count)
        reset()
    }

    deinit { lanes.deallocate() }

    @inlinable
    func makeKernel() -> SteppedKernel {
        SteppedKernel(
            step: { [self] time, advancing, due, fired, counters in step(time, advancing, due, &fired, &counters) },
            runtime: PopulationRuntime(
                reset: { [self] in reset() },
                potential: { [self] i, time in model.potential(of: state(i, at: time), at: time) },
                memoryBytes: initial.memoryBytes + count * 8 * M.laneCount, states: self))
    }

    @inlinable
    func step(
        _ time: Double, _ advancing: Bool, _ due: DueDeliveries, _ fired: inout ContiguousArray<UInt32>,
        _ counters: inout EngineCounters
    ) {
        model.stepLanes(
            lanes, stride: count, count: count, advancingBy: advancing ? dt : nil, using: propagator, at: time,
            scratch: &scratch, fired: &fired)
        if advancing { counters.stateUpdates &+= UInt64(count) }
        due.forEach(at: time) { group in
            let row = lanes + model.inputLane(receptor: group.receptor) &* count
            switch group.weights.layout {
            case .double: add(group, DoubleWeights(group.weights), row)
            case .single: add(group, SingleWeights(group.weights), row)
            case .uniform: add(group, UniformWeight(group.weights), row)
            case .shared: add(group, SharedWeights(group.weights), row)
            }
            counters.synapticEvents &+= UInt64(group.count)
        }
    }

    /// Adds one delivery group's weights to its targets' input lane `row`.
    @inlinable @inline(__always)
    func add<W: WeightReader>(_ group: DeliveryGroup, _ weights: W, _ row: UnsafeMutablePointer<Double>) {
        for k in 0..<group.count { row[Int(group.targets[k])] += weights.weight(k) }
    }

    @inlinable
    func reset() {
        for i in 0..<count { model.store(initial.pointer[i], inLanes: lanes, stride: count, at: i) }
        scratch.invalidate()
    }

    @inlinable
    func state(_ i: Int, at time: Double) -> M.State { model.state(inLanes: lanes, stride: count, at: i) }

    @usableFromInline
    func setInitialStates(_ newStates: [M.State]) { initial.assign(newStates) }
}
