/// Typed access to one model population's states, whichever engine runs it.
@usableFromInline
protocol NeuronStateAccess<Model>: AnyObject {
    associatedtype Model: NeuronModel
    /// A copy of neuron i's state at `time` (the stored state is not modified).
    func state(_ i: Int, at time: Double) -> Model.State
    /// The states `reset()` restores from now on (one per neuron).
    func setInitialStates(_ states: [Model.State])
}

/// What the simulator's API needs from one model population in either engine, type-erased. The
/// closures are created where the model type is concrete, so they run code specialised for it.
@usableFromInline
struct PopulationRuntime {
    /// Restores the initial states (and clears the population's queue) without reallocating.
    @usableFromInline let reset: () -> Void
    /// Membrane potential of neuron `local` at `time` (mV), computed on a copy of its state.
    @usableFromInline let potential: (Int, Double) -> Double
    /// Bytes of the population's runtime state (neurons and queue).
    @usableFromInline let memoryBytes: Int
    /// The population object, a `NeuronStateAccess<M>` (typed access for inspection).
    @usableFromInline let states: AnyObject
    /// The first neuron whose numerical integration gave up (`IntegratedState.stalled`); nil for
    /// populations of closed-form models.
    @usableFromInline let stalledNeuron: (() -> Int?)?

    @inlinable
    init(
        reset: @escaping () -> Void, potential: @escaping (Int, Double) -> Double, memoryBytes: Int, states: AnyObject,
        stalledNeuron: (() -> Int?)? = nil
    ) {
        self.reset = reset
        self.potential = potential
        self.memoryBytes = memoryBytes
        self.states = states
        self.stalledNeuron = stalledNeuron
    }

    /// A scan for `stalledNeuron` over `count` states, if they are `IntegratedState`s.
    @inlinable
    static func stalledScan<S>(_ states: UnsafeMutablePointer<S>, count: Int) -> (() -> Int?)? {
        guard S.self == IntegratedState.self else { return nil }
        return {
            UnsafeMutableRawPointer(states).withMemoryRebound(to: IntegratedState.self, capacity: count) { p in
                (0..<count).first { p[$0].stalled }
            }
        }
    }
}

extension PopulationRuntime {
    /// The runtime of a population held as contiguous `blocks` (ascending, together all its
    /// neurons), one runtime each; `states` is their joined `NeuronStateAccess`.
    @usableFromInline
    init(joining parts: [PopulationRuntime], blocks: [Range<Int>], states: AnyObject) {
        let scans = parts.map(\.stalledNeuron)
        self.init(
            reset: { for part in parts { part.reset() } },
            potential: { i, time in
                let b = blocks.firstIndex { $0.contains(i) } ?? 0
                return parts[b].potential(i - blocks[b].lowerBound, time)
            },
            memoryBytes: parts.reduce(0) { $0 + $1.memoryBytes }, states: states,
            stalledNeuron: scans.contains { $0 != nil }
                ? {
                    for (b, scan) in scans.enumerated() {
                        if let i = scan?() { return blocks[b].lowerBound + i }
                    }
                    return nil
                } : nil)
    }
}

/// Typed access to a population held as contiguous blocks, each a `NeuronStateAccess`.
@usableFromInline
final class BlockStates<Part: NeuronStateAccess>: NeuronStateAccess {
    @usableFromInline typealias Model = Part.Model
    let parts: [Part]
    let blocks: [Range<Int>]

    @usableFromInline
    init(_ parts: [Part], _ blocks: [Range<Int>]) {
        self.parts = parts
        self.blocks = blocks
    }

    @usableFromInline
    func state(_ i: Int, at time: Double) -> Model.State {
        let b = blocks.firstIndex { $0.contains(i) } ?? 0
        return parts[b].state(i - blocks[b].lowerBound, at: time)
    }

    @usableFromInline
    func setInitialStates(_ states: [Model.State]) {
        for (part, block) in zip(parts, blocks) { part.setInitialStates(Array(states[block])) }
    }
}

/// The builders of a model population's runtime in each engine. `Network.addPopulation` creates
/// them where the model type is concrete and picks, for each engine, the kernel the model's
/// refinements allow: event-driven — epoch form with or without quiet bounds, per-neuron
/// advances, or none (the model is not `ExactlyPredictable`); time-stepped — lane storage,
/// summed inputs, or the plain contract order.
@usableFromInline
struct PopulationKernels: Sendable {
    /// Event-driven kernels for the given blocks of neurons (one block: the whole population).
    @usableFromInline let eventDriven: (@Sendable ([Range<Int>]) -> EventKernelBlocks)?
    @usableFromInline let timeStepped: @Sendable (Int, Double, Int) -> SteppedKernel

    @inlinable
    init<M: NeuronModel>(model: M, initialPotentials: [Double]?, firstSpikeOnly: Bool) {
        eventDriven = EventKernel.builder(for: model, initialPotentials: initialPotentials, firstSpikeOnly: firstSpikeOnly)
        timeStepped = SteppedKernel.builder(for: model, initialPotentials: initialPotentials, firstSpikeOnly: firstSpikeOnly)
    }
}
