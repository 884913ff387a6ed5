import Foundation
import Testing

@testable import Volley

/// STDP in both engines: the analytic window, pairing schemes, weight dependence, bounds,
/// equal times, the Diehl & Cook rule, and engine agreement.
@Suite("STDP")
struct STDPTests {
    /// One isolated pre/post pair per neuron: pre source k fires so that its spike *arrives* at
    /// `pre[k]`; post neuron k is driven over threshold by a strong static input arriving at
    /// `post[k]` (an LIF-delta neuron fires exactly at a jump). The plastic synapse k → k has
    /// weight `w0` (mV), far too small to make the neuron fire.
    func pairNetwork(pre: [[Double]], post: [[Double]], rule: Plasticity, w0: Double = 0.5, delay: Double = 1)
        throws -> (Network, ProjectionID)
    {
        var net = Network()
        let n = pre.count
        let preSource = try net.addSpikeSource("pre", trains: pre.map { $0.map { $0 - delay } })
        let driver = try net.addSpikeSource("driver", trains: post.map { $0.map { $0 - delay } })
        let neurons = try net.addPopulation("post", size: n, model: LIFDelta(tauM: 10, vRest: -70, vReset: -70, vThreshold: -55, tRef: 0))
        try net.connect(driver, to: neurons, pattern: .oneToOne, weight: .constant(100), delay: .constant(delay))
        let plastic = try net.connect(preSource, to: neurons, pattern: .oneToOne, weight: .constant(w0), delay: .constant(delay))
        try net.setPlasticity(rule, for: plastic)
        return (net, plastic)
    }

    func weightChanges(_ sim: Simulator, _ projection: ProjectionID, w0: Double = 0.5) throws -> [Double] {
        try sim.weights(of: projection).map { $0 - w0 }
    }

    @Test("The simulated window matches the analytic curve to 1e-9 (relative) for Δt ∈ [−100, 100] ms, every pairing, both engines", arguments: STDPPairing.allCases)
    func window(pairing: STDPPairing) throws {
        let rule = STDPRule(tauPlus: 16.8, tauMinus: 33.7, aPlus: 0.01, aMinus: 0.007, pairing: pairing, wMin: 0, wMax: 1)
        let dts = (-100...100).map { Double($0) }
        let (net, projection) = try pairNetwork(pre: dts.map { _ in [200.0] }, post: dts.map { [200 + $0] }, rule: .stdp(rule))
        for sim in [try EventDrivenSimulator(network: net) as Simulator, try TimeSteppedSimulator(network: net, dt: 0.5)] {
            try sim.run(until: 400)
            let changes = try weightChanges(sim, projection)
            for (dt, change) in zip(dts, changes) {
                let expected = rule.window(dt, weight: 0.5)
                #expect(abs(change - expected) <= 1e-9 * abs(expected), "Δt = \(dt): \(change) vs \(expected)")
            }
            // Sign and equal-time rule: Δt = 0 is pre-before-post, +A₊.
            #expect(abs(changes[100] - 0.01) < 1e-15)
            #expect(changes[99] < 0 && changes[101] > 0)
        }
    }

