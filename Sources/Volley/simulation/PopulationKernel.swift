/// Operation counts every engine keeps; the statistics report is computed from them.
@frozen
public struct EngineCounters: Sendable, Equatable {
    /// Synaptic events applied to a target neuron (SynOps).
    public var synapticEvents: UInt64 = 0
    /// Neuron state advances (event-driven: one per update of one neuron to a new time;
    /// time-stepped: neurons × steps).
    public var stateUpdates: UInt64 = 0
    /// Spike deliveries pushed on / popped from the delivery queue (one per delay group).
    public var deliveryPushes: UInt64 = 0
    public var deliveryPops: UInt64 = 0
    /// Key updates of the per-neuron queue (predictions, source spikes).
    public var neuronQueueUpdates: UInt64 = 0
    /// Neuron-queue events handled (spikes and wake-ups).
    public var neuronEvents: UInt64 = 0
    /// Wake-ups that did not end in a spike (event-driven only).
    public var wakeUps: UInt64 = 0
    /// Spikes emitted by all populations, sources included.
    public var spikes: UInt64 = 0

    public init() {}

    /// Priority-queue operations of all kinds.
    public var queueOperations: UInt64 { deliveryPushes + deliveryPops + neuronQueueUpdates + neuronEvents }
}

/// The type-erased runtime of one model population inside one engine.
///
/// Every closure is created by `ModelPopulation<M>.makeKernel()` in a context where `M` is a
/// concrete type, so its body is specialized for the model: engines call one closure per delivery
/// group or per neuron event, and the loop over synapses inside it has no dynamic dispatch.
/// (A protocol existential over a generic class would run the unspecialized witnesses instead.)
public struct PopulationKernel {
    /// Event-driven: applies one delivery group (targets, weights, count, receptor, time). The
    /// neuron queue comes as the handle the event loop holds for its whole run
    /// (`IndexedMinTree.withUnsafeHandle`), so a group or a neuron event pays no uniqueness checks.
    @usableFromInline let deliverEvent:
        (
            UnsafePointer<UInt32>, WeightRun, Int, Int, Double, inout IndexedMinTree.UnsafeHandle,
            inout EngineCounters
        ) -> Void
    /// Event-driven: handles the queued prediction of neuron `local` at `time`; true if it fired.
    @usableFromInline let neuronEvent: (Int, Double, inout IndexedMinTree.UnsafeHandle, inout EngineCounters) -> Bool
    /// Event-driven: queues every neuron's first prediction from `time`.
    @usableFromInline let scheduleAll: (Double, inout IndexedMinTree) -> Void
    /// Time-stepped: precomputes the propagator for step `dt`.
    @usableFromInline let prepareSteps: (Double) -> Void
    /// Time-stepped: advances every neuron by one step to `time` (lane storage: and finds the
    /// step's spikes, which `detectSpikes` reports).
    @usableFromInline let advanceAll: (Double, inout EngineCounters) -> Void
    /// Time-stepped: applies one delivery group at `time`.
    @usableFromInline let deliverStep:
        (UnsafePointer<UInt32>, WeightRun, Int, Int, Double, inout EngineCounters) -> Void
    /// Time-stepped: fires every neuron at threshold at `time`, appending their local indices.
    @usableFromInline let detectSpikes: (Double, inout ContiguousArray<UInt32>) -> Void
    /// Restores the initial state without reallocating.
    @usableFromInline let reset: () -> Void
    /// Membrane potential of neuron `local` at `time` (mV), computed on a copy of its state.
    @usableFromInline let potential: (Int, Double) -> Double
    /// Bytes of per-neuron runtime state.
    @usableFromInline let bytesPerNeuron: () -> Int
    /// The `ModelPopulation<M>` behind the closures (typed access for inspection).
    @usableFromInline let runtime: AnyObject

    @inlinable
    init(
        deliverEvent: @escaping (
            UnsafePointer<UInt32>, WeightRun, Int, Int, Double, inout IndexedMinTree.UnsafeHandle,
            inout EngineCounters
        ) -> Void,
        neuronEvent: @escaping (Int, Double, inout IndexedMinTree.UnsafeHandle, inout EngineCounters) -> Bool,
        scheduleAll: @escaping (Double, inout IndexedMinTree) -> Void,
        prepareSteps: @escaping (Double) -> Void,
        advanceAll: @escaping (Double, inout EngineCounters) -> Void,
        deliverStep: @escaping (
            UnsafePointer<UInt32>, WeightRun, Int, Int, Double, inout EngineCounters
        ) -> Void,
        detectSpikes: @escaping (Double, inout ContiguousArray<UInt32>) -> Void,
        reset: @escaping () -> Void,
        potential: @escaping (Int, Double) -> Double,
        bytesPerNeuron: @escaping () -> Int,
        runtime: AnyObject
    ) {
        self.deliverEvent = deliverEvent
        self.neuronEvent = neuronEvent
        self.scheduleAll = scheduleAll
        self.prepareSteps = prepareSteps
        self.advanceAll = advanceAll
        self.deliverStep = deliverStep
        self.detectSpikes = detectSpikes
        self.reset = reset
        self.potential = potential
        self.bytesPerNeuron = bytesPerNeuron
        self.runtime = runtime
    }
}
