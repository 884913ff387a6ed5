import Foundation
import Volley

/// A model written by `--save` and read by `--load` and `--resume` (format
/// "volley-diehl-cook-v3"): the learned input weights (input-major, the order of the all-to-all
/// projection's synapses), the thresholds, the label assignments, and the settings the network
/// was trained with. Written with Foundation's `JSONEncoder` (sorted keys), read with
/// `JSONDecoder`; formats v1 and v2 of earlier versions are no longer read.
struct SavedModel: Codable, Equatable {
    static let currentFormat = "volley-diehl-cook-v3"
    var format = SavedModel.currentFormat
    var neurons: Int
    /// "current" or "conductance".
    var synapses: String
    /// "constant" or "random".
    var inputDelays: String
    var seed: UInt64
    /// The lateral inhibition weight inhibitory → other excitatory neurons.
    var inhibitionWeight: Double
    /// Epochs of training behind these weights (resumed runs included).
    var epochsTrained: Int
    /// θ_plus (mV) the thresholds were learned with.
    var thetaPlusMv: Double
    var weightUnit: String
    /// Learned thresholds θ (mV) of the excitatory neurons.
    var thetaMv: [Double]
    /// Current variant: each neuron's adaptation variable a (θ = θ_plus·a), so that a loaded
    /// model's thresholds are bit-identical to the trained ones.
    var adaptation: [Double]?
    var assignments: [Int]
    var weightsInputMajor: [Double]

    enum CodingKeys: String, CodingKey {
        case format, neurons, synapses, inputDelays = "input_delays", seed, inhibitionWeight = "inhibition_weight"
        case epochsTrained = "epochs_trained", thetaPlusMv = "theta_plus_mv", weightUnit = "weight_unit"
        case thetaMv = "theta_mv", adaptation, assignments, weightsInputMajor = "weights_input_major"
    }

    /// Writes the model atomically (no half-written file on failure).
    func write(to path: String) throws { try JSONFile.write(self, to: path) }

    /// Reads and validates a saved model (every count, weights ≥ 0, settings in range).
    static func load(path: String, inputs: Int) throws -> SavedModel {
        let model = try JSONFile.read(SavedModel.self, from: path, what: "a \(currentFormat) Diehl & Cook model")
        func fail(_ reason: String) -> VolleyError { .malformedData(source: path, reason: reason) }
        guard model.format == currentFormat else {
            throw fail("format is \"\(model.format)\", expected \"\(currentFormat)\" (formats v1 and v2 are no longer read)")
        }
        guard model.neurons >= 2 else { throw fail("'neurons' is \(model.neurons), expected an integer ≥ 2") }
        guard model.weightsInputMajor.count == inputs * model.neurons else {
            throw fail("'weights_input_major' holds \(model.weightsInputMajor.count) values, expected \(inputs * model.neurons)")
        }
        if let k = model.weightsInputMajor.firstIndex(where: { $0 < 0 }) {
            throw VolleyError.invalidWeight(value: model.weightsInputMajor[k], context: "\(path): weights_input_major[\(k)] (input weights are ≥ 0)")
        }
        guard model.thetaMv.count == model.neurons else {
            throw fail("'theta_mv' holds \(model.thetaMv.count) values, expected \(model.neurons)")
        }
        if let a = model.adaptation, a.count != model.neurons {
            throw fail("'adaptation' holds \(a.count) values, expected \(model.neurons)")
        }
        guard ["current", "conductance"].contains(model.synapses) else {
            throw fail("'synapses' is \"\(model.synapses)\", expected one of current, conductance")
        }
        guard ["constant", "random"].contains(model.inputDelays) else {
            throw fail("'input_delays' is \"\(model.inputDelays)\", expected one of constant, random")
        }
        guard model.inhibitionWeight.isFinite else { throw fail("'inhibition_weight' is not finite") }
        guard model.thetaPlusMv.isFinite && model.thetaPlusMv > 0 else {
            throw fail("'theta_plus_mv' is \(model.thetaPlusMv), expected a finite number > 0")
        }
        guard model.epochsTrained >= 1 else { throw fail("'epochs_trained' is \(model.epochsTrained), expected an integer ≥ 1") }
        return model
    }
}