    @Test("Pairing schemes differ as documented on spike triplets")
    func pairingSchemes() throws {
        let tau = 20.0
        let (aPlus, aMinus) = (0.01, 0.008)
        let e10 = exp(-10 / tau), e20 = exp(-20 / tau)
        // Protocols (pre arrivals, post spikes), all shifted to start at 100 ms.
        let protocols: [(pre: [Double], post: [Double])] = [
            ([0], [10, 20]),  // one pre, two posts
            ([0, 10], [20]),  // two pres, one post
            ([20], [0, 10]),  // two posts, one pre
            ([10, 20], [0]),  // one post, two pres
        ]
        let expected: [STDPPairing: [Double]] = [
            .allToAll: [aPlus * (e10 + e20), aPlus * (e10 + e20), -aMinus * (e10 + e20), -aMinus * (e10 + e20)],
            .nearestSymmetric: [aPlus * (e10 + e20), aPlus * e10, -aMinus * e10, -aMinus * (e10 + e20)],
            .nearestPreCentred: [aPlus * e10, aPlus * (e10 + e20), -aMinus * e10, -aMinus * (e10 + e20)],
            .nearestRestricted: [aPlus * e10, aPlus * e10, -aMinus * e10, -aMinus * e10],
        ]
        for pairing in STDPPairing.allCases {
            let rule = STDPRule(tauPlus: tau, tauMinus: tau, aPlus: aPlus, aMinus: aMinus, pairing: pairing, wMin: 0, wMax: 1)
            let (net, projection) = try pairNetwork(
                pre: protocols.map { $0.pre.map { $0 + 100 } }, post: protocols.map { $0.post.map { $0 + 100 } }, rule: .stdp(rule))
            let sim = try EventDrivenSimulator(network: net)
            try sim.run(until: 300)
            let changes = try weightChanges(sim, projection)
            for (k, e) in expected[pairing]!.enumerated() {
                #expect(abs(changes[k] - e) < 1e-12, "\(pairing) protocol \(k): \(changes[k]) vs \(e)")
            }
        }
    }

    @Test("Weight dependence: soft bounds, power law and hard bounds")
    func weightDependence() throws {
        // Multiplicative: Δw₊ = A₊(wMax − w)/(wMax − wMin), Δw₋ = −A₋(w − wMin)/(wMax − wMin).
        let soft = STDPRule(aPlus: 0.5, aMinus: 0.5, dependence: .multiplicative(), wMin: 0, wMax: 2)
        #expect(abs(soft.window(0, weight: 1.5) - 0.5 * 0.25) < 1e-15)
        #expect(abs(soft.window(-0.0001, weight: 1.5) + 0.5 * 0.75 * exp(-0.0001 / 20)) < 1e-15)
        // Repeated potentiation approaches wMax without reaching it.
        var w = 1.0
        for _ in 0..<200 { w = soft.potentiated(w, trace: 1) }
        #expect(w < 2 && w > 1.999)
        let power = STDPRule(aPlus: 0.1, aMinus: 0.2, dependence: .powerLaw(mu: 0.4, w0: 1), wMin: 0, wMax: 100)
        #expect(abs(power.window(0, weight: 4) - 0.1 * pow(4, 0.4)) < 1e-14)
        #expect(abs(power.window(-1e-9, weight: 4) + 0.2 * 4 * exp(-1e-9 / 20)) < 1e-12)
        // Additive with hard bounds: large steps clip exactly at the bounds.
        let hard = STDPRule(aPlus: 5, aMinus: 5, wMin: -1, wMax: 1)
        #expect(hard.potentiated(0.5, trace: 1) == 1)
        #expect(hard.depressed(0.5, trace: 1) == -1)
        // Through the simulator: soft-bound weights stay inside (0, wMax) after 50 pairings.
        let rule = STDPRule(aPlus: 0.3, aMinus: 0.3, pairing: .nearestSymmetric, dependence: .multiplicative(), wMin: 0, wMax: 1)
        let times = (0..<50).map { 100.0 + Double($0) * 200 }
        let (net, projection) = try pairNetwork(pre: [times, times.map { $0 + 5 }], post: [times.map { $0 + 5 }, times], rule: .stdp(rule))
        let sim = try EventDrivenSimulator(network: net)
        try sim.run(until: 11_000)
        let weights = try sim.weights(of: projection)
        #expect(weights[0] > 0.99 && weights[0] < 1)
        #expect(weights[1] > 0 && weights[1] < 0.01)
    }

