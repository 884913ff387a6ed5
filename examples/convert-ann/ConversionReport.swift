import Foundation
import Volley
import VolleyExamples

/// Evaluates both conversions of one ANN on the evaluation images, prints their tables and
/// collects the JSON fields and the accuracy-against-latency curve.
struct ConversionReport {
    let ann: ReLUNetwork
    let annAccuracy: Double
    let annPredictions: [Int?]
    let images: [[Double]]
    let labels: [Int]
    let evalName: String
    var json: JSONValue = [:]
    var rateCurve: [(latencyMs: Double, accuracy: Double)] = []
    var ttfsPoint: (latencyMs: Double, accuracy: Double)?

    init(ann: ReLUNetwork, annAccuracy: Double, annPredictions: [Int?], images: [[Double]], labels: [Int], evalName: String) {
        self.ann = ann
        self.annAccuracy = annAccuracy
        self.annPredictions = annPredictions
        self.images = images
        self.labels = labels
        self.evalName = evalName
        json = ["ann_test_accuracy": .number(annAccuracy), "ann_macs_per_sample": .int(ann.multiplyAccumulates), "evaluated_on": .string(evalName)]
    }

    /// The layers as "784-c16k5-avgpool2-…-10".
    static func architecture(_ net: ReLUNetwork) -> String { STBPConnection.describe(layerSizes: net.layerSizes, connections: net.connections) }

    var neurons: Int { ann.layerSizes.dropFirst().reduce(0, +) }

    /// Synapses and stored weight bytes as the engines hold them (dense: a Double per synapse;
    /// convolution: the kernel plus a 32-bit entry index per synapse; pooling: one Double).
    var synapsesAndWeightBytes: (Int, Int) {
        var synapses = 0, bytes = 0
        for (l, c) in ann.connections.enumerated() {
            let count = ann.synapseCount(l)
            synapses += count
            switch c.kind {
            case .dense: bytes += count * 8
            case .convolution: bytes += ann.weights[l].count * 8 + count * 4
            case .averagePooling, .maxPooling: bytes += 8
            }
        }
        return (synapses, bytes)
    }

    // MARK: Rate

