import Foundation
import Testing

@testable import Volley

/// The time-stepped engine's struct-of-arrays storage and LIF-exp's 4-wide lane kernel.
@Suite("Lane storage (time-stepped engine)")
struct LaneStorageTests {
    /// Random states, some refractory for a random (off-grid) remainder, a few at threshold.
    func randomStates(_ n: Int, seed: UInt64) -> [LIFExp.State] {
        var rng = Xoshiro256(seed: seed)
        return (0..<n).map { _ in
            LIFExp.State(
                v: -60 + 10.6 * rng.uniform(), iExc: 5 * rng.uniform(), iInh: -5 * rng.uniform(),
                refractory: rng.uniform() < 0.2 ? 5 * rng.uniform() : 0)
        }
    }

    /// The kernel evolves every group freely and corrects the refractory neurons afterwards
    /// (`LaneScratch`), so the cases cover refractory periods ending on and off the grid, and
    /// (reset 0.02 mV below threshold) neurons that leave refractoriness inside a step and reach
    /// threshold before its end, in a block no other neuron flagged.
    @Test("LIF-exp stepLanes equals advance, isAboveThreshold, fire neuron by neuron, bit for bit", arguments: [
        (503, true, -60.0, ResetMode.toValue), (503, false, -60.0, .toValue), (64 * 5, true, -60.0, .toValue), (3, true, -60.0, .toValue),
        (503, true, -50.02, .toValue), (503, false, -50.5, .bySubtraction), (64 * 5 + 3, false, -50.2, .bySubtraction),
    ])
    func lifExpLaneKernel(n: Int, offGridRefractory: Bool, vReset: Double, reset: ResetMode) {
        // Reset by subtraction (tRef = 0) by less than the overshoot: neurons stay above threshold
        // after their reset and fire again the next step.
        let model = LIFExp(
            tauM: 20, tauSynExc: 5, tauSynInh: 10, vRest: -49, vReset: vReset, vThreshold: -50,
            tRef: reset == .toValue ? 5 : 0, reset: reset)
        let dt = 0.1
        let p = model.propagator(over: dt)
        var states = randomStates(n, seed: UInt64(n))
        if reset == .bySubtraction { for i in states.indices { states[i].refractory = 0 } }
        var repeated = 0
        if !offGridRefractory {
            // Only on-grid remainders (as the engine produces): the blocks take the vector path.
            for i in states.indices where states[i].refractory > 0 {
                states[i].refractory = (states[i].refractory / dt).rounded(.up) * dt
            }
        }
        let lanes = UnsafeMutablePointer<Double>.allocate(capacity: 4 * n)
        defer { lanes.deallocate() }
        for (i, s) in states.enumerated() { model.store(s, inLanes: lanes, stride: n, at: i) }
        var reference = states
        var totalFired = 0
        var offGridFires = 0
        var scratch = LaneScratch<LIFExp.State>()
        for round in 0..<300 {
            let time = Double(round) * dt
            let h: Double? = round == 0 ? nil : dt
            var expected: [UInt32] = []
            for i in 0..<n {
                let endsOffGrid = reference[i].refractory > 0 && reference[i].refractory < dt - Refractory.epsilon
                if let h { model.advance(&reference[i], by: h, using: p) }
                if model.isAboveThreshold(reference[i], at: time) {
                    model.fire(&reference[i], at: time)
                    expected.append(UInt32(i))
                    if model.isAboveThreshold(reference[i], at: time) { repeated += 1 }
                    if endsOffGrid && h != nil { offGridFires += 1 }
                }
            }
            var fired = ContiguousArray<UInt32>()
            model.stepLanes(
                lanes, stride: n, count: n, advancingBy: h, using: p, at: time, scratch: &scratch, fired: &fired)
            #expect(Array(fired) == expected, "round \(round)")
            totalFired += expected.count
            let current = (0..<n).map { model.state(inLanes: lanes, stride: n, at: $0) }
            #expect(current == reference, "round \(round)")
            // Inputs between steps, added to the input lanes as the engine delivers them.
            for i in Swift.stride(from: 0, to: n, by: 7) {
                lanes[model.inputLane(receptor: Receptor.excitatory) * n + i] += 0.9
                model.receive(&reference[i], weight: 0.9, receptor: Receptor.excitatory, at: time)
                lanes[model.inputLane(receptor: Receptor.inhibitory) * n + i] += -0.4
                model.receive(&reference[i], weight: -0.4, receptor: Receptor.inhibitory, at: time)
            }
        }
        // The comparison covered spikes (hence refractory periods) in every larger case.
        #expect(n < 64 || totalFired > n / 10)
        if vReset > -50.1 { #expect(offGridFires > 0) }
        if reset == .bySubtraction { #expect(repeated > 0) }
    }

    /// A neuron whose refractory period ends inside the step can reach threshold by its end
    /// although free evolution over the whole step (the vector pass) stays below: a fast
    /// inhibitory current (τ_inh = 0.05 ms) that the clamped part lets decay. Its block is flagged
    /// by the correction pass alone, and it fires in the same step as neuron by neuron.
    @Test("LIF-exp stepLanes fires a neuron that leaves refractoriness inside the step")
    func offGridEndReachesThreshold() {
        let model = LIFExp(tauM: 20, tauSynExc: 1, tauSynInh: 0.05, vRest: -49, vReset: -50.02, vThreshold: -50, tRef: 5)
        let dt = 0.1, n = 8
        let p = model.propagator(over: dt)
        var states = Array(repeating: LIFExp.State(v: -55, iExc: 0, iInh: 0, refractory: 0), count: n)
        states[5] = LIFExp.State(v: -50.02, iExc: 20, iInh: -40, refractory: 0.03)
        var freeOnly = states[5]
        freeOnly.refractory = 0
        model.advance(&freeOnly, by: dt, using: p)
        #expect(freeOnly.v < model.vThreshold, "free evolution alone must not flag the block")
        var reference = states[5]
        model.advance(&reference, by: dt, using: p)
        #expect(model.isAboveThreshold(reference, at: dt))
        let lanes = UnsafeMutablePointer<Double>.allocate(capacity: 4 * n)
        defer { lanes.deallocate() }
        for (i, s) in states.enumerated() { model.store(s, inLanes: lanes, stride: n, at: i) }
        var scratch = LaneScratch<LIFExp.State>()
        var fired = ContiguousArray<UInt32>()
        model.stepLanes(lanes, stride: n, count: n, advancingBy: dt, using: p, at: dt, scratch: &scratch, fired: &fired)
        #expect(Array(fired) == [5])
        model.fire(&reference, at: dt)
        #expect(model.state(inLanes: lanes, stride: n, at: 5) == reference)
    }

    @Test("Stepped CUBA-like network: lane storage gives the plain path's spike trains bit for bit", arguments: [5.0, 2.05])
    func engineIdentity(tRef: Double) throws {
        func build<M: NeuronModel>(_ model: M) throws -> (Network, [PopulationID]) {
            var rng = Xoshiro256(seed: 5, stream: 1)
            var net = Network()
            let exc = try net.addPopulation("exc", size: 161, model: model, initialPotentials: (0..<161).map { _ in -60 + 10.5 * rng.uniform() })
            let inh = try net.addPopulation("inh", size: 39, model: model, initialPotentials: (0..<39).map { _ in -60 + 10.5 * rng.uniform() })
            let drive = try net.addPoissonSource("drive", rates: Array(repeating: 30, count: 20), seed: 3)
            var seed: UInt64 = 10
            for (source, w, r) in [(exc, 1.62, 0), (inh, -9.0, 1)] {
                for target in [exc, inh] {
                    seed += 1
                    try net.connect(source, to: target, pattern: .fixedProbability(0.1), weight: .constant(w), delay: .uniform(0.1, 2), receptor: r, seed: seed)
                }
            }
            try net.connect(drive, to: exc, pattern: .fixedProbability(0.2), weight: .constant(2), delay: .constant(1), receptor: 0, seed: 99)
            return (net, [exc, inh])
        }
        let lif = LIFExp(tauM: 20, tauSynExc: 5, tauSynInh: 10, vRest: -49, vReset: -60, vThreshold: -50, tRef: tRef)
        let (laneNet, laneIDs) = try build(lif)
        let (plainNet, plainIDs) = try build(Plain(base: lif))
        let laneSim = try TimeSteppedSimulator(network: laneNet, dt: 0.1)
        let plainSim = try TimeSteppedSimulator(network: plainNet, dt: 0.1)
        try laneSim.run(until: 500)
        try plainSim.run(until: 500)
        var total = 0
        for (a, b) in zip(laneIDs, plainIDs) {
            let x = try laneSim.spikes(of: a), y = try plainSim.spikes(of: b)
            #expect(x.neurons == y.neurons)
            #expect(x.times == y.times)
            total += x.neurons.count
        }
        #expect(total > 200)
        // The full state of every neuron (161 and 39 are not whole 64-byte lines of lanes: the lanes'
        // stride is padded, and reading a state must step by it).
        for (a, b) in zip(laneIDs, plainIDs) {
            let size = laneNet.populations[a.index].size
            let same = try (0..<size).allSatisfy { i in
                try laneSim.state(of: a, neuron: i, as: LIFExp.self) == plainSim.state(of: b, neuron: i, as: Plain<LIFExp>.self)
            }
            #expect(same, "population \(a.index): lane and plain states differ")
        }
        // Reset restores the initial lanes: a second run repeats the first.
        let first = try laneSim.spikes(of: laneIDs[0])
        laneSim.reset()
        try laneSim.run(until: 500)
        #expect(try laneSim.spikes(of: laneIDs[0]).times == first.times)
    }
}
