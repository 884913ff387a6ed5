import Volley

/// Poisson trains for one image: rate_i = pixel_i · maxRate · intensity, over [start, start + T).
func poissonTrains(_ image: [Double], intensity: Double, start: Double, rng: inout Xoshiro256) -> ([[Double]], Int) {
    var count = 0
    let trains = image.map { pixel -> [Double] in
        let rate = pixel * DC.maxRate * intensity / 1000  // per ms
        guard rate > 0 else { return [] }
        var t = start, train: [Double] = []
        while true {
            t += rng.exponential(mean: 1 / rate)
            if t >= start + DC.presentation { break }
            train.append(t)
        }
        count += train.count
        return train
    }
    return (trains, count)
}

/// The chosen engine, recording no spikes (the example only needs per-neuron counts); the
/// engine on `threads` threads.
func makeSimulator(_ network: Network, engine: String, dt: Double, threads: Int = 1) throws -> Simulator {
    engine == "event"
        ? try EventDrivenSimulator(network: network, recording: .none, threads: threads)
        : try TimeSteppedSimulator(network: network, dt: dt, recording: .none, threads: threads)
}