    mutating func rate(_ rate: RateConversion, steps: [Int], norm: String, engineCount: Int) throws {
        let normalized = rate.ann
        let images = self.images, labels = self.labels
        let count = images.count
        let chunks = 16, block = 1000
        let t0 = Date()
        var parts: [(hits: [Int], spikes: [Double], events: [Double], peak: Int)] = []
        // Blocks of images, each in parallel over fixed chunks, with a progress line per block.
        for start in stride(from: 0, to: count, by: block) {
            let end = min(count, start + block)
            parts += parallelMap(chunks) { c -> (hits: [Int], spikes: [Double], events: [Double], peak: Int) in
                var hits = [Int](repeating: 0, count: steps.count), spikes = [Double](repeating: 0, count: steps.count)
                var events = spikes, peak = 0
                var i = start + c
                while i < end {
                    let o = rate.run(images[i], index: i, checkpoints: steps)
                    for k in steps.indices {
                        if STBPNetwork.decision(o.scores[k]) == labels[i] { hits[k] += 1 }
                        spikes[k] += Double(o.spikes[k])
                        events[k] += o.synapticEvents[k]
                    }
                    peak = max(peak, o.peakSpikesPerStep)
                    i += chunks
                }
                return (hits, spikes, events, peak)
            }
            if count > block {
                let elapsed = Date().timeIntervalSince(t0)
                print("rate network: \(end)/\(count) images, \(Format.fixed(Double(end) / elapsed, 0)) images/s")
            }
        }
        let seconds = Date().timeIntervalSince(t0)
        let n = Double(count)
        let accuracy = steps.indices.map { k in Double(parts.reduce(0) { $0 + $1.hits[k] }) / n }
        let spikes = steps.indices.map { k in parts.reduce(0) { $0 + $1.spikes[k] } / n }
        let events = steps.indices.map { k in parts.reduce(0) { $0 + $1.events[k] } / n }
        print("rate conversion (\(norm) normalisation, reset \(rate.network.neuron.reset == .bySubtraction ? "by subtraction" : "to zero"), \(rate.input.rawValue) input; \(Format.fixed(seconds, 1)) s for \(count) images × \(steps.last!) steps):")
        print("  T (steps of 1 ms) | \(evalName) accuracy | vs ANN | spikes per neuron | SynOps per image")
        var rows: [JSONValue] = []
        for k in steps.indices {
            print("  \(steps[k]) | \(Format.fixed(100 * accuracy[k], 2))% | \(Format.fixed(100 * (accuracy[k] - annAccuracy), 2)) | \(Format.fixed(spikes[k] / Double(neurons), 3)) | \(Format.engineering(events[k]))")
            rows.append(["time_steps": .int(steps[k]), "test_accuracy": .number(accuracy[k]), "spikes_per_neuron": .number(spikes[k] / Double(neurons)), "synops_per_sample": .number(events[k])])
            rateCurve.append((Double(steps[k]) * rate.network.dt, accuracy[k]))
        }
        // Where the rate code loses accuracy: per layer and T, the mean |rate − min(1, x̂)| of its
        // neurons against the normalised ANN's activation x̂, the rate counted over the T − l + 1
        // steps in which layer l has received input (the first 1000 images).
        let probe = min(count, 1000)
        let errorParts = parallelMap(16) { c -> [[Double]] in
            var sums = [[Double]](repeating: [Double](repeating: 0, count: normalized.layerCount - 1), count: steps.count)
            var i = c
            while i < probe {
                let o = rate.run(images[i], index: i, checkpoints: steps, layerCounts: true)
                let a = normalized.activations(images[i])
                for k in steps.indices {
                    for l in 1..<normalized.layerCount where steps[k] - l + 1 >= 1 {
                        let n = Double(steps[k] - l + 1)
                        var e = 0.0
                        for j in a[l].indices { e += abs(o.layerCounts[k][l - 1][j] / n - min(1, max(0, a[l][j]))) }
                        sums[k][l - 1] += e / Double(a[l].count)
                    }
                }
                i += 16
            }
            return sums
        }
        let layerErrors = steps.indices.map { k in (0..<(normalized.layerCount - 1)).map { l in errorParts.reduce(0) { $0 + $1[k][l] } / Double(probe) } }
        print("  mean |rate − normalised activation| per layer (first \(probe) images; rate over the steps since the layer's first input):")
        print("  T | " + (1..<normalized.layerCount).map { "layer \($0)" }.joined(separator: " | "))
        for k in steps.indices { print("  \(steps[k]) | " + layerErrors[k].map { Format.fixed($0, 4) }.joined(separator: " | ")) }
        json = json.merging(["rate_layer_errors": .array(layerErrors.map { .array($0.map { .number($0) }) })])
        // The latency the rate code needs: the fewest steps within 0.1 point of the ANN, else the
        // most accurate row.
        let pick = steps.indices.first { accuracy[$0] >= annAccuracy - 0.001 } ?? steps.indices.max { accuracy[$0] < accuracy[$1] }!
        print("  rate code within 0.1 point of the ANN: \(accuracy[pick] >= annAccuracy - 0.001 ? "from T = \(steps[pick])" : "not reached; best T = \(steps[pick])")")
        let (synapses, weightBytes) = synapsesAndWeightBytes
        let report = SNNEvaluation(
            samples: count, accuracy: accuracy[pick], decision: "spike_count", neurons: neurons, synapses: synapses, weightBytes: weightBytes,
            membraneBytes: neurons * MemoryLayout<LIFDelta.State>.stride, peakSpikesPerStep: parts.map(\.peak).max() ?? 0, stepMs: rate.network.dt,
            synopsPerSample: events[pick], annMACsPerSample: Double(ann.multiplyAccumulates), spikesPerNeuron: spikes[pick] / Double(neurons),
            latencyMs: Double(steps[pick]) * rate.network.dt)
        print(report.summary.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
        // The constant current Σᵢ Ŵᵢⱼxᵢ is computed once per image: one MAC per synapse of every
        // non-zero pixel, besides the adds counted as SynOps.
        let inputMACs = rate.input == .current
            ? images.reduce(0.0) { total, x in total + Double(x.indices.reduce(0) { $0 + (x[$1] != 0 ? normalized.outDegree(layer: 0, neuron: $1) : 0) }) } / n
            : 0
        if inputMACs > 0 {
            print("  plus \(Format.engineering(inputMACs)) MACs per image for the constant input current (once): energy estimate with them \(Format.scientific(report.energyEstimateJoules + inputMACs * SNNEvaluation.multiplyAccumulateJoules, 2)) J")
        }
        json = json.merging([
            "rate_input_macs_per_sample": .number(inputMACs),
            "rate_energy_estimate_with_input_joules": .number(report.energyEstimateJoules + inputMACs * SNNEvaluation.multiplyAccumulateJoules),
            "rate_test_accuracy": .number(accuracy[pick]), "rate_time_steps": .int(steps[pick]), "rate_table": .array(rows),
            "rate_report": try JSONValue(encoding: report),
        ])
        guard engineCount > 0 else { return }
        // The same images in the engines: the time-stepped engine at dt = 1 ms must agree bit for bit.
        let base = try rate.network.engineNetwork()
        for (name, engine) in [("time-stepped dt = 1 ms", STBPEngineEvaluation.Engine.timeStepped(dt: rate.network.dt)), ("event-driven", .eventDriven)] {
            let e0 = Date()
            let runs = try parallelMap(8) { c in
                Result { () throws -> (hits: [Int], same: Int) in
                    var hits = [Int](repeating: 0, count: steps.count), same = 0
                    var i = c
                    while i < engineCount {
                        let (scores, _) = try rate.engineScores(images[i], index: i, checkpoints: steps, engine: engine, base: base)
                        let lean = rate.run(images[i], index: i, checkpoints: steps).scores
                        if scores == lean { same += 1 }
                        for k in steps.indices where STBPNetwork.decision(scores[k]) == labels[i] { hits[k] += 1 }
                        i += 8
                    }
                    return (hits, same)
                }
            }.map { try $0.get() }
            let acc = steps.indices.map { k in Double(runs.reduce(0) { $0 + $1.hits[k] }) / Double(engineCount) }
            let same = runs.reduce(0) { $0 + $1.same }
            print("  \(name), first \(engineCount) images: accuracy \(steps.indices.map { "T=\(steps[$0]) \(Format.fixed(100 * acc[$0], 2))%" }.joined(separator: ", ")); scores bit-identical to the fast pass on \(same)/\(engineCount) images (\(Format.fixed(Date().timeIntervalSince(e0), 1)) s)")
            json = json.merging([engine == .eventDriven ? "rate_event_driven" : "rate_time_stepped": [
                "samples": .int(engineCount), "accuracy": .array(acc.map { .number($0) }), "identical_scores": .int(same),
            ]])
        }
    }

    // MARK: TTFS

    mutating func ttfs(_ ttfs: TTFSConversion, engineCount: Int) throws {
        let images = self.images, labels = self.labels, predictions = annPredictions
        let count = images.count
        let t0 = Date()
        let outcomes = parallelMap(count) { ttfs.evaluate(images[$0]) }
        let seconds = Date().timeIntervalSince(t0)
        let hits = outcomes.indices.filter { outcomes[$0].decision == labels[$0] }.count
        let mismatched = outcomes.indices.filter { outcomes[$0].decision != predictions[$0] }
        let clipped = outcomes.filter(\.clipped).count
        let clippedBy = (1..<ann.layerCount - 1).map { l in outcomes.filter { $0.firstClippedLayer == l }.count }
        let exactMismatches = mismatched.filter { !outcomes[$0].clipped }.count
        let accuracy = Double(hits) / Double(count)
        let spikes = outcomes.reduce(0.0) { $0 + Double($1.spikes) } / Double(count)
        let events = outcomes.reduce(0.0) { $0 + $1.synapticEvents } / Double(count)
        let decided = outcomes.compactMap(\.decisionTime)
        let latency = decided.isEmpty ? Double.nan : decided.reduce(0, +) / Double(decided.count)
        print("TTFS conversion (max normalisation, window \(ttfs.window) ms per layer, delay \(ttfs.delay) ms; closed form, \(Format.fixed(seconds, 1)) s):")
        print("  \(evalName) accuracy \(Format.fixed(100 * accuracy, 2))% (ANN \(Format.fixed(100 * annAccuracy, 2))%); class differs from the ANN's on \(mismatched.count) images, \(exactMismatches) of them where no activation was clipped (\(clipped) images clipped)")
        if clipped > 0 {
            print("  first clipped layer (ẑ > 1 somewhere) per image: " + clippedBy.enumerated().filter { $0.1 > 0 }.map { "layer \($0.0 + 1): \($0.1)" }.joined(separator: ", ") + "; mismatches among clipped images: \(mismatched.count - exactMismatches)")
        }
        print("  \(Format.fixed(spikes / Double(neurons), 3)) spikes per neuron, \(Format.engineering(events)) SynOps per image, first output spike after \(Format.fixed(latency, 3)) ms")
        let (synapses, weightBytes) = synapsesAndWeightBytes
        let report = SNNEvaluation(
            samples: count, accuracy: accuracy, decision: "first_spike", neurons: neurons, synapses: synapses, weightBytes: weightBytes,
            membraneBytes: neurons * MemoryLayout<TTFSPhaseIF.State>.stride,
            peakSpikesPerStep: outcomes.map { o in SNNEvaluation.peakSpikes(inBinsOf: 1, times: o.spikeTimes.joined().compactMap { $0 }) }.max() ?? 0,
            stepMs: 1, synopsPerSample: events, annMACsPerSample: Double(ann.multiplyAccumulates), spikesPerNeuron: spikes / Double(neurons), latencyMs: latency)
        print(report.summary.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
        ttfsPoint = (latency, accuracy)
        json = json.merging([
            "ttfs_test_accuracy": .number(accuracy), "ttfs_spikes_per_neuron": .number(spikes / Double(neurons)),
            "ttfs_mismatches": .int(mismatched.count), "ttfs_mismatches_unclipped": .int(exactMismatches), "ttfs_clipped_samples": .int(clipped), "ttfs_first_clipped_layer_counts": .array(clippedBy.map { .int($0) }),
            "ttfs_report": try JSONValue(encoding: report),
        ])
        guard engineCount > 0 else { return }
        let (net, layers) = try ttfs.engineNetwork()
        let end = ttfs.runEnd
        for (name, engine) in [("event-driven", STBPEngineEvaluation.Engine.eventDriven), ("time-stepped dt = 0.01 ms", .timeStepped(dt: 0.01))] {
            let e0 = Date()
            let runs = try parallelMap(8) { c in
                Result { () throws -> (hits: Int, same: Int, worst: Double, differing: Int) in
                    let sim: Simulator
                    switch engine {
                    case .eventDriven: sim = try EventDrivenSimulator(network: net, recording: .all, threads: 1)
                    case let .timeStepped(dt): sim = try TimeSteppedSimulator(network: net, dt: dt, recording: .all, threads: 1)
                    }
                    var hits = 0, same = 0, worst = 0.0, differing = 0
                    var i = c
                    while i < engineCount {
                        sim.reset()
                        try sim.setSpikeTrains(ttfs.inputTrains(images[i]), for: layers[0])
                        try sim.run(until: end)
                        let (who, when) = try sim.spikes(of: layers[layers.count - 1])
                        let first = when.min()
                        let winners = first.map { f in Set(zip(who, when).filter { $0.1 == f }.map { Int($0.0) }) } ?? []
                        let decision = winners.count == 1 ? winners.first : nil
                        if decision == labels[i] { hits += 1 }
                        if decision == outcomes[i].decision { same += 1 }
                        // Spike times against the closed form; a neuron that fires in one and
                        // not the other (before the run's end) counts as differing.
                        for l in 1..<layers.count {
                            let (neurons, times) = try sim.spikes(of: layers[l])
                            var engine = [Double?](repeating: nil, count: outcomes[i].spikeTimes[l - 1].count)
                            for (j, t) in zip(neurons, times) { engine[Int(j)] = t }
                            for (a, b) in zip(engine, outcomes[i].spikeTimes[l - 1]) {
                                if let a, let b { worst = max(worst, abs(a - b)) } else if (a == nil) != (b == nil) { differing += 1 }
                            }
                        }
                        i += 8
                    }
                    return (hits, same, worst, differing)
                }
            }.map { try $0.get() }
            let acc = Double(runs.reduce(0) { $0 + $1.hits }) / Double(engineCount)
            let same = runs.reduce(0) { $0 + $1.same }
            let worst = runs.map(\.worst).max() ?? 0
            let differing = runs.reduce(0) { $0 + $1.differing }
            print("  \(name), first \(engineCount) images: accuracy \(Format.fixed(100 * acc, 2))%, decision equal to the closed form on \(same)/\(engineCount), largest spike-time difference \(Format.scientific(worst, 2)) ms, \(differing) neurons firing in only one of them (\(Format.fixed(Date().timeIntervalSince(e0), 1)) s)")
            json = json.merging([engine == .eventDriven ? "ttfs_event_driven" : "ttfs_time_stepped": [
                "samples": .int(engineCount), "accuracy": .number(acc), "same_decision": .int(same), "max_spike_time_error_ms": .number(worst),
                "neurons_firing_in_one_only": .int(differing),
            ]])
        }
    }

    // MARK: Plot

    func latencyPlot() -> String {
        let points = rateCurve + (ttfsPoint.map { [$0] } ?? [])
        // Accuracy from 5 points below the ANN's; lower points (the first steps of a deep rate
        // network, before its output has any input) are drawn on the axis.
        let low = max(0, min(annAccuracy - 0.05, (points.map(\.accuracy).filter { $0 >= annAccuracy - 0.05 }.min() ?? annAccuracy) - 0.005))
        let shown = { (a: Double) in max(a, low) }
        let xs = points.map { log10(max($0.latencyMs, 1e-3)) }
        var plot = SVGPlot(
            title: "ANN→SNN conversion on MNIST: \(evalName) accuracy against latency (ANN \(Format.fixed(100 * annAccuracy, 2))%, dashed)",
            xLabel: "log₁₀ latency (ms)", yLabel: "\(evalName) accuracy (below the axis: on it)", xRange: (xs.min() ?? 0) - 0.2...(xs.max() ?? 1) + 0.2, yRange: low...1)
        plot.line([plot.xRange.lowerBound, plot.xRange.upperBound], [annAccuracy, annAccuracy], color: "#888888", label: "ANN", dashed: true)
        let rx = rateCurve.map { log10($0.latencyMs) }, ry = rateCurve.map { shown($0.accuracy) }
        plot.line(rx, ry, color: SVGPlot.palette[0], label: "rate (T steps of 1 ms)")
        plot.points(rx, ry, color: SVGPlot.palette[0], radius: 3)
        if let p = ttfsPoint { plot.points([log10(p.latencyMs)], [shown(p.accuracy)], color: SVGPlot.palette[1], label: "TTFS (first output spike)", radius: 5) }
        return plot.rendered
    }
}
