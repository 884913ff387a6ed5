/// Every error Volley raises on bad input: a parameter, a delay or weight, an index, a file, a flag.
///
/// Each case carries the offending value and a context string, so the message names exactly what
/// was wrong ("delay -0.5 ms of synapse 3 → 7 in projection exc→inh must be > 0"). Volley never
/// traps on user input; internal invariants (a corrupted heap) are the only `preconditionFailure`s.
public enum VolleyError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A model, encoder or engine parameter outside its domain.
    case invalidParameter(name: String, value: String, reason: String)
    /// A synaptic delay that is NaN, infinite, ≤ 0, or shorter than one time step.
    case invalidDelay(value: Double, context: String)
    /// A synaptic weight that is NaN or infinite.
    case invalidWeight(value: Double, context: String)
    /// An index (neuron, population, receptor, synapse) outside `0..<count`.
    case indexOutOfRange(index: Int, count: Int, context: String)
    /// A population or projection id used with a network (or a simulator of one) that did not
    /// issue it.
    case idFromAnotherNetwork(String)
    /// A population with no neurons.
    case emptyPopulation(name: String)
    /// A time step that is not a finite positive number of milliseconds.
    case invalidTimeStep(value: Double)
    /// A spike time that is NaN, infinite or negative.
    case invalidSpikeTime(value: Double, context: String)
    /// A file or in-memory data set whose contents do not match its format.
    case malformedData(source: String, reason: String)
    /// A file that cannot be read or written.
    case fileError(path: String, reason: String)
    /// A command-line problem: unknown flag, missing or unparsable value.
    case usage(String)
    /// A request that does not fit the object's current state (e.g. a projection limit).
    case unsupported(String)
    /// A computation that left the range where it means anything: diverging weights, a state
    /// that overflowed, a search that made no progress. The message names where and what.
    case diverged(String)

    public var description: String {
        switch self {
        case let .invalidParameter(name, value, reason):
            return "invalid parameter \(name) = \(value): \(reason)"
        case let .invalidDelay(value, context):
            return "invalid delay \(value) ms (\(context))"
        case let .invalidWeight(value, context):
            return "invalid weight \(value) (\(context))"
        case let .indexOutOfRange(index, count, context):
            return "index \(index) out of range 0..<\(count) (\(context))"
        case let .idFromAnotherNetwork(what):
            return "\(what) belongs to another network: ids are valid only in the network that created them (and its copies)"
        case let .emptyPopulation(name):
            return "population '\(name)' has no neurons"
        case let .invalidTimeStep(value):
            return "invalid time step dt = \(value) ms: must be finite and > 0"
        case let .invalidSpikeTime(value, context):
            return "invalid spike time \(value) ms (\(context)): must be finite and ≥ 0"
        case let .malformedData(source, reason):
            return "malformed data in \(source): \(reason)"
        case let .fileError(path, reason):
            return "cannot access \(path): \(reason)"
        case let .usage(message):
            return message
        case let .unsupported(message):
            return message
        case let .diverged(message):
            return "numerical divergence: \(message)"
        }
    }
}

extension VolleyError {
    /// Throws `invalidParameter` unless `value` is finite and satisfies `condition`.
    @inlinable
    static func require(
        _ name: String, _ value: Double, _ reason: String, _ condition: (Double) -> Bool
    ) throws {
        guard value.isFinite, condition(value) else {
            throw VolleyError.invalidParameter(name: name, value: "\(value)", reason: reason)
        }
    }
}
