import Foundation
import Testing

@testable import Volley

/// The two engines run the same network value; they differ only in how time advances.
@Suite("Event-driven vs time-stepped engine")
struct EngineAgreementTests {
    /// 60 Poisson inputs (60 Hz) → 20 LIF-exp neurons, excitatory and inhibitory synapses with
    /// continuous random delays; feed-forward, so that differences do not grow chaotically.
    func feedForward() throws -> (Network, PopulationID) {
        var net = Network()
        let input = try net.addPoissonSource("in", rates: Array(repeating: 60, count: 60), seed: 9)
        let model = LIFExp(tauM: 20, tauSynExc: 5, tauSynInh: 10, vRest: -65, vReset: -65, vThreshold: -50, tRef: 2)
        let out = try net.addPopulation("out", size: 20, model: model)
        try net.connect(input, to: out, pattern: .fixedProbability(0.5), weight: .uniform(0, 7), delay: .uniform(1, 3), receptor: 0, seed: 2)
        try net.connect(input, to: out, pattern: .fixedProbability(0.2), weight: .uniform(-6, 0), delay: .uniform(1, 3), receptor: 1, seed: 3)
        return (net, out)
    }

    @Test("Stepped spike times converge to the exact ones as dt → 0 (mean error ≤ 2·dt, shrinking with dt)")
    func convergence() throws {
        let (net, out) = try feedForward()
        let exact = try EventDrivenSimulator(network: net)
        try exact.run(until: 1000)
        let reference = try spikeTimesByNeuron(exact, out)
        let total = reference.reduce(0) { $0 + $1.count }
        #expect(total > 150)
        var meanError: [Double: Double] = [:]
        for dt in [0.1, 0.025, 0.00625] {
            let stepped = try TimeSteppedSimulator(network: net, dt: dt)
            try stepped.run(until: 1000)
            let trains = try spikeTimesByNeuron(stepped, out)
            #expect(trains.map(\.count) == reference.map(\.count), "spike counts differ at dt = \(dt)")
            var sum = 0.0
            var n = 0
            for (a, b) in zip(trains, reference) where a.count == b.count {
                for (x, y) in zip(a, b) {
                    sum += abs(x - y)
                    n += 1
                }
            }
            let mean = sum / Double(max(n, 1))
            meanError[dt] = mean
            #expect(mean <= 2 * dt, "mean |Δt| = \(mean) ms at dt = \(dt) ms")
        }
        #expect(meanError[0.025]! < 0.5 * meanError[0.1]!)
        #expect(meanError[0.00625]! < 0.5 * meanError[0.025]!)
    }

    @Test("With every input and delay on the grid and no leak-driven crossings, both engines give the same spikes")
    func gridAlignedIdentity() throws {
        var rng = Xoshiro256(seed: 21)
        let trains = (0..<30).map { _ in (0..<8).map { _ in Double(rng.index(below: 400)) * 0.5 }.sorted() }
        let model = LIFDelta(tauM: 10, vRest: -70, vReset: -70, vThreshold: -55, tRef: 2)
        var net = Network()
        let input = try net.addSpikeSource("in", trains: trains)
        let out = try net.addPopulation("out", size: 10, model: model)
        var synapses: [Synapse] = []
        for i in 0..<30 {
            for j in 0..<10 where rng.uniform() < 0.6 {
                synapses.append(Synapse(source: i, target: j, weight: Double(2 + rng.index(below: 8)), delay: Double(1 + rng.index(below: 3))))
            }
        }
        try net.connect(input, to: out, synapses: synapses)
        let event = try EventDrivenSimulator(network: net)
        let stepped = try TimeSteppedSimulator(network: net, dt: 0.5)
        try event.run(until: 210)
        try stepped.run(until: 210)
        let a = try spikeTimesByNeuron(event, out)
        let b = try spikeTimesByNeuron(stepped, out)
        #expect(a.reduce(0) { $0 + $1.count } > 20)
        #expect(a.map(\.count) == b.map(\.count))
        for (x, y) in zip(a, b) {
            for (s, t) in zip(x, y) { #expect(abs(s - t) < 1e-9) }
        }
        #expect(event.counters.synapticEvents == stepped.counters.synapticEvents)
    }

    @Test("Poisson inputs are the same trains in both engines (stepped: rounded to the grid)")
    func poissonTrainsAgree() throws {
        var net = Network()
        let input = try net.addPoissonSource("in", rates: [20, 80, 0, 200], seed: 77)
        _ = try net.addPopulation("sink", size: 1, model: LIFDelta())
        let event = try EventDrivenSimulator(network: net)
        let stepped = try TimeSteppedSimulator(network: net, dt: 0.1)
        try event.run(until: 2000)
        try stepped.run(until: 2000)
        let a = try spikeTimesByNeuron(event, input)
        let b = try spikeTimesByNeuron(stepped, input)
        #expect(a[2].isEmpty)
        for i in 0..<4 {
            #expect(a[i].count == b[i].count || abs(a[i].count - b[i].count) == 1)
            for (s, t) in zip(a[i], b[i]) { #expect(abs(s - t) <= 0.05 + 1e-9) }
        }
        // Rates within 4 standard deviations of the Poisson expectation.
        for (i, rate) in [20.0, 80, 200].enumerated() {
            let n = Double(a[[0, 1, 3][i]].count)
            let expected = rate * 2
            #expect(abs(n - expected) < 4 * expected.squareRoot())
        }
    }

    @Test("Changing Poisson rates mid-run: silence at rate 0, resumed firing afterwards")
    func poissonRateChange() throws {
        var net = Network()
        let input = try net.addPoissonSource("in", rates: Array(repeating: 100, count: 10), seed: 1)
        _ = try net.addPopulation("sink", size: 1, model: LIFDelta())
        for sim in [try EventDrivenSimulator(network: net) as Simulator, try TimeSteppedSimulator(network: net, dt: 0.1)] {
            try sim.run(until: 100)
            let before = try sim.spikeCount(of: input)
            try sim.setRates(Array(repeating: 0, count: 10), for: input)
            try sim.run(until: 200)
            #expect(try sim.spikeCount(of: input) == before)
            try sim.setRates(Array(repeating: 100, count: 10), for: input)
            try sim.run(until: 300)
            #expect(try sim.spikeCount(of: input) > before + 50)
            #expect(before > 50)
        }
    }

    @Test("Recorded potentials: same sample times in both engines, close values")
    func stateRecording() throws {
        let (net, out) = try feedForward()
        let event = try EventDrivenSimulator(network: net)
        let stepped = try TimeSteppedSimulator(network: net, dt: 0.01)
        for sim in [event as Simulator, stepped] {
            try sim.recordPotentials(of: out, neurons: [0, 3], every: 0.5)
            try sim.run(until: 200)
        }
        let a = event.stateRecordings[0]
        let b = stepped.stateRecordings[0]
        #expect(a.times.count == 401)
        #expect(a.times == b.times)
        #expect(a.potentials[0].count == 401)
        // Until the first spike the trajectories differ only by input rounding (±dt/2).
        let firstSpike = try event.spikes(of: out).times.first ?? 200
        for (j, t) in a.times.enumerated() where t < firstSpike - 5 {
            #expect(abs(a.potentials[0][j] - b.potentials[0][j]) < 0.05)
        }
    }

    @Test("State recording rejects intervals that are not multiples of dt")
    func stateRecordingInterval() throws {
        let (net, out) = try feedForward()
        let stepped = try TimeSteppedSimulator(network: net, dt: 0.1)
        #expect(throws: VolleyError.self) { try stepped.recordPotentials(of: out, neurons: [0], every: 0.25) }
    }
}