    @Test("Diehl & Cook rule: η_post(x_pre − x_tar)(wMax − w)^μ at post spikes, −η_pre·x_post at pre arrivals")
    func diehlCook() throws {
        let rule = DiehlCookRule(tauPre: 20, tauPost: 20, etaPost: 0.01, etaPre: 0.001, xTar: 0.4, mu: 0.2, wMax: 1)
        // Neuron 0: pre 5 ms before post (x_pre = e^(−5/20) > x_tar: potentiation).
        // Neuron 1: pre 40 ms before post (x_pre = e^(−2) < x_tar: depression at the post spike).
        // Neuron 2: post 10 ms before pre: the post spike finds no presynaptic trace (x_pre = 0 <
        // x_tar: depression by the offset), then the pre arrival is depressed by x_post = e^(−1/2).
        let (net, projection) = try pairNetwork(pre: [[100], [100], [110]], post: [[105], [140], [100]], rule: .diehlCook(rule))
        let sim = try EventDrivenSimulator(network: net)
        try sim.run(until: 300)
        let changes = try weightChanges(sim, projection)
        #expect(abs(changes[0] - 0.01 * (exp(-0.25) - 0.4) * pow(0.5, 0.2)) < 1e-15)
        #expect(abs(changes[1] - 0.01 * (exp(-2) - 0.4) * pow(0.5, 0.2)) < 1e-15)
        #expect(abs(changes[2] - (0.01 * (0 - 0.4) * pow(0.5, 0.2) - 0.001 * exp(-0.5))) < 1e-15)
    }

    @Test("Diehl & Cook code rule: potentiation gated by the second post trace before the spike")
    func diehlCookTripletGate() throws {
        let rule = DiehlCookRule(tauPre: 20, tauPost: 20, etaPost: 0.01, etaPre: 0.001, xTar: 0, mu: 0, wMax: 1, tauPost2: 40)
        // Neuron 0: pre at 100, posts at 105 and 115: the first post finds no earlier post (gate
        // 0), the second a gate e^(−10/40) and x_pre = e^(−15/20).
        // Neuron 1: pre at 100, one post at 105: no change (gate 0).
        // Neuron 2: posts at 100 and 130, pre at 110 (depressed by x_post = e^(−10/20)), then the
        // second post potentiates by x_pre = e^(−20/20) with gate e^(−30/40).
        let (net, projection) = try pairNetwork(
            pre: [[100], [100], [110]], post: [[105, 115], [105], [100, 130]], rule: .diehlCook(rule))
        for sim in [try EventDrivenSimulator(network: net) as Simulator, try TimeSteppedSimulator(network: net, dt: 0.5)] {
            try sim.run(until: 300)
            let changes = try weightChanges(sim, projection)
            #expect(abs(changes[0] - 0.01 * exp(-10.0 / 40) * exp(-15.0 / 20)) < 1e-15)
            #expect(changes[1] == 0)
            #expect(abs(changes[2] - (-0.001 * exp(-0.5) + 0.01 * exp(-30.0 / 40) * exp(-1))) < 1e-15)
        }
        #expect(throws: VolleyError.self) { try DiehlCookRule(tauPost2: 0).validate() }
    }

    /// The depression at a pre arrival skips its `exp` when the decrement cannot change the
    /// weight (below a quarter ulp); the result must equal computing every update, bit for bit.
    /// Ages straddle the skip threshold (w = 0.3: 638 ms; w = 1e-6: 888 ms).
    @Test("Diehl & Cook depression: skipped no-op updates leave weights bit-identical to computing them all", arguments: [0, 1])
    func diehlCookSkipIsExact(engine: Int) throws {
        let rule = DiehlCookRule(tauPre: 20, tauPost: 20, etaPost: 0.01, etaPre: 0.001, xTar: 0, mu: 0, wMax: 1)
        let weights = [0, 1e-300, 1e-6, 0.3, 0.75, 1.0]
        let ages = [1.0, 100, 500, 600, 630, 640, 700, 870, 880, 900, 1000, 5000, 16_000]
        let cases = weights.flatMap { w in ages.map { (w, $0) } }
        // Post spike at 100 ms (x_pre = 0 and x_tar = 0: no change), pre arrival `age` later.
        let (net, projection) = try pairNetwork(
            pre: cases.map { [100 + $0.1] }, post: cases.map { _ in [100] }, rule: .diehlCook(rule))
        let sim: Simulator = engine == 0 ? try EventDrivenSimulator(network: net) : try TimeSteppedSimulator(network: net, dt: 0.5)
        try sim.setWeights(cases.map(\.0), of: projection)
        try sim.run(until: 16_200)
        let learned = try sim.weights(of: projection)
        for ((w, age), got) in zip(cases, learned) {
            let y = exp(-(age / 20))
            let expected = y > 0 ? min(max(w - 0.001 * y, 0), 1) : w
            #expect(got == expected, "w0 = \(w), age \(age) ms: \(got) vs \(expected)")
        }
        // The reference is not trivially the initial weight: near the threshold some updates bite.
        #expect(learned[cases.firstIndex { $0 == (0.3, 600) }!] < 0.3)
        #expect(learned[cases.firstIndex { $0 == (1e-6, 870) }!] < 1e-6)
    }

