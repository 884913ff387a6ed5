import Foundation
import Testing

@testable import Volley
import VolleyExamples

/// Bad input gets a typed `VolleyError` whose message names the offending value, never a crash.
@Suite("Error paths")
struct ErrorPathTests {
    /// Runs `body`, requires a VolleyError, and checks that its message mentions every fragment.
    func expectError(_ fragments: [String], _ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            try body()
            Issue.record("expected a VolleyError", sourceLocation: sourceLocation)
        } catch let error as VolleyError {
            for f in fragments {
                #expect(error.description.contains(f), "'\(error)' should mention '\(f)'", sourceLocation: sourceLocation)
            }
        } catch {
            Issue.record("expected a VolleyError, got \(error)", sourceLocation: sourceLocation)
        }
    }

    func twoPopulations() throws -> (Network, PopulationID, PopulationID) {
        var net = Network()
        let a = try net.addPopulation("a", size: 4, model: LIFExp())
        let b = try net.addPopulation("b", size: 3, model: LIFExp())
        return (net, a, b)
    }

    @Test("Negative, zero, NaN and infinite delays are rejected with the value")
    func delays() throws {
        var (net, a, b) = try twoPopulations()
        for d in [-0.5, 0, Double.nan, Double.infinity] {
            expectError(["delay", "\(d)"]) {
                try net.connect(a, to: b, synapses: [Synapse(source: 0, target: 1, weight: 1, delay: d)])
            }
            expectError(["delay", "\(d)"]) {
                try net.connect(a, to: b, pattern: .allToAll(), weight: .constant(1), delay: .constant(d))
            }
        }
        expectError(["delay", "-1"]) {
            try net.connect(a, to: b, pattern: .allToAll(), weight: .constant(1), delay: .terminals([1, -1]))
        }
        expectError(["delay", "0.0"]) {
            try net.connect(a, to: b, pattern: .oneToOne, weight: .constant(1), delay: .uniform(0, 1))
        }
    }

    @Test("NaN and infinite weights are rejected with the value and the synapse")
    func weights() throws {
        var (net, a, b) = try twoPopulations()
        expectError(["weight", "nan", "0 → 2"]) {
            try net.connect(a, to: b, synapses: [Synapse(source: 0, target: 2, weight: .nan, delay: 1)])
        }
        expectError(["weight", "inf"]) {
            try net.connect(a, to: b, pattern: .allToAll(), weight: .constant(.infinity), delay: .constant(1))
        }
        expectError(["weights", "2 values", "12 synapses"]) {
            let id = try net.connect(a, to: b, pattern: .allToAll(), weight: .constant(1), delay: .constant(1))
            try net.setWeights([1, 2], of: id)
        }
        expectError(["weight", "values(3)"]) {
            try net.connect(a, to: b, pattern: .allToAll(), weight: .values([1, 2, 3]), delay: .constant(1))
        }
    }

    @Test("Out-of-range indices name the index and the valid range")
    func indices() throws {
        var (net, a, b) = try twoPopulations()
        expectError(["index 3", "0..<3", "target"]) {
            try net.connect(a, to: b, synapses: [Synapse(source: 0, target: 3, weight: 1, delay: 1)])
        }
        expectError(["index -1", "0..<4", "source"]) {
            try net.connect(a, to: b, synapses: [Synapse(source: -1, target: 0, weight: 1, delay: 1)])
        }
        expectError(["index 2", "0..<2", "receptor"]) {
            try net.connect(a, to: b, pattern: .allToAll(), weight: .constant(1), delay: .constant(1), receptor: 2)
        }
        expectError(["index 9", "target population"]) {
            try net.connect(a, to: PopulationID(9, network: net.identity), pattern: .allToAll(), weight: .constant(1), delay: .constant(1))
        }
        let sim = try EventDrivenSimulator(network: net)
        expectError(["index 4", "0..<3"]) { _ = try sim.potential(of: b, neuron: 4) }
        expectError(["index 5", "population id"]) { _ = try sim.potential(of: PopulationID(5, network: net.identity), neuron: 0) }
    }

    @Test("Empty populations, duplicate names and sources as targets are rejected")
    func populations() throws {
        var net = Network()
        expectError(["'empty'", "no neurons"]) { try net.addPopulation("empty", size: 0, model: LIFDelta()) }
        let src = try net.addSpikeSource("src", trains: [[1]])
        expectError(["src", "already exists"]) { try net.addPopulation("src", size: 2, model: LIFDelta()) }
        let pop = try net.addPopulation("pop", size: 2, model: LIFDelta())
        expectError(["cannot receive synapses"]) {
            try net.connect(pop, to: src, pattern: .allToAll(), weight: .constant(1), delay: .constant(1))
        }
        expectError(["initialPotentials", "1 values", "2 neurons"]) {
            try net.addPopulation("bad", size: 2, model: LIFDelta(), initialPotentials: [-70])
        }
        expectError(["invalid parameter tauM", "-1"]) { try net.addPopulation("bad2", size: 2, model: LIFDelta(tauM: -1)) }
        expectError(["rates[1]", "-5"]) { try net.addPoissonSource("p", rates: [1, -5], seed: 0) }
        expectError(["spike time", "-2", "neuron 0"]) { try net.addSpikeSource("s2", trains: [[-2]]) }
        expectError(["no populations"]) { _ = try EventDrivenSimulator(network: Network()) }
    }

    @Test("Time steps ≤ 0 or NaN, and delays that round to zero steps, are rejected")
    func timeSteps() throws {
        var (net, a, b) = try twoPopulations()
        for dt in [0, -0.1, Double.nan, Double.infinity] {
            expectError(["dt", "\(dt)"]) { _ = try TimeSteppedSimulator(network: net, dt: dt) }
        }
        try net.connect(a, to: b, pattern: .allToAll(), weight: .constant(1), delay: .constant(0.04))
        expectError(["0.04", "dt = 0.1", "rounds to 0 steps"]) { _ = try TimeSteppedSimulator(network: net, dt: 0.1) }
        // The event-driven engine accepts any positive delay.
        _ = try EventDrivenSimulator(network: net)
    }

    @Test("Run control and inputs reject bad values")
    func runControl() throws {
        var net = Network()
        let src = try net.addSpikeSource("src", size: 2)
        let pois = try net.addPoissonSource("pois", rates: [1], seed: 1)
        _ = try net.addPopulation("pop", size: 1, model: LIFDelta())
        let sim = try EventDrivenSimulator(network: net)
        try sim.run(until: 10)
        expectError(["end", "5", "current time"]) { try sim.run(until: 5) }
        expectError(["end", "nan"]) { try sim.run(until: .nan) }
        expectError(["spike time", "3", "before the current time"]) { try sim.setSpikeTrains([[3], []], for: src) }
        expectError(["1 trains", "2 neurons"]) { try sim.setSpikeTrains([[12]], for: src) }
        expectError(["Poisson source", "rates"]) { try sim.setSpikeTrains([[12]], for: pois) }
        expectError(["rates[0]", "nan"]) { try sim.setRates([.nan], for: pois) }
        expectError(["index 7", "population id"]) { try sim.run(until: 20, stopWhen: .firstSpike(in: PopulationID(7, network: sim.network.identity))) }
        try sim.setSpikeTrains([[12, 15], []], for: src)
        try sim.run(until: 20)
        #expect(try sim.spikeCount(of: src) == 2)
    }

    @Test("Command-line parsing: unknown flags and bad values are named")
    func commandLine() throws {
        var cli = CommandOptions(program: "demo", summary: "test")
        cli.option("dt", value: "MS", default: "0.1", help: "step")
        cli.option("hidden", value: "LIST", help: "layers")
        cli.flag("quick", help: "quick")
        expectError(["unknown option '--bogus'"]) { var c = cli; try c.parse(["--bogus"]) }
        expectError(["'--dt'", "'abc'"]) { var c = cli; try c.parse(["--dt", "abc"]); _ = try c.double("dt") }
        expectError(["needs a value"]) { var c = cli; try c.parse(["--dt"]) }
        expectError(["takes no value"]) { var c = cli; try c.parse(["--quick=1"]) }
        expectError(["'400,x'"]) { var c = cli; try c.parse(["--hidden", "400,x"]); _ = try c.intList("hidden") }
        expectError(["unexpected argument 'stray'"]) { var c = cli; try c.parse(["stray"]) }
        var ok = cli
        try ok.parse(["--dt=0.5", "--quick", "--hidden", "400,400"])
        #expect(try ok.double("dt") == 0.5)
        #expect(ok.isSet("quick"))
        #expect(try ok.intList("hidden") == [400, 400])
        #expect(cli.usage.contains("--dt MS"))
    }
}
