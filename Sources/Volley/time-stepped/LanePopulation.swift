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
    /// Doubles from one lane to the next: `count` rounded up to whole 64-byte lines, so that (with
    /// the lanes' 64-byte alignment and blocks of 64 neurons) no cache line holds two threads'
    /// neurons.
    @usableFromInline let stride: Int
    @usableFromInline let dt: Double
    @usableFromInline let propagator: M.Propagator
    @usableFromInline let initial: StateStorage<M.State>
    @usableFromInline let lanes: UnsafeMutablePointer<Double>
    /// What the lane kernel keeps between steps (its refractory list; see `LaneScratch`), one
    /// per thread's block, two cache lines apart: thread k touches only `scratch[k·spacing]`.
    @usableFromInline let scratch: UnsafeMutablePointer<LaneScratch<M.State>>
    @usableFromInline static var spacing: Int { Swift.max(1, (128 + MemoryLayout<LaneScratch<M.State>>.stride - 1) / MemoryLayout<LaneScratch<M.State>>.stride) }
    @usableFromInline let threads: Int

    @inlinable
    init(model: M, count: Int, dt: Double, threads: Int, initialPotentials: [Double]?) {
        self.threads = threads
        scratch = .allocate(capacity: threads * Self.spacing)
        scratch.initialize(repeating: LaneScratch(), count: threads * Self.spacing)
        self.model = model
        self.count = count
        self.dt = dt
        propagator = model.propagator(over: dt)
        initial = StateStorage(model, count: count, initialPotentials: initialPotentials)
        stride = (count + 7) / 8 * 8
        lanes = UnsafeMutableRawPointer.allocate(byteCount: Swift.max(M.laneCount * stride, 1) * 8, alignment: 64)
            .bindMemory(to: Double.self, capacity: M.laneCount * stride)
        lanes.initialize(repeating: 0, count: M.laneCount * stride)
        reset()
    }

    deinit {
        UnsafeMutableRawPointer(lanes).deallocate()
        scratch.deinitialize(count: threads * Self.spacing)
        scratch.deallocate()
    }

    @inlinable
    func makeKernel() -> SteppedKernel {
        SteppedKernel(
            makeStep: { [self] in { [self] time, advancing, due, range, fired, counters in step(time, advancing, due, range, &fired, &counters) } },
            makeSplitStep: { [self] in
                SteppedKernel.SplitStep(
                    advanceAndFire: { [self] time, range, part, fired, counters in
                        advanceAndFire(time, true, range, part: part, &fired, &counters)
                    },
                    addInputs: { [self] time, due, counters in addInputs(time, due, &counters) })
            },
            runtime: PopulationRuntime(
                reset: { [self] in reset() },
                potential: { [self] i, time in model.potential(of: state(i, at: time), at: time) },
                memoryBytes: initial.memoryBytes + stride * 8 * M.laneCount, states: self))
    }

    @inlinable
    func step(
        _ time: Double, _ advancing: Bool, _ due: DueDeliveries, _ range: Range<Int>,
        _ fired: inout ContiguousArray<UInt32>, _ counters: inout EngineCounters
    ) {
        advanceAndFire(time, advancing, range, part: due.part, &fired, &counters)
        addInputs(time, due, &counters)
    }

    /// The step's first half: the block `range` (thread `part`'s) advanced and fired.
    @inlinable @inline(__always)
    func advanceAndFire(
        _ time: Double, _ advancing: Bool, _ range: Range<Int>, part: Int,
        _ fired: inout ContiguousArray<UInt32>, _ counters: inout EngineCounters
    ) {
        let lo = range.lowerBound
        let before = fired.count
        model.stepLanes(
            lanes + lo, stride: stride, count: range.count, advancingBy: advancing ? dt : nil, using: propagator,
            at: time, scratch: &scratch[part &* Self.spacing], fired: &fired)
        if lo > 0 { for k in before..<fired.count { fired[k] &+= UInt32(truncatingIfNeeded: lo) } }
        if advancing { counters.stateUpdates &+= UInt64(range.count) }
    }

    /// The step's second half: its deliveries (the block's part) added to the input lanes.
    @inlinable @inline(__always)
    func addInputs(_ time: Double, _ due: DueDeliveries, _ counters: inout EngineCounters) {
        due.forEach(at: time) { group in
            let row = lanes + model.inputLane(receptor: group.receptor) &* stride
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
        for i in 0..<count { model.store(initial.pointer[i], inLanes: lanes, stride: stride, at: i) }
        for k in 0..<threads { scratch[k * Self.spacing].invalidate() }
    }

    @inlinable
    func state(_ i: Int, at time: Double) -> M.State { model.state(inLanes: lanes, stride: stride, at: i) }

    @usableFromInline
    func setInitialStates(_ newStates: [M.State]) { initial.assign(newStates) }
}
