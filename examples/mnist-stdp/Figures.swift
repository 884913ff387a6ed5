import Volley
import VolleyExamples

/// The learned receptive fields: each excitatory neuron's input weights as a 28 × 28 tile.
func receptiveFieldsSVG(_ trained: Trained, _ training: TrainingNetwork, neurons: Int, pixels: Int, title: String) throws -> String {
    let structure = try training.network.projection(training.plastic).structure
    var grid = ImageGrid(tileRows: 28, tileColumns: 28, gridColumns: Int(Double(neurons).squareRoot().rounded(.up)))
    var incoming = [[Double]](repeating: [Double](repeating: 0, count: pixels), count: neurons)
    for i in 0..<structure.sourceCount {
        for s in structure.synapses(ofSource: i) { incoming[structure.target(ofSynapse: s)][i] = trained.weights[s] }
    }
    for j in 0..<neurons { try grid.append(incoming[j], range: 0...(incoming[j].max() ?? 1)) }
    return grid.svg(title: title)
}

/// The training curve: running accuracy per progress window (plastic network), and the final
/// test accuracy of the frozen network as a dashed line.
func trainingCurveSVG(_ trained: Trained, _ s: Settings, testAccuracy: Double) -> String {
    let before = Double((s.firstEpoch - 1) * s.trainSamples)
    let images = before + Double(s.epochs * s.trainSamples)
    let low = Swift.min(testAccuracy, trained.curve.map(\.accuracy).min() ?? testAccuracy)
    var plot = SVGPlot(
        title: "Diehl & Cook, \(s.neurons) neurons: running accuracy per \(s.progressEvery)-image window (blue), test accuracy \(Format.fixed(testAccuracy * 100, 2))% (red)",
        xLabel: "training images presented", yLabel: "accuracy", xRange: before...images, yRange: Swift.max(0, low - 0.05)...1)
    plot.line(trained.curve.map(\.images), trained.curve.map(\.accuracy), color: SVGPlot.palette[0], label: "running (plastic)")
    plot.points(trained.curve.map(\.images), trained.curve.map(\.accuracy), color: SVGPlot.palette[0], radius: 2.5)
    plot.line([before, images], [testAccuracy, testAccuracy], color: SVGPlot.palette[1], label: "test (frozen)", dashed: true)
    return plot.rendered
}
