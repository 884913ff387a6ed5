import Foundation
import Volley
import VolleyExamples

/// The example's SVG figures: the training curve and, for Yin-Yang, the decision map.
enum EventPropFigures {
    static func curve(_ curve: [(epoch: Int, train: Double, validation: Double)], test: Double, title: String) -> String {
        let epochs = Double(curve.last?.epoch ?? 1)
        let low = max(0, (curve.map { min($0.train, $0.validation) }.min() ?? 0) - 0.02)
        var plot = SVGPlot(title: title, xLabel: "epoch", yLabel: "accuracy", xRange: 0...max(epochs, 1), yRange: low...1)
        plot.line(curve.map { Double($0.epoch) }, curve.map(\.train), color: SVGPlot.palette[0], label: "training (during the epoch)")
        plot.line(curve.map { Double($0.epoch) }, curve.map(\.validation), color: SVGPlot.palette[1], label: "validation")
        plot.line([0, epochs], [test, test], color: "#555", label: "test (best validation epoch)", dashed: true)
        return plot.rendered
    }

    /// The trained network's class over a grid of (x, y) inside the Yin-Yang circle (pale), and
    /// the test points in their true class's colour, misclassified ones ringed in black.
    static func decisionMap(
        _ network: EventPropNetwork, loss: EventPropLoss, duration: Double, code: EventPropModelFile.InputCode,
        points: [(x: Double, y: Double)], labels: [Int], predictions: [Int], grid: Int
    ) throws -> String {
        let pale = ["#aec7e8", "#ff9896", "#98df8a"], strong = [SVGPlot.palette[0], SVGPlot.palette[1], SVGPlot.palette[2]]
        var plot = SVGPlot(title: "EventProp on Yin-Yang: decision map and test points", xLabel: "x", yLabel: "y", xRange: 0...1, yRange: 0...1)
        plot.width = 620
        plot.height = 600
        let cells: [(Double, Double)] = (0..<grid * grid).compactMap { k in
            let x = (Double(k / grid) + 0.5) / Double(grid), y = (Double(k % grid) + 0.5) / Double(grid)
            return (x - 0.5) * (x - 0.5) + (y - 0.5) * (y - 0.5) <= 0.25 ? (x, y) : nil
        }
        let classes = try parallelMap(cells.count) { k in
            try network.run(
                inputs: YinYangDataset.encode([cells[k].0, cells[k].1, 1 - cells[k].0, 1 - cells[k].1], tMin: code.tMinMs, tMax: code.tMaxMs, tBias: code.tBiasMs ?? code.tMinMs),
                label: 0, duration: duration, loss: loss, gradient: false
            ).prediction
        }
        let radius = 230.0 / Double(grid)
        for c in 0..<3 {
            let mine = cells.indices.filter { classes[$0] == c }
            plot.points(mine.map { cells[$0].0 }, mine.map { cells[$0].1 }, color: pale[c], label: "predicted \(YinYangDataset.classNames[c])", radius: radius)
        }
        let wrong = points.indices.filter { predictions[$0] != labels[$0] }
        plot.points(wrong.map { points[$0].x }, wrong.map { points[$0].y }, color: "#000", label: "misclassified (\(wrong.count))", radius: 3.2)
        for c in 0..<3 {
            let mine = points.indices.filter { labels[$0] == c }
            plot.points(mine.map { points[$0].x }, mine.map { points[$0].y }, color: strong[c], radius: 2)
        }
        return plot.rendered
    }
}
