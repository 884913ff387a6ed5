/// A model whose simultaneous inputs on one receptor act only through their sum:
/// `receive(w₁); receive(w₂)` ≡ `receive(w₁ + w₂)` (current- and voltage-jump synapses,
/// conductance jumps). The time-stepped engine then sums each step's inputs per neuron and
/// receptor and runs advance, input and threshold in one pass over the population (`step`).
public protocol InputSumming: NeuronModel {}

extension InputSumming {
    /// One time step of a whole population in one pass: for each neuron i, advance by h using
    /// `p` (unless h is nil, at t = 0), apply the summed input `inputs[r·count + i]` of each
    /// receptor r (and clear it), then fire if at threshold, appending i to `fired`. Exactly the
    /// contract's order for one grid step. Receptor r's inputs start at `inputs + r·inputStride`
    /// (`inputStride` defaults to `count`; a larger one steps a block of a population).
    @inlinable
    public func step(
        _ states: UnsafeMutablePointer<State>, count: Int, inputs: UnsafeMutablePointer<Double>,
        inputStride: Int? = nil, advancingBy h: Double?, using p: Propagator, at time: Double,
        fired: inout ContiguousArray<UInt32>
    ) {
        let receptors = receptorCount
        let stride = inputStride ?? count
        for i in 0..<count {
            var s = states[i]
            if let h { advance(&s, by: h, using: p) }
            // Unconditionally: by additivity receive(0) changes nothing, and a data-dependent
            // branch here costs more than the addition.
            for r in 0..<receptors {
                receive(&s, weight: inputs[r &* stride &+ i], receptor: r, at: time)
                inputs[r &* stride &+ i] = 0
            }
            if isAboveThreshold(s, at: time) {
                fire(&s, at: time)
                fired.append(UInt32(truncatingIfNeeded: i))
            }
            states[i] = s
        }
    }
}
