/// A fixed number of neuron states in one buffer, allocated once and freed with its owner: the
/// populations' current and initial states. Hot loops use `pointer` directly.
@usableFromInline
final class StateStorage<State> {
    @usableFromInline let pointer: UnsafeMutablePointer<State>
    @usableFromInline let count: Int

    /// `count` states of `model`, at rest or with the given initial potentials (of a whole
    /// population, of which these are the neurons from `first` on).
    @inlinable
    init<M: NeuronModel>(_ model: M, count: Int, first: Int = 0, initialPotentials: [Double]?) where M.State == State {
        self.count = count
        pointer = .allocate(capacity: count)
        for i in 0..<count { (pointer + i).initialize(to: model.initialState(potential: initialPotentials?[first + i])) }
    }

    /// A copy of `other`.
    @inlinable
    init(copying other: StateStorage<State>) {
        count = other.count
        pointer = .allocate(capacity: count)
        pointer.initialize(from: other.pointer, count: count)
    }

    deinit {
        pointer.deinitialize(count: count)
        pointer.deallocate()
    }

    /// Overwrites every state with `other`'s.
    @inlinable
    func assign(from other: StateStorage<State>) {
        pointer.update(from: other.pointer, count: count)
    }

    /// Overwrites the first `states.count` states.
    @inlinable
    func assign(_ states: [State]) {
        for (i, s) in states.enumerated() { pointer[i] = s }
    }

    /// Bytes of the states.
    @inlinable
    var memoryBytes: Int { count * MemoryLayout<State>.stride }
}
