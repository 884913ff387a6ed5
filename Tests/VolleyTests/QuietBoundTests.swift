import Foundation
import Testing

@testable import Volley

/// Quiet bounds (NeuronModel.canStayQuiet, LIF-exp): the per-input peak response and the bound on
/// V − θ against dense scans, and whole event-driven runs with and without them.
@Suite("Quiet bounds")
struct QuietBoundTests {
    /// V(s) − θ of the free evolution of `state`, on a grid of `steps` points over [0, horizon].
    func marginScan(_ model: LIFExp, _ state: LIFExp.State, horizon: Double, steps: Int = 20_000) -> Double {
        var worst = -Double.infinity
        for k in 0...steps {
            var s = state
            let h = horizon * Double(k) / Double(steps)
            if h > 0 { model.advance(&s, by: h) }
            worst = max(worst, s.v - model.vThreshold)
        }
        return worst
    }

    @Test("The peak response is the PSP's maximum (τ_syn below, equal to and above τm)")
    func peakResponse() {
        for (tauM, tauSyn) in [(20.0, 5.0), (20.0, 10.0), (10.0, 2.0), (10.0, 10.0), (5.0, 20.0)] {
            let model = LIFExp(tauM: tauM, tauSynExc: tauSyn, tauSynInh: tauSyn / 2, vRest: -60, vReset: -70, vThreshold: -50)
            // A unit current at s = 0 from rest: V − vRest is the unit PSP.
            let unit = LIFExp.State(v: -60, iExc: 1)
            let scanned = marginScan(model, unit, horizon: 10 * max(tauM, tauSyn), steps: 200_000) + 10
            let peak = model.peakResponse(receptor: Receptor.excitatory)
            #expect(peak >= scanned, "τm \(tauM), τs \(tauSyn): peak \(peak) below the scanned \(scanned)")
            #expect(peak - scanned <= 1e-8 * peak, "τm \(tauM), τs \(tauSyn): peak \(peak), scanned \(scanned)")
        }
    }

    @Test("The bound on V − θ is never below the free evolution's maximum, and exact without currents")
    func marginBoundHolds() {
        var rng = Xoshiro256(seed: 21)
        for vRest in [-52.0, -49.0] {
            let model = LIFExp(tauM: 20, tauSynExc: 5, tauSynInh: 10, vRest: vRest, vReset: -60, vThreshold: -50, tRef: 5)
            for k in 0..<300 {
                let s = LIFExp.State(
                    v: -62 + 14 * rng.uniform(), iExc: k % 4 == 0 ? 0 : 12 * rng.uniform(),
                    iInh: k % 3 == 0 ? 4 * rng.uniform() : -20 * rng.uniform())
                let bound = model.marginBound(of: s)
                let scanned = marginScan(model, s, horizon: 200)
                #expect(bound >= scanned - 1e-12, "\(s): bound \(bound) below the scanned \(scanned)")
            }
            // Without currents V relaxes monotonically: above V∞ the maximum is V − θ at s = 0.
            let relaxing = LIFExp.State(v: vRest + 1.5)
            #expect(model.marginBound(of: relaxing) == relaxing.v - model.vThreshold)
            #expect(model.marginBound(of: LIFExp.State(v: -60, refractory: 1)) == .infinity)
        }
        #expect(LIFExp(tauM: 20, tauSynExc: 5, tauSynInh: 10, vRest: -52, vThreshold: -50).canStayQuiet)
        #expect(!LIFExp(tauM: 20, tauSynExc: 5, tauSynInh: 10, vRest: -49, vThreshold: -50).canStayQuiet)
        #expect(!LIFExp(tauM: 20, tauSynExc: 20, tauSynInh: 10, vRest: -52, vThreshold: -50).canStayQuiet)
    }

    /// Poisson inputs onto 200 neurons 2 mV below threshold (E_L −52 mV), recurrently connected;
    /// strong enough that many of them fire.
    func quietNetwork<M: NeuronModel>(seed: UInt64, model: M) throws -> (Network, PopulationID) {
        var net = Network()
        let exc = try net.addPoissonSource("exc_in", rates: Array(repeating: 15, count: 100), seed: seed)
        let inh = try net.addPoissonSource("inh_in", rates: Array(repeating: 10, count: 25), seed: seed + 1)
        var rng = Xoshiro256(seed: seed, stream: 3)
        let v0 = (0..<200).map { _ in -60 + 9.9 * rng.uniform() }
        let quiet = try net.addPopulation("quiet", size: 200, model: model, initialPotentials: v0)
        try net.connect(exc, to: quiet, pattern: .fixedProbability(0.1), weight: .uniform(0, 4), delay: .uniform(0.1, 3), receptor: 0, seed: seed + 2)
        try net.connect(inh, to: quiet, pattern: .fixedProbability(0.2), weight: .constant(-6), delay: .constant(0.5), receptor: 1, seed: seed + 3)
        try net.connect(quiet, to: quiet, pattern: .fixedProbability(0.05), weight: .constant(2), delay: .constant(0.2), receptor: 0, seed: seed + 4)
        return (net, quiet)
    }

