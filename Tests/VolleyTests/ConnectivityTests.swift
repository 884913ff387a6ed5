import Foundation
import Testing

@testable import Volley

@Suite("Synapse graphs")
struct ConnectivityTests {
    func populations(_ a: Int, _ b: Int) throws -> (Network, PopulationID, PopulationID) {
        var net = Network()
        let s = try net.addPopulation("a", size: a, model: LIFDelta())
        let t = try net.addPopulation("b", size: b, model: LIFDelta())
        return (net, s, t)
    }

    @Test("Fixed probability: CSR invariants and degree statistics within tolerance")
    func fixedProbability() throws {
        var (net, a, b) = try populations(2000, 1500)
        let p = 0.05
        let id = try net.connect(a, to: b, pattern: .fixedProbability(p), weight: .constant(1), delay: .constant(1), seed: 3)
        let s = try net.projection(id).structure
        #expect(s.invariantViolation() == nil)
        let out = s.outDegrees.map(Double.init)
        let mean = out.reduce(0, +) / Double(out.count)
        let variance = out.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(out.count - 1)
        // Binomial(1500, 0.05): mean 75, variance 71.25; standard errors ≈ 0.19 and ≈ 2.3.
        #expect(abs(mean - 75) < 1.2)
        #expect(abs(variance - 71.25) < 12)
        let inDegrees = s.inDegrees.map(Double.init)
        let inMean = inDegrees.reduce(0, +) / Double(inDegrees.count)
        #expect(abs(inMean - 100) < 1.5)
        // No target appears twice in a row (Bernoulli pairs).
        for i in 0..<s.sourceCount {
            let targets = s.synapses(ofSource: i).map { s.target(ofSynapse: $0) }
            #expect(Set(targets).count == targets.count)
        }
    }

    @Test("Fixed probability within a population excludes autapses when asked; p = 0 and p = 1 are exact")
    func autapsesAndExtremes() throws {
        var net = Network()
        let a = try net.addPopulation("a", size: 300, model: LIFDelta())
        let none = try net.connect(a, to: a, pattern: .fixedProbability(0.5, allowAutapses: false), weight: .constant(1), delay: .constant(1), seed: 1)
        let s = try net.projection(none).structure
        for i in 0..<300 {
            #expect(!s.synapses(ofSource: i).contains { s.target(ofSynapse: $0) == i })
        }
        let zero = try net.connect(a, to: a, pattern: .fixedProbability(0), weight: .constant(1), delay: .constant(1))
        #expect(try net.projection(zero).synapseCount == 0)
        let one = try net.connect(a, to: a, pattern: .fixedProbability(1), weight: .constant(1), delay: .constant(1))
        #expect(try net.projection(one).synapseCount == 300 * 300)
        let oneNoSelf = try net.connect(a, to: a, pattern: .fixedProbability(1, allowAutapses: false), weight: .constant(1), delay: .constant(1))
        #expect(try net.projection(oneNoSelf).synapseCount == 300 * 299)
    }