    @Test("reset() restores the initial weights unless asked to keep them")
    func resetWeights() throws {
        let (net, projection) = try pairNetwork(pre: [[10]], post: [[15]], rule: .stdp(STDPRule()))
        let sim = try EventDrivenSimulator(network: net)
        try sim.run(until: 50)
        let learned = try sim.weights(of: projection)
        #expect(learned[0] > 0.5)
        sim.reset(keepingWeights: true)
        #expect(try sim.weights(of: projection) == learned)
        sim.reset()
        #expect(try sim.weights(of: projection) == [0.5])
        // The network value itself is never modified.
        #expect(try net.projection(projection).weights.array == [0.5])
    }

    /// Both engines apply the same rule object; they differ only in where spikes sit in time
    /// (exact vs on the dt grid). Postsynaptic spikes are forced by a strong one-to-one teacher
    /// input and the plastic weights stay far too small to make a neuron fire, so the spike
    /// trains cannot diverge and the weight difference measures only the O(dt) timing error.
    @Test("Event-driven and time-stepped STDP agree to O(dt) on a small network")
    func enginesAgree() throws {
        var net = Network()
        let input = try net.addPoissonSource("in", rates: Array(repeating: 20, count: 30), seed: 3)
        let teacher = try net.addPoissonSource("teacher", rates: Array(repeating: 15, count: 4), seed: 5)
        let out = try net.addPopulation("out", size: 4, model: LIFDelta(tauM: 20, vRest: -70, vReset: -70, vThreshold: -55, tRef: 0))
        _ = try net.connect(teacher, to: out, pattern: .oneToOne, weight: .constant(100), delay: .constant(1))
        let p = try net.connect(input, to: out, pattern: .allToAll(), weight: .uniform(0.02, 0.08), delay: .constant(1), seed: 4)
        try net.setPlasticity(.stdp(STDPRule(tauPlus: 20, tauMinus: 20, aPlus: 0.001, aMinus: 0.0012, wMin: 0, wMax: 0.1)), for: p)
        let event = try EventDrivenSimulator(network: net)
        try event.run(until: 5000)
        let reference = try event.weights(of: p)
        let initial = try net.projection(p).weights.array
        let changed = zip(reference, initial).map { abs($0 - $1) }
        #expect(changed.reduce(0, +) / Double(changed.count) > 0.003, "the rule must actually move the weights")
        var errors: [Double] = []
        var postCounts: [Int] = []
        for dt in [0.1, 0.01] {
            let stepped = try TimeSteppedSimulator(network: net, dt: dt)
            try stepped.run(until: 5000)
            let w = try stepped.weights(of: p)
            errors.append(zip(w, reference).reduce(0) { $0 + abs($1.0 - $1.1) } / Double(w.count))
            postCounts.append(try stepped.spikes(of: out).times.count)
        }
        // The plastic synapses never fire a neuron on their own: same post spike count in every engine.
        let eventCount = try event.spikes(of: out).times.count
        #expect(postCounts.allSatisfy { $0 == eventCount }, "\(postCounts) vs \(eventCount)")
        // At least first order in dt: a tenfold finer grid shrinks the mean weight error more than fourfold,
        // and even at dt = 0.1 ms the error is a small fraction of the weight change itself.
        let meanChange = changed.reduce(0, +) / Double(changed.count)
        #expect(errors[1] < errors[0] / 4, "mean |Δw| \(errors)")
        #expect(errors[0] < 0.1 * meanChange, "mean |Δw| \(errors) vs mean change \(meanChange)")
    }

