extension Simulator {
    /// An SVG raster plot of the recorded spikes: one row per neuron, populations stacked bottom
    /// to top, at most `maxNeuronsPerPopulation` rows each, spikes in [from, to] ms.
    public func rasterPlot(title: String, from start: Double = 0, to end: Double? = nil, maxNeuronsPerPopulation: Int = 200) -> String {
        let stop = end ?? time
        var rows = 0.0
        var layers: [(xs: [Double], ys: [Double], name: String)] = []
        for p in network.populations {
            let shown = Swift.min(p.size, maxNeuronsPerPopulation)
            let (neurons, times) = (spikes.neurons[p.id.index], spikes.times[p.id.index])
            var xs: [Double] = []
            var ys: [Double] = []
            for (i, t) in zip(neurons, times) where Int(i) < shown && t >= start && t <= stop {
                xs.append(t)
                ys.append(rows + Double(i))
            }
            layers.append((xs, ys, "\(p.name) (\(shown) of \(p.size))"))
            rows += Double(shown)
        }
        var plot = SVGPlot(title: title, xLabel: "time (ms)", yLabel: "neuron", xRange: start...stop, yRange: -1...rows)
        for (k, layer) in layers.enumerated() {
            plot.points(layer.xs, layer.ys, color: SVGPlot.palette[k % SVGPlot.palette.count], label: layer.name, radius: 1.5, ticks: true)
        }
        return plot.rendered
    }

    /// All recorded spikes as CSV: `population,neuron,time_ms`, sorted by time then global id.
    public func spikeCSV() -> String {
        var rows: [(Double, Int, String)] = []
        for p in network.populations {
            let (neurons, times) = (spikes.neurons[p.id.index], spikes.times[p.id.index])
            for (i, t) in zip(neurons, times) {
                rows.append((t, p.offset + Int(i), "\(p.name),\(i),\(t)"))
            }
        }
        rows.sort { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
        return "population,neuron,time_ms\n" + rows.map(\.2).joined(separator: "\n") + (rows.isEmpty ? "" : "\n")
    }

    /// The statistics report of everything run since construction or the last `reset()`.
    public func report() -> RunReport { RunReport(simulator: self) }
}