    @Test("Fixed in- and out-degree are exact, distinct partners unless multapses are allowed")
    func fixedDegrees() throws {
        var (net, a, b) = try populations(200, 150)
        let out = try net.connect(a, to: b, pattern: .fixedOutDegree(30), weight: .constant(1), delay: .constant(1), seed: 5)
        let sOut = try net.projection(out).structure
        #expect(sOut.invariantViolation() == nil)
        #expect(sOut.outDegrees.allSatisfy { $0 == 30 })
        for i in 0..<200 {
            let t = sOut.synapses(ofSource: i).map { sOut.target(ofSynapse: $0) }
            #expect(Set(t).count == 30)
        }
        let into = try net.connect(a, to: b, pattern: .fixedInDegree(40), weight: .constant(1), delay: .constant(1), seed: 6)
        let sIn = try net.projection(into).structure
        #expect(sIn.invariantViolation() == nil)
        #expect(sIn.inDegrees.allSatisfy { $0 == 40 })
        var pairs = Set<Int>()
        for i in 0..<200 {
            for k in sIn.synapses(ofSource: i) { pairs.insert(i * 1000 + sIn.target(ofSynapse: k)) }
        }
        #expect(pairs.count == 150 * 40)
        let multi = try net.connect(a, to: b, pattern: .fixedOutDegree(500, allowMultapses: true), weight: .constant(1), delay: .constant(1), seed: 7)
        #expect(try net.projection(multi).structure.outDegrees.allSatisfy { $0 == 500 })
        #expect(throws: VolleyError.self) {
            try net.connect(a, to: b, pattern: .fixedOutDegree(151), weight: .constant(1), delay: .constant(1))
        }
    }

    @Test("All-to-all and one-to-one")
    func denseAndDiagonal() throws {
        var (net, a, b) = try populations(7, 7)
        let all = try net.connect(a, to: b, pattern: .allToAll(), weight: .constant(1), delay: .constant(1))
        #expect(try net.projection(all).synapseCount == 49)
        let diag = try net.connect(a, to: b, pattern: .oneToOne, weight: .uniform(0, 1), delay: .constant(2))
        let s = try net.projection(diag).structure
        #expect(s.targets == Array(0..<7))
        #expect(s.sources == Array(0..<7))
        var (net2, c, d) = try populations(3, 4)
        #expect(throws: VolleyError.self) {
            try net2.connect(c, to: d, pattern: .oneToOne, weight: .constant(1), delay: .constant(1))
        }
    }

    @Test("Multi-terminal connections: k delayed sub-synapses per pair, grouped by delay in each row")
    func multiTerminal() throws {
        var (net, a, b) = try populations(3, 5)
        let delays = (1...16).map(Double.init)
        let id = try net.connect(a, to: b, pattern: .allToAll(), weight: .uniform(0, 1), delay: .terminals(delays), seed: 8)
        let proj = try net.projection(id)
        let s = proj.structure
        #expect(s.invariantViolation() == nil)
        #expect(s.synapseCount == 3 * 5 * 16)
        for i in 0..<3 {
            let groups = s.groups(ofSource: i)
            #expect(groups.count == 16)
            for (k, g) in groups.enumerated() {
                #expect(s.delay(ofGroup: g) == delays[k])
                #expect(s.synapses(ofGroup: g).map { s.target(ofSynapse: $0) } == Array(0..<5))
            }
        }
        // Weights are drawn independently per sub-synapse.
        #expect(Set(proj.weights.array).count == s.synapseCount)
    }

    @Test("Explicit synapse lists are sorted into CSR by (source, delay, target)")
    func explicitList() throws {
        var (net, a, b) = try populations(3, 4)
        let synapses = [
            Synapse(source: 2, target: 1, weight: 1, delay: 2), Synapse(source: 0, target: 3, weight: 2, delay: 1),
            Synapse(source: 2, target: 0, weight: 3, delay: 2), Synapse(source: 2, target: 3, weight: 4, delay: 0.5),
            Synapse(source: 0, target: 1, weight: 5, delay: 1),
        ]
        let id = try net.connect(a, to: b, synapses: synapses)
        let p = try net.projection(id)
        #expect(p.structure.invariantViolation() == nil)
        #expect(p.structure.sources == [0, 0, 2, 2, 2])
        #expect(p.structure.targets == [1, 3, 3, 0, 1])
        #expect(p.structure.delays == [1, 1, 0.5, 2, 2])
        #expect(p.weights.array == [5, 2, 4, 3, 1])
        #expect(p.structure.groups(ofSource: 1).isEmpty)
        #expect(p.memoryBytes == p.structure.memoryBytes + 5 * 8)
    }

    @Test("Generation is deterministic per seed and independent of other projections")
    func determinism() throws {
        var (n1, a1, b1) = try populations(500, 500)
        var (n2, a2, b2) = try populations(500, 500)
        _ = try n2.connect(a2, to: b2, pattern: .fixedProbability(0.3), weight: .normal(mean: 1, standardDeviation: 1), delay: .constant(1), seed: 99)
        let p1 = try n1.connect(a1, to: b1, pattern: .fixedProbability(0.1), weight: .normal(mean: 1, standardDeviation: 1), delay: .uniform(0.5, 3), seed: 42)
        let p2 = try n2.connect(a2, to: b2, pattern: .fixedProbability(0.1), weight: .normal(mean: 1, standardDeviation: 1), delay: .uniform(0.5, 3), seed: 42)
        #expect(try n1.projection(p1).structure.targets == n2.projection(p2).structure.targets)
        #expect(try n1.projection(p1).weights.array == n2.projection(p2).weights.array)
        #expect(try n1.projection(p1).structure.delays == n2.projection(p2).structure.delays)
        let p3 = try n1.connect(a1, to: b1, pattern: .fixedProbability(0.1), weight: .constant(1), delay: .constant(1), seed: 43)
        #expect(try n1.projection(p3).structure.targets != n1.projection(p1).structure.targets)
    }

    @Test("An explicit synapse list in any order: rows sorted by (delay, target, list order), equal delays one group", arguments: [1, 2] as [UInt64])
    func synapseListOrder(seed: UInt64) throws {
        var (net, a, b) = try populations(30, 25)
        var rng = Xoshiro256(seed: seed, stream: 0x5B)
        // Few delay and target values, so that rows hold equal (delay, target) pairs whose list
        // order decides; some rows already sorted, most not.
        var list: [Synapse] = []
        for k in 0..<2000 {
            let source = k < 40 ? 0 : rng.index(below: 30)
            let delay = k < 40 ? 0.5 + Double(k / 8) : [0.3, 0.7, 1.1, 2.5][rng.index(below: 4)]
            list.append(Synapse(source: source, target: k < 40 ? k % 8 : rng.index(below: 25), weight: Double(k), delay: delay))
        }
        let id = try net.connect(a, to: b, synapses: list)
        let structure = try net.projection(id).structure, weights = try net.projection(id).weights.array, delays = structure.delays
        for i in 0..<30 {
            let expected = list.enumerated().filter { $0.element.source == i }.sorted { x, y in
                (x.element.delay, x.element.target, x.offset) < (y.element.delay, y.element.target, y.offset)
            }.map(\.element)
            let row = structure.synapses(ofSource: i)
            #expect(row.map { structure.target(ofSynapse: $0) } == expected.map(\.target))
            #expect(row.map { weights[$0] } == expected.map(\.weight))
            #expect(row.map { delays[$0] } == expected.map(\.delay))
            let groupDelays = structure.groups(ofSource: i).map { structure.delay(ofGroup: $0) }
            #expect(groupDelays == Array(Set(expected.map(\.delay))).sorted())
        }
    }
}
