/// The event-driven engine's view of one model population (type-erased; every closure is created
/// where the model type is concrete, so the loops inside it are specialised for the model and the
/// engine makes one indirect call per delivery group or neuron event).
@usableFromInline
struct EventKernel {
    /// Applies one delivery group at `time`; returns the population's next event time.
    @usableFromInline let deliver: (DeliveryGroup, Double, inout EngineCounters) -> Double
    /// Handles the population's earliest neuron event (a predicted crossing or a wake-up) at
    /// `time`; returns the local index of the neuron if it fired (−1 otherwise) and the
    /// population's next event time.
    @usableFromInline let nextEvent: (Double, inout EngineCounters) -> (fired: Int, next: Double)
    /// Queues every neuron's first prediction from `time`; returns the population's next event time.
    @usableFromInline let schedule: (Double) -> Double
    @usableFromInline let runtime: PopulationRuntime

    @inlinable
    init(
        deliver: @escaping (DeliveryGroup, Double, inout EngineCounters) -> Double,
        nextEvent: @escaping (Double, inout EngineCounters) -> (fired: Int, next: Double),
        schedule: @escaping (Double) -> Double, runtime: PopulationRuntime
    ) {
        self.deliver = deliver
        self.nextEvent = nextEvent
        self.schedule = schedule
        self.runtime = runtime
    }

    /// The event-driven kernels `model` allows: nil unless it is `ExactlyPredictable` (and, if it
    /// is integrated numerically, adaptively). Where the model type is concrete the compiler
    /// resolves these casts and specialises the builder.
    @inlinable
    static func builder<M: NeuronModel>(
        for model: M, initialPotentials: [Double]?, firstSpikeOnly: Bool
    ) -> (@Sendable ([Range<Int>]) -> EventKernelBlocks)? {
        guard let predictable = model as? any ExactlyPredictable else { return nil }
        if let integrated = model as? any IntegratedModel, integrated.integration == .forwardEuler { return nil }
        return builder(predictable: predictable, initialPotentials: initialPotentials, firstSpikeOnly: firstSpikeOnly)
    }

    /// Epoch form where the model has one (first-spike-only populations keep per-neuron
    /// advances), else per-neuron advances.
    @inlinable
    static func builder<M: ExactlyPredictable>(
        predictable model: M, initialPotentials: [Double]?, firstSpikeOnly: Bool
    ) -> @Sendable ([Range<Int>]) -> EventKernelBlocks {
        if !firstSpikeOnly, let epoch = model as? any EpochFormRepresentable, epoch.supportsEpochForm {
            return builder(epoch: epoch, initialPotentials: initialPotentials)
        }
        return { blocks in
            EventKernelBlocks(blocks) { neurons in
                EventPopulation(model: model, neurons: neurons, firstSpikeOnly: firstSpikeOnly, initialPotentials: initialPotentials)
            } kernel: { $0.makeKernel() }
        }
    }

    /// Quiet bounds where the model can prove its neurons silent.
    @inlinable
    static func builder<M: EpochFormRepresentable>(
        epoch model: M, initialPotentials: [Double]?
    ) -> @Sendable ([Range<Int>]) -> EventKernelBlocks {
        if let quiet = model as? any QuietBounded, quiet.canStayQuiet {
            return builder(quiet: quiet, initialPotentials: initialPotentials)
        }
        return { blocks in
            EventKernelBlocks(blocks) { neurons in
                EpochPopulation<M, WithoutQuietBounds<M>>(model: model, neurons: neurons, initialPotentials: initialPotentials)
            } kernel: { $0.makeKernel() }
        }
    }

    @inlinable
    static func builder<M: QuietBounded>(quiet model: M, initialPotentials: [Double]?) -> @Sendable ([Range<Int>]) -> EventKernelBlocks {
        { blocks in
            EventKernelBlocks(blocks) { neurons in
                EpochPopulation<M, WithQuietBounds<M>>(model: model, neurons: neurons, initialPotentials: initialPotentials)
            } kernel: { $0.makeKernel() }
        }
    }
}

/// One model population's event-driven kernels, one per contiguous block of its neurons (one
/// block with one thread; a thread's share each with several), and the runtime of the whole
/// population that the simulator's API uses.
@usableFromInline
struct EventKernelBlocks {
    @usableFromInline let kernels: [EventKernel]
    @usableFromInline let runtime: PopulationRuntime

    /// A kernel for each of the non-empty, ascending `blocks` made by `make` and `kernel`.
    @inlinable
    init<Part: NeuronStateAccess>(_ blocks: [Range<Int>], make: (Range<Int>) -> Part, kernel: (Part) -> EventKernel) {
        let parts = blocks.map(make)
        kernels = parts.map(kernel)
        runtime = kernels.count == 1
            ? kernels[0].runtime : PopulationRuntime(joining: kernels.map(\.runtime), blocks: blocks, states: BlockStates(parts, blocks))
    }
}