    let model = LIFExp(tauM: 20, tauSynExc: 5, tauSynInh: 10, vRest: -52, vReset: -60, vThreshold: -50, tRef: 5)

    /// Runs `build`'s network for 1 s three ways — with quiet bounds, without them (`EpochOnly`),
    /// and with per-neuron advances (`Plain`: no epoch form, no bounds) — and checks that all three give
    /// the same spikes (times within 1e-9 ms) and that the bounds saved predictions. Returns the
    /// runs with and without bounds for further checks.
    func compareWithAndWithoutBounds(
        seed: UInt64, _ build: (UInt64, any NeuronModel) throws -> (Network, PopulationID)
    ) throws -> (bounded: EventDrivenSimulator, plain: EventDrivenSimulator) {
        let (net, quiet) = try build(seed, model)
        let bounded = try EventDrivenSimulator(network: net)
        #expect(bounded.kernels[quiet.index]?.runtime.states is EpochPopulation<LIFExp, WithQuietBounds<LIFExp>>)
        let (plainNet, plainQuiet) = try build(seed, EpochOnly(base: model))
        let plain = try EventDrivenSimulator(network: plainNet)
        #expect(plain.kernels[plainQuiet.index]?.runtime.states is EpochPopulation<EpochOnly<LIFExp>, WithoutQuietBounds<EpochOnly<LIFExp>>>)
        let (referenceNet, referenceQuiet) = try build(seed, Plain(base: model))
        let reference = try EventDrivenSimulator(network: referenceNet)
        for sim in [bounded, plain, reference] { try sim.run(until: 1000) }
        let a = try bounded.spikes(of: quiet), b = try plain.spikes(of: plainQuiet), c = try reference.spikes(of: referenceQuiet)
        #expect(a.neurons.count > 200, "seed \(seed): only \(a.neurons.count) spikes")
        #expect(a.neurons == b.neurons)
        #expect(a.neurons == c.neurons)
        let gap = zip(a.times, b.times).map { abs($0 - $1) }.max() ?? 0
        #expect(gap <= 1e-9, "seed \(seed): largest spike-time difference \(gap) ms")
        let gapToReference = zip(a.times, c.times).map { abs($0 - $1) }.max() ?? 0
        #expect(gapToReference <= 1e-9, "seed \(seed): largest difference to per-neuron advances \(gapToReference) ms")
        #expect(bounded.counters.synapticEvents == plain.counters.synapticEvents)
        #expect(bounded.counters.neuronQueueUpdates < plain.counters.neuronQueueUpdates)
        return (bounded, plain)
    }

    @Test("Whole runs: quiet bounds change no spike and save predictions and wake-ups")
    func runsWithAndWithout() throws {
        for seed: UInt64 in [4, 17] {
            let (bounded, plain) = try compareWithAndWithoutBounds(seed: seed) { try quietNetwork(seed: $0, model: $1) }
            #expect(bounded.counters.wakeUps < plain.counters.wakeUps)
        }
    }

    /// Delivery groups of 200 synapses onto 150 quiet neurons (multapses allowed): each group
    /// spans four chunks of `deliverEpochQuiet`'s two-pass loop, and most list some targets twice.
    func longGroupNetwork<M: NeuronModel>(seed: UInt64, model: M) throws -> (Network, PopulationID) {
        var net = Network()
        let exc = try net.addPoissonSource("exc_in", rates: Array(repeating: 12, count: 30), seed: seed)
        let inh = try net.addPoissonSource("inh_in", rates: Array(repeating: 10, count: 10), seed: seed + 1)
        var rng = Xoshiro256(seed: seed, stream: 5)
        let v0 = (0..<150).map { _ in -60 + 9.9 * rng.uniform() }
        let quiet = try net.addPopulation("quiet", size: 150, model: model, initialPotentials: v0)
        try net.connect(
            exc, to: quiet, pattern: .fixedOutDegree(200, allowMultapses: true), weight: .uniform(0, 1.6),
            delay: .constant(0.3), receptor: 0, seed: seed + 2)
        try net.connect(
            inh, to: quiet, pattern: .fixedOutDegree(120, allowMultapses: true), weight: .constant(-3),
            delay: .constant(0.5), receptor: 1, seed: seed + 3)
        try net.connect(
            quiet, to: quiet, pattern: .fixedProbability(0.05), weight: .constant(2), delay: .constant(0.2),
            receptor: 0, seed: seed + 4)
        return (net, quiet)
    }

    @Test("Long delivery groups with repeated targets: the two-pass quiet loop changes no spike")
    func longGroupsWithRepeats() throws {
        for seed: UInt64 in [6, 23] {
            _ = try compareWithAndWithoutBounds(seed: seed) { try longGroupNetwork(seed: $0, model: $1) }
        }
    }
}