    @Test("Invalid rules are rejected")
    func invalid() throws {
        var (net, projection) = try pairNetwork(pre: [[1]], post: [[2]], rule: .stdp(STDPRule()))
        #expect(throws: VolleyError.self) { try net.setPlasticity(.stdp(STDPRule(tauPlus: 0)), for: projection) }
        #expect(throws: VolleyError.self) { try net.setPlasticity(.stdp(STDPRule(wMin: 1, wMax: 1)), for: projection) }
        #expect(throws: VolleyError.self) { try net.setPlasticity(.diehlCook(DiehlCookRule(tauPre: -1)), for: projection) }
        #expect(throws: VolleyError.self) { try net.setPlasticity(nil, for: ProjectionID(9, network: net.identity)) }
    }
}

/// Simulator-side helpers that Diehl & Cook learning needs: synaptic scaling, setting learned
/// weights and learned initial states, and the receptive-field image writer.
@Suite("Plastic weights and learned states")
struct PlasticStateTests {
    func network() throws -> (Network, PopulationID, ProjectionID) {
        var net = Network()
        let input = try net.addSpikeSource("in", size: 3)
        let out = try net.addPopulation("out", size: 2, model: AdaptiveLIF(beta: 0.5, tauAdapt: 1e7))
        let p = try net.connect(
            input, to: out,
            synapses: [Synapse(source: 0, target: 0, weight: 1, delay: 1), Synapse(source: 1, target: 0, weight: 3, delay: 1),
                       Synapse(source: 2, target: 1, weight: 2, delay: 1), Synapse(source: 0, target: 1, weight: 0, delay: 1)])
        try net.setPlasticity(.diehlCook(DiehlCookRule(wMax: 10)), for: p)
        return (net, out, p)
    }

    @Test("normalizeIncomingWeights scales each target's incoming weights to the total")
    func normalize() throws {
        let (net, _, p) = try network()
        let sim = try EventDrivenSimulator(network: net)
        try sim.normalizeIncomingWeights(of: p, toTotal: 8)
        let w = try sim.weights(of: p)
        // CSR order: source 0 → (0, 1), source 1 → 0, source 2 → 1.
        #expect(w == [2, 0, 6, 8])
        #expect(throws: VolleyError.self) { try sim.normalizeIncomingWeights(of: p, toTotal: 0) }
        #expect(throws: VolleyError.self) { try sim.normalizeIncomingWeights(of: ProjectionID(5, network: sim.network.identity), toTotal: 1) }
    }

    @Test("normalizeIncomingWeights is bit-identical to summing each target's weights in synapse order")
    func normalizeMatchesTargetWalk() throws {
        // Several delay groups per source (so CSR order is not target order), weights spread over
        // many binades so that a different summation order would change the last bits, one target
        // whose weights are all 0 (left alone) and one without synapses.
        var net = Network()
        let input = try net.addSpikeSource("in", size: 40)
        let out = try net.addPopulation("out", size: 13, model: AdaptiveLIF(beta: 0.5, tauAdapt: 1e7))
        var rng = Xoshiro256(seed: 7)
        var synapses: [Synapse] = []
        for i in 0..<40 {
            for j in 0..<12 where rng.uniform() < 0.7 {
                let w = j == 5 ? 0 : rng.uniform() * pow(10, Double(rng.index(below: 6)) - 3)
                synapses.append(Synapse(source: i, target: j, weight: w, delay: 0.5 * Double(1 + rng.index(below: 4))))
            }
        }
        let p = try net.connect(input, to: out, synapses: synapses)
        try net.setPlasticity(.diehlCook(DiehlCookRule(wMax: 1e6)), for: p)
        let structure = try net.projection(p).structure
        #expect(structure.groupCount > 40)
        let sim = try TimeSteppedSimulator(network: net, dt: 0.1)
        let before = try sim.weights(of: p)
        let targets = structure.targets
        for total in [78.0, 4680, 0.3] {
            let w = try sim.weights(of: p)
            var expected = w
            for j in 0..<13 {
                let mine = (0..<w.count).filter { targets[$0] == j }  // increasing synapse index
                let sum = mine.reduce(0.0) { $0 + w[$1] }
                guard sum > 0 else { continue }
                for s in mine { expected[s] = w[s] * (total / sum) }
            }
            try sim.normalizeIncomingWeights(of: p, toTotal: total)
            let got = try sim.weights(of: p)
            #expect(got == expected)
            for j in 0..<12 where j != 5 {
                let sum = (0..<got.count).filter { targets[$0] == j }.reduce(0.0) { $0 + got[$1] }
                #expect(abs(sum - total) <= 1e-12 * total)
            }
        }
        #expect(try sim.weights(of: p) != before)
    }

