import Foundation
import Testing

@testable import Volley
import VolleyExamples

@Suite("Writers, report and encoders")
struct IOAndEncodingTests {
    @Test("Result lines: one line, sorted keys, null for non-finite numbers, decoded back by JSONDecoder")
    func resultLine() throws {
        let value: JSONValue = [
            "b_key": 1, "a_key": .number(0.25), "nan": .number(.nan), "text": "a \"q\"\n\\",
            "list": [true, .null, .number(1e-7)], "nested": ["x": -3],
        ]
        let text = value.rendered
        #expect(!text.contains("\n"))
        #expect(text.hasPrefix("{\"a_key\":0.25,\"b_key\":1,\"list\":[true,null,1e-07],\"nan\":null,"))
        let parsed = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        #expect(parsed["b_key"] == .int(1))
        #expect(parsed["a_key"] == .number(0.25))
        #expect(parsed["text"] == .string("a \"q\"\n\\"))
        #expect(parsed["list"] == [true, .null, .number(1e-7)])
        #expect(parsed["nested"]?["x"] == .int(-3))
        #expect(parsed["nan"] == .null)
    }

    @Test("Result lines: seeds keep the full UInt64 range; huge numbers stay doubles")
    func resultLineUnsigned() throws {
        let text = JSONValue(dictionaryLiteral: ("seed", .unsigned(.max)), ("small", .unsigned(7)), ("big", .number(1e300))).rendered
        #expect(text == "{\"big\":1e+300,\"seed\":18446744073709551615,\"small\":7}")
        let parsed = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        #expect(parsed["seed"] == .unsigned(.max))
        #expect(parsed["small"] == .int(7))
        #expect(parsed["big"] == .number(1e300))
    }

    @Test("Run report: rates, fractions and SynOps from a hand-countable run")
    func report() throws {
        // Three inputs at 1, 2, 3 ms each drive neuron 0 over threshold; neuron 1 never fires.
        let model = LIFDelta(tauM: 10, vRest: -70, vReset: -70, vThreshold: -55, tRef: 0)
        let (net, _, _) = try drivenNetwork(
            model: model, neurons: 2, trains: [[1, 2, 3]],
            synapses: [Synapse(source: 0, target: 0, weight: 20, delay: 1), Synapse(source: 0, target: 1, weight: 1, delay: 1)])
        let sim = try EventDrivenSimulator(network: net)
        try sim.run(until: 500)
        let r = sim.report()
        #expect(r.populations[1].spikes == 3)
        #expect(r.modelSpikes == 3)
        #expect(r.spikes == 6)
        #expect(abs(r.meanRateHz - 3 / (2 * 0.5)) < 1e-12)
        #expect(r.populations[1].fractionFired == 0.5)
        #expect(r.synapticEvents == 6)
        #expect(r.durationMs == 500)
        #expect(r.memoryBytes > 0)
        let parsed = try JSONValue(encoding: r)
        #expect(parsed["engine"] == .string("event"))
        #expect(parsed["dt_ms"] == .null)
        #expect(parsed["spikes"] == .int(3))
        #expect(parsed["populations"].map { if case let .array(a) = $0 { a.count } else { 0 } } == 2)
        #expect(r.summary.contains("output [lif_delta] 2 neurons: 3 spikes"))
    }

    @Test("Spike CSV and SVG raster contain the recorded spikes")
    func writers() throws {
        let (net, _, _) = try drivenNetwork(
            model: LIFDelta(tRef: 0), trains: [[1, 2.5]], synapses: [Synapse(source: 0, target: 0, weight: 30, delay: 1)])
        let sim = try EventDrivenSimulator(network: net)
        try sim.run(until: 10)
        #expect(sim.spikeCSV() == "population,neuron,time_ms\ninput,0,1.0\noutput,0,2.0\ninput,0,2.5\noutput,0,3.5\n")
        let svg = sim.rasterPlot(title: "test <raster>")
        #expect(svg.hasPrefix("<svg"))
        #expect(svg.contains("test &lt;raster&gt;"))
        #expect(svg.contains("output (1 of 1)"))
        #expect(svg.hasSuffix("</svg>\n"))
    }

    @Test("Latency coding: brighter is earlier, zero is silent")
    func latency() throws {
        let enc = try LatencyEncoder(minimum: 0, maximum: 1, tMin: 0, tMax: 10, silentAtOrBelow: 0)
        #expect(enc.time(for: 1) == 0)
        #expect(enc.time(for: 0.25) == 7.5)
        #expect(enc.time(for: 0) == nil)
        #expect(enc.time(for: 2) == 0)
        #expect(enc.encode([0, 0.5]) == [[], [5]])
        #expect(throws: VolleyError.self) { try LatencyEncoder(minimum: 1, maximum: 1, tMax: 5) }
    }

    @Test("Gaussian receptive fields: Bohte's centres and widths, strongest field fires first")
    func gaussianFields() throws {
        let enc = try GaussianReceptiveFieldEncoder(fieldsPerFeature: 6, minimum: [0], maximum: [4], beta: 1.5, tMax: 10, minimumResponse: 0.1)
        // μᵢ = 0 + (2i − 3)/2 · 4/4 for i = 1…6: −0.5, 0.5, 1.5, 2.5, 3.5, 4.5; σ = (1/1.5)·1.
        #expect((0..<6).map { enc.centre(feature: 0, field: $0) } == [-0.5, 0.5, 1.5, 2.5, 3.5, 4.5])
        #expect(abs(enc.width(feature: 0) - 1 / 1.5) < 1e-15)
        let times = try enc.times(for: [1.5])
        #expect(times[2] == 0)
        #expect(times[1]! > 0 && times[1] == times[3])
        #expect(times[5] == nil)
        let rounded = try GaussianReceptiveFieldEncoder(fieldsPerFeature: 6, minimum: [0], maximum: [4], resolution: 1)
        for t in try rounded.times(for: [1.2]).compactMap({ $0 }) { #expect(t == t.rounded()) }
        #expect(throws: VolleyError.self) { try enc.times(for: [1, 2]) }
        #expect(throws: VolleyError.self) { try GaussianReceptiveFieldEncoder(fieldsPerFeature: 2, minimum: [0], maximum: [1]) }
    }
}
