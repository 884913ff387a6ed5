@testable import Volley

/// The library's reference solution (`IntegratedModel.referenceSpikeTimes`) under the name the
/// AdEx and Izhikevich tests use.
func integratedReferenceSpikes<M: IntegratedModel>(
    _ model: M, until end: Double, inputs: [(time: Double, weight: Double, receptor: Int)] = [], tolerance: Double = 1e-12
) -> [Double] {
    model.referenceSpikeTimes(until: end, inputs: inputs, tolerance: tolerance)
}