    @Test("setWeights replaces a plastic projection's weights and rejects bad values")
    func setWeights() throws {
        let (net, _, p) = try network()
        let sim = try TimeSteppedSimulator(network: net, dt: 0.1)
        try sim.setWeights([4, 3, 2, 1], of: p)
        #expect(try sim.weights(of: p) == [4, 3, 2, 1])
        #expect(throws: VolleyError.self) { try sim.setWeights([1, 2], of: p) }
        #expect(throws: VolleyError.self) { try sim.setWeights([1, .nan, 1, 1], of: p) }
    }

    @Test("setInitialStates: reset() restores the given states (learned thresholds)")
    func initialStates() throws {
        let (net, out, _) = try network()
        let sim = try EventDrivenSimulator(network: net)
        let model = AdaptiveLIF(beta: 0.5, tauAdapt: 1e7)
        let rest = model.initialState(potential: nil)
        try sim.setInitialStates([AdaptiveLIF.State(membrane: rest.membrane, adaptation: 3), rest], of: out, as: AdaptiveLIF.self)
        sim.reset()
        #expect(try sim.state(of: out, neuron: 0, as: AdaptiveLIF.self).adaptation == 3)
        #expect(try sim.state(of: out, neuron: 1, as: AdaptiveLIF.self).adaptation == 0)
        #expect(throws: VolleyError.self) { try sim.setInitialStates([rest], of: out, as: AdaptiveLIF.self) }
        #expect(throws: VolleyError.self) { try sim.setInitialStates([LIFExp.State(v: -65)], of: out, as: LIFExp.self) }
    }

    @Test("PNG encoder: valid signature, chunk CRCs and zlib Adler-32 of the raw rows")
    func png() throws {
        let pixels: [UInt8] = [0, 128, 255, 7, 8, 9]
        let data = [UInt8](PNG.grayscale(width: 3, height: 2, pixels: pixels))
        #expect(Array(data.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        // Walk the chunks and check every CRC.
        var offset = 8
        var types: [String] = []
        var idat: [UInt8] = []
        while offset < data.count {
            let length = data[offset..<(offset + 4)].reduce(0) { $0 << 8 | Int($1) }
            let body = Array(data[(offset + 4)..<(offset + 8 + length)])
            let crc = data[(offset + 8 + length)..<(offset + 12 + length)].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            #expect(PNG.crc32(body) == crc)
            let type = String(decoding: body.prefix(4), as: UTF8.self)
            types.append(type)
            if type == "IDAT" { idat = Array(body.dropFirst(4)) }
            offset += 12 + length
        }
        #expect(types == ["IHDR", "IDAT", "IEND"])
        // Stored block: header 2 bytes, block header 5 bytes, rows with filter byte 0, Adler-32.
        let raw: [UInt8] = [0, 0, 128, 255, 0, 7, 8, 9]
        #expect(Array(idat[7..<(7 + raw.count)]) == raw)
        #expect(PNG.crc32(Array("IEND".utf8)) == 0xAE42_6082)  // the well-known IEND CRC
        #expect(PNG.adler32(Array("Wikipedia".utf8)) == 0x11E6_0398)  // RFC 1950 example value
    }
}
