/// The membrane potentials (mV) a population starts from (and returns to on `reset()`).
public enum InitialPotentials: Sendable, Equatable {
    /// One potential per neuron.
    case values([Double])
    /// Each neuron's potential uniform in [low, high), drawn in neuron order from stream `seed`
    /// (the usual random start of recurrent networks, e.g. CUBA's V₀ ∈ [V_reset, V_th)).
    case uniform(low: Double, high: Double, seed: UInt64)

    /// The potentials of `count` neurons; a typed error for a wrong count, a non-finite value
    /// or bounds with high < low (`population` names the population).
    public func values(count: Int, population: String) throws -> [Double] {
        switch self {
        case let .values(v):
            guard v.count == count else {
                throw VolleyError.invalidParameter(
                    name: "initialPotentials", value: "\(v.count) values",
                    reason: "population '\(population)' has \(count) neurons")
            }
            if let bad = v.firstIndex(where: { !$0.isFinite }) {
                throw VolleyError.invalidParameter(
                    name: "initialPotentials[\(bad)]", value: "\(v[bad])", reason: "must be finite")
            }
            return v
        case let .uniform(low, high, seed):
            guard low.isFinite && high.isFinite && low <= high else {
                throw VolleyError.invalidParameter(
                    name: "initialPotentials", value: "uniform(\(low), \(high))",
                    reason: "population '\(population)': bounds must be finite with low ≤ high")
            }
            var rng = Xoshiro256(seed: seed, stream: 0x0005_EED0_F0F0)
            return (0..<count).map { _ in low + rng.uniform() * (high - low) }
        }
    }
}
