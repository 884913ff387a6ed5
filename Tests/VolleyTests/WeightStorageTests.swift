import Foundation
import Testing

@testable import Volley

/// Weight layouts (`WeightStore`): one shared value when every weight is equal, `Double` or
/// `Float` per synapse otherwise; the engines must use exactly the stored values in every layout.
@Suite("Weight storage")
struct WeightStorageTests {
    @Test("Layouts: equal weights are stored once, distinct ones per synapse in the asked precision")
    func layouts() {
        let shared = WeightStore([0.3, 0.3, 0.3, 0.3])
        #expect(shared.layoutName == "uniform" && shared.memoryBytes == 8)
        #expect(shared.array == [0.3, 0.3, 0.3, 0.3] && shared.count == 4)
        let distinct = [0.1, -2.5, 1e-3, 7.25]
        let double = WeightStore(distinct)
        #expect(double.layoutName == "double" && double.memoryBytes == 32 && double.array == distinct)
        let single = WeightStore(distinct, precision: .single)
        #expect(single.layoutName == "single" && single.memoryBytes == 16)
        #expect(single.array == distinct.map { Double(Float($0)) })
        #expect(single[0] != 0.1)  // rounded once, to the nearest Float
        // 0.0 and −0.0 differ in bits: not one shared value.
        #expect(WeightStore([0.0, -0.0]).layoutName == "double")
        #expect(WeightStore([]).count == 0)
    }

    /// A source fires bursts into 3 LIF-exp neurons; `extra` adds a fourth synapse from a silent
    /// source neuron with a different weight, which changes the layout but not the dynamics.
    func burstNetwork(weights: [Double], precision: WeightPrecision, extra: Bool) throws -> (Network, PopulationID) {
        var net = Network()
        let input = try net.addSpikeSource("input", trains: [(0..<40).map { 1 + Double($0) * 0.7 }, []])
        let output = try net.addPopulation("output", size: 3, model: LIFExp(tauM: 10, tauSynExc: 2, tauSynInh: 3, vThreshold: -60, tRef: 1))
        var synapses = weights.enumerated().map { Synapse(source: 0, target: $0.offset, weight: $0.element, delay: 0.5) }
        if extra { synapses.append(Synapse(source: 1, target: 0, weight: 0.123, delay: 0.5)) }
        try net.connect(input, to: output, synapses: synapses, precision: precision)
        return (net, output)
    }

    func spikeTrains(_ net: Network, _ output: PopulationID) throws -> [[(UInt32, Double)]] {
        try [EventDrivenSimulator(network: net) as Simulator, TimeSteppedSimulator(network: net, dt: 0.1)].map { sim in
            try sim.run(until: 60)
            let s = try sim.spikes(of: output)
            return Array(zip(s.neurons, s.times))
        }
    }

    @Test("Both engines give the same spikes with a shared weight as with the same weight per synapse")
    func uniformMatchesPerSynapse() throws {
        let (a, outA) = try burstNetwork(weights: [10.1, 10.1, 10.1], precision: .double, extra: false)
        let (b, outB) = try burstNetwork(weights: [10.1, 10.1, 10.1], precision: .double, extra: true)
        #expect(a.projections[0].weights.layoutName == "uniform")
        #expect(b.projections[0].weights.layoutName == "double")
        let (sa, sb) = (try spikeTrains(a, outA), try spikeTrains(b, outB))
        #expect(sa[0].count >= 6 && sa[1].count >= 6, "\(sa[0].count), \(sa[1].count) spikes")
        for engine in 0..<2 {
            #expect(sa[engine].map(\.0) == sb[engine].map(\.0) && sa[engine].map(\.1) == sb[engine].map(\.1))
        }
    }

    @Test("Single precision: the engines use exactly the stored Float values")
    func singleUsesStoredValues() throws {
        let weights = [10.1, 9.7, 11.3]
        let (single, outS) = try burstNetwork(weights: weights, precision: .single, extra: false)
        let (rounded, outR) = try burstNetwork(weights: weights.map { Double(Float($0)) }, precision: .double, extra: false)
        let (exact, outE) = try burstNetwork(weights: weights, precision: .double, extra: false)
        let (ss, sr, se) = (try spikeTrains(single, outS), try spikeTrains(rounded, outR), try spikeTrains(exact, outE))
        for engine in 0..<2 {
            #expect(ss[engine].map(\.0) == sr[engine].map(\.0) && ss[engine].map(\.1) == sr[engine].map(\.1))
        }
        // The rounding is visible in the exact spike times (a change of ~1e-8 mV in the weight).
        #expect(ss[0].map(\.1) != se[0].map(\.1))
        #expect(ss[0].count == se[0].count)
    }

    @Test("Weights beyond Float's range are rejected for single precision, naming the value")
    func singleRange() throws {
        var net = Network()
        let a = try net.addSpikeSource("a", trains: [[1]])
        let b = try net.addPopulation("b", size: 3, model: LIFExp())
        do {
            try net.connect(a, to: b, synapses: [Synapse(source: 0, target: 0, weight: 1e39, delay: 1)], precision: .single)
            Issue.record("expected an error")
        } catch let error as VolleyError {
            #expect("\(error)".contains("1e+39"))
        }
        // Per-synapse Float storage of a generated projection: 4 bytes per weight.
        let p = try net.connect(a, to: b, pattern: .allToAll(), weight: .uniform(0, 1), delay: .constant(1), seed: 3, precision: .single)
        #expect(try net.projection(p).weights.layoutName == "single")
        #expect(try net.projection(p).memoryBytes == net.projection(p).structure.memoryBytes + 12)
    }
}
