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
    /// Key updates of the per-neuron queues (predictions, source spikes).
    public var neuronQueueUpdates: UInt64 = 0
    /// Neuron-queue events handled (spikes and wake-ups).
    public var neuronEvents: UInt64 = 0
    /// Wake-ups that did not end in a spike (event-driven only).
    public var wakeUps: UInt64 = 0
    /// Spikes emitted by all populations, sources included.
    public var spikes: UInt64 = 0

    public init() {}

    /// Adds another set of counts (one thread's share of a run) to these.
    public mutating func add(_ other: EngineCounters) {
        synapticEvents &+= other.synapticEvents
        stateUpdates &+= other.stateUpdates
        deliveryPushes &+= other.deliveryPushes
        deliveryPops &+= other.deliveryPops
        neuronQueueUpdates &+= other.neuronQueueUpdates
        neuronEvents &+= other.neuronEvents
        wakeUps &+= other.wakeUps
        spikes &+= other.spikes
    }

    /// Priority-queue operations of all kinds.
    public var queueOperations: UInt64 { deliveryPushes + deliveryPops + neuronQueueUpdates + neuronEvents }
}
