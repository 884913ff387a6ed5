/// The time-stepped engine's view of one model population (type-erased; the closure is created
/// where the model type is concrete, so one grid step of the population is one call into code
/// specialised for the model).
@usableFromInline
struct SteppedKernel {
    /// One grid step at `time` of the neurons in `range` (one thread's block; the deliveries are
    /// that block's part, `due.part`): advance each by dt (not at step 0, `advancing` false),
    /// apply the step's deliveries, fire every neuron at threshold — appending their local
    /// indices to `fired` in ascending order. Blocks of different threads share no state.
    @usableFromInline typealias Step = (Double, Bool, DueDeliveries, Range<Int>, inout ContiguousArray<UInt32>, inout EngineCounters) -> Void
    /// Makes a `Step` closure of its own for one thread (a closure shared by threads would have
    /// its reference count updated by all of them at every call).
    @usableFromInline let makeStep: () -> Step
    /// Makes the step in two halves, for kernels whose threshold and reset never read an input
    /// (lane storage): nil where an input can make a neuron fire in the step it arrives.
    @usableFromInline let makeSplitStep: (() -> SplitStep)?
    @usableFromInline let runtime: PopulationRuntime

    /// `Step` in two halves, in this order: advance the block by dt and fire every neuron at
    /// threshold (time, block, thread, fired, counters), then apply the step's deliveries (time,
    /// the block's part, counters). Free-running threads post their spikes between the two, before
    /// they need the other threads' (`StepShare.runPipelined`).
    @usableFromInline
    struct SplitStep {
        @usableFromInline typealias AdvanceAndFire = (Double, Range<Int>, Int, inout ContiguousArray<UInt32>, inout EngineCounters) -> Void
        @usableFromInline typealias AddInputs = (Double, DueDeliveries, inout EngineCounters) -> Void
        @usableFromInline let advanceAndFire: AdvanceAndFire
        @usableFromInline let addInputs: AddInputs

        @inlinable
        init(advanceAndFire: @escaping AdvanceAndFire, addInputs: @escaping AddInputs) {
            self.advanceAndFire = advanceAndFire
            self.addInputs = addInputs
        }
    }

    @inlinable
    init(makeStep: @escaping () -> Step, makeSplitStep: (() -> SplitStep)? = nil, runtime: PopulationRuntime) {
        self.makeStep = makeStep
        self.makeSplitStep = makeSplitStep
        self.runtime = runtime
    }

    /// The kernel `model` allows: lane storage, summed inputs, or the plain contract order
    /// (first-spike-only populations always take the plain order, which skips neurons that
    /// fired). Where the model type is concrete the compiler resolves these casts and
    /// specialises the builder. The builder's arguments: population size, dt, number of threads.
    @inlinable
    static func builder<M: NeuronModel>(
        for model: M, initialPotentials: [Double]?, firstSpikeOnly: Bool
    ) -> @Sendable (Int, Double, Int) -> SteppedKernel {
        if !firstSpikeOnly {
            if let lanes = model as? any LaneStorable { return builder(lanes: lanes, initialPotentials: initialPotentials) }
            if let summing = model as? any InputSumming { return builder(summing: summing, initialPotentials: initialPotentials) }
        }
        return { count, dt, _ in
            SteppedPopulation(model: model, count: count, dt: dt, firstSpikeOnly: firstSpikeOnly, initialPotentials: initialPotentials)
                .makeKernel()
        }
    }

    @inlinable
    static func builder<M: LaneStorable>(lanes model: M, initialPotentials: [Double]?) -> @Sendable (Int, Double, Int) -> SteppedKernel {
        { count, dt, threads in
            LanePopulation(model: model, count: count, dt: dt, threads: threads, initialPotentials: initialPotentials).makeKernel()
        }
    }

    @inlinable
    static func builder<M: InputSumming>(summing model: M, initialPotentials: [Double]?) -> @Sendable (Int, Double, Int) -> SteppedKernel {
        { count, dt, _ in SummedInputPopulation(model: model, count: count, dt: dt, initialPotentials: initialPotentials).makeKernel() }
    }
}
