import Foundation
import Testing

@testable import Volley

/// `ConductanceLIF`: the step scheme against closed forms and a fine-step reference, the reversal
/// bounds, threshold adaptation and refractoriness in the time-stepped engine, and the errors for
/// what it cannot do (event-driven engine, negative conductances).
@Suite("Conductance-based LIF")
struct ConductanceLIFTests {
    static let model = ConductanceLIF(
        tauM: 100, vRest: -65, vReset: -65, vThreshold: -52, tRef: 5, eExc: 0, eInh: -100,
        tauSynExc: 1, tauSynInh: 2, thetaPlus: 0.05, tauTheta: 1e7)

    /// V(T) from (v0, gExc, gInh) with no input, by classical RK4 at step 1e-4 ms (error ~1e-14 mV).
    static func referenceV(_ m: ConductanceLIF, v0: Double, gExc: Double, gInh: Double, until T: Double) -> Double {
        func rhs(_ v: Double, _ ge: Double, _ gi: Double) -> (Double, Double, Double) {
            (((m.vRest - v) + ge * (m.eExc - v) + gi * (m.eInh - v)) / m.tauM, -ge / m.tauSynExc, -gi / m.tauSynInh)
        }
        let steps = Int((T / 1e-4).rounded())
        let h = T / Double(steps)
        var (v, ge, gi) = (v0, gExc, gInh)
        for _ in 0..<steps {
            let k1 = rhs(v, ge, gi)
            let k2 = rhs(v + h / 2 * k1.0, ge + h / 2 * k1.1, gi + h / 2 * k1.2)
            let k3 = rhs(v + h / 2 * k2.0, ge + h / 2 * k2.1, gi + h / 2 * k2.2)
            let k4 = rhs(v + h * k3.0, ge + h * k3.1, gi + h * k3.2)
            v += h / 6 * (k1.0 + 2 * k2.0 + 2 * k3.0 + k4.0)
            ge += h / 6 * (k1.1 + 2 * k2.1 + 2 * k3.1 + k4.1)
            gi += h / 6 * (k1.2 + 2 * k2.2 + 2 * k3.2 + k4.2)
        }
        return v
    }

    /// V(T) by the model's scheme at step h.
    static func schemeV(_ m: ConductanceLIF, v0: Double, gExc: Double, gInh: Double, until T: Double, h: Double) -> Double {
        var s = ConductanceLIF.State(v: v0, gExc: gExc, gInh: gInh)
        let p = m.propagator(over: h)
        for _ in 0..<Int((T / h).rounded()) { m.advance(&s, by: h, using: p) }
        return s.v
    }

    @Test("without conductance V relaxes exactly: V(t) = vRest + (V₀ − vRest)·e^(−t/τm)")
    func leakIsExact() {
        let m = Self.model
        for h in [0.1, 0.5, 1.0] {
            let v = Self.schemeV(m, v0: -40, gExc: 0, gInh: 0, until: 50, h: h)
            #expect(abs(v - (-65 + 25 * exp(-50.0 / 100))) < 1e-11)
        }
    }

    @Test("a constant conductance (τ = 1e12 ms) gives the closed form V∞ + (V₀ − V∞)·e^(−(1+g)t/τm)")
    func constantConductanceIsExact() {
        var m = Self.model
        m.tauSynExc = 1e12
        m.tauSynInh = 1e12
        let (ge, gi) = (0.7, 0.3)
        let total = 1 + ge + gi
        let vInf = (m.vRest + ge * m.eExc + gi * m.eInh) / total
        for h in [0.1, 0.5] {
            let v = Self.schemeV(m, v0: -65, gExc: ge, gInh: gi, until: 40, h: h)
            let exact = vInf + (-65 - vInf) * exp(-total * 40 / m.tauM)
            #expect(abs(v - exact) < 1e-9, "h = \(h): \(v) vs \(exact)")
        }
        // Tiny conductances take the branch that replaces e^(−a) by 1 − a (a = ḡh/τm < 1e-8):
        // still the closed form, to rounding. g = 1e-7 moves V by ≈ 6e-6 mV over 40 ms, far
        // above the 1e-11 tolerance, so dropping the conductance would fail.
        for g in [1e-7, 1.5e-6] {
            let vInfSmall = (m.vRest + g * m.eExc) / (1 + g)
            let v = Self.schemeV(m, v0: -65, gExc: g, gInh: 0, until: 40, h: 0.5)
            let exact = vInfSmall + (-65 - vInfSmall) * exp(-(1 + g) * 40 / m.tauM)
            #expect(abs(v - exact) < 1e-11, "g = \(g): \(v) vs \(exact)")
            #expect(abs(v - (-65)) > 1e-6)
        }
    }

    @Test("decaying conductances: the scheme converges to the RK4 reference as O(h²)")
    func secondOrderConvergence() {
        let m = Self.model
        // A strong excitatory and an inhibitory conductance decaying over a few ms, as after a
        // volley of input spikes and lateral inhibition in Diehl & Cook's network.
        for (ge, gi) in [(4.0, 0.0), (3.0, 8.0), (0.5, 30.0)] {
            let reference = Self.referenceV(m, v0: -60, gExc: ge, gInh: gi, until: 8)
            let errors = [0.5, 0.25, 0.125, 0.0625].map { abs(Self.schemeV(m, v0: -60, gExc: ge, gInh: gi, until: 8, h: $0) - reference) }
            #expect(errors[0] < 0.05, "g = (\(ge), \(gi)): error \(errors[0]) mV at h = 0.5 ms")
            for k in 1..<errors.count {
                let order = log2(errors[k - 1] / errors[k])
                #expect(order > 1.8 && order < 2.2, "g = (\(ge), \(gi)): observed order \(order) (errors \(errors))")
            }
        }
    }

    @Test("V stays between the reversal potentials whatever the conductance")
    func reversalBounds() {
        let m = Self.model
        let p = m.propagator(over: 0.5)
        var up = ConductanceLIF.State(v: -65, gExc: 1e6)
        var down = ConductanceLIF.State(v: -65, gInh: 1e6)
        for _ in 0..<4 {
            m.advance(&up, by: 0.5, using: p)
            m.advance(&down, by: 0.5, using: p)
            #expect(up.v <= m.eExc && up.v > -65)
            #expect(down.v >= m.eInh && down.v < -65)
        }
        // After the first step the potential sits within 1e-3 mV of the reversal potential.
        #expect(abs(up.v - m.eExc) < 1e-3 * 65)
        #expect(abs(down.v - m.eInh) < 1e-3 * 35)
    }

    @Test("time-stepped engine: spikes clamp V to vReset for tRef, raise θ by thetaPlus, and θ decays with τθ")
    func adaptationAndRefractoriness() throws {
        var m = Self.model
        m.tauTheta = 200  // short enough to see the decay
        m.thetaPlus = 1
        // A strong input every 10 ms drives the neuron over threshold repeatedly.
        let train = stride(from: 1.0, to: 200, by: 10).map { $0 }
        let (net, _, out) = try drivenNetwork(
            model: m, trains: [train], synapses: [Synapse(source: 0, target: 0, weight: 20, delay: 0.5)])
        let sim = try TimeSteppedSimulator(network: net, dt: 0.1)
        try sim.recordPotentials(of: out, neurons: [0], every: 0.1)
        try sim.run(until: 250)
        let spikes = try sim.spikes(of: out).times
        #expect(spikes.count >= 5, "\(spikes.count) spikes")
        // θ at the end: Σ thetaPlus·e^(−(T − t_k)/τθ) over the spikes, up to step rounding.
        let theta = try sim.state(of: out, neuron: 0, as: ConductanceLIF.self).theta
        let expected = spikes.reduce(0) { $0 + exp(-(250 - $1) / 200) }
        #expect(abs(theta - expected) < 1e-9 * expected, "θ \(theta) vs \(expected)")
        // V is vReset at every sample within (t_spike, t_spike + tRef).
        let rec = sim.stateRecordings[0]
        for t in spikes {
            for (time, v) in zip(rec.times, rec.potentials[0]) where time > t + 0.05 && time < t + m.tRef - 0.05 {
                #expect(v == m.vReset, "V = \(v) at \(time) ms, \(time - t) ms after a spike")
            }
        }
        // The threshold rose: later inter-spike intervals are not shorter than the first.
        #expect(spikes.count >= 3 && spikes[2] - spikes[1] >= spikes[1] - spikes[0] - 1e-9)
    }

    @Test("the event-driven engine rejects the model, naming the population and the model")
    func eventDrivenRejects() throws {
        let (net, _, _) = try drivenNetwork(model: Self.model, trains: [[1]], synapses: [Synapse(source: 0, target: 0, weight: 1, delay: 1)])
        do {
            _ = try EventDrivenSimulator(network: net)
            Issue.record("the event-driven engine accepted a conductance-based population")
        } catch let error as VolleyError {
            guard case let .unsupported(message) = error else {
                Issue.record("wrong error \(error)")
                return
            }
            #expect(message.contains("'output'") && message.contains("conductance_lif") && message.contains("integrated()"))
        }
    }

    @Test("integrated(): the same equations in the event-driven engine — θ and the refractory clamp exact, the step scheme converging to its spike times, the reference matched to 1e-6 ms")
    func integratedEventDriven() throws {
        var m = Self.model
        (m.tauTheta, m.thetaPlus) = (200, 1)
        let train = stride(from: 1.0, to: 200, by: 10).map { $0 }
        let (net, _, out) = try drivenNetwork(
            model: m.integrated(), trains: [train], synapses: [Synapse(source: 0, target: 0, weight: 20, delay: 0.5)])
        let sim = try EventDrivenSimulator(network: net)
        try sim.recordPotentials(of: out, neurons: [0], every: 0.1)
        try sim.run(until: 250)
        let spikes = try sim.spikes(of: out).times
        #expect(spikes.count >= 5, "\(spikes.count) spikes")
        let theta = try sim.state(of: out, neuron: 0, as: LIFCondExp.self).y[3]
        let expected = spikes.reduce(0) { $0 + exp(-(250 - $1) / 200) }
        #expect(abs(theta - expected) < 1e-9 * expected, "θ \(theta) vs \(expected)")
        let rec = sim.stateRecordings[0]
        for t in spikes {
            for (time, v) in zip(rec.times, rec.potentials[0]) where time > t + 1e-9 && time < t + m.tRef - 1e-9 {
                #expect(v == m.vReset, "V = \(v) at \(time) ms, \(time - t) ms after a spike")
            }
        }
        // The step scheme (time-stepped `ConductanceLIF`) puts each spike on the grid step after
        // the integrated crossing: same count, error below two steps, shrinking with dt.
        var errors: [Double] = []
        for dt in [0.01, 0.001] {
            let (steppedNet, _, steppedOut) = try drivenNetwork(
                model: m, trains: [train], synapses: [Synapse(source: 0, target: 0, weight: 20, delay: 0.5)])
            let stepped = try TimeSteppedSimulator(network: steppedNet, dt: dt)
            try stepped.run(until: 250)
            let grid = try stepped.spikes(of: steppedOut).times
            #expect(grid.count == spikes.count, "dt \(dt): \(grid.count) vs \(spikes.count) spikes")
            errors.append(zip(grid, spikes).map { abs($0 - $1) }.max() ?? .infinity)
            #expect(errors.last! <= 2 * dt, "dt \(dt): worst \(errors.last!) ms")
        }
        #expect(errors[1] < errors[0], "\(errors)")
        // Against the independent reference (tolerance 1e-12), with inhibition as well.
        let run = try DrivenReferenceRun(
            m.integrated(), excitatory: train, inhibitory: [30, 95, 160], weights: (20, 5), until: 250, dts: [])
        #expect(run.event.count == run.reference.count && run.reference.count >= 5)
        for (t, r) in zip(run.event, run.reference) { #expect(abs(t - r) <= 1e-6, "\(t) vs \(r)") }
    }

    @Test("negative weights onto conductances are rejected with the value named")
    func negativeConductanceRejected() throws {
        #expect(throws: VolleyError.invalidWeight(
            value: -0.5,
            context: "synapse 0 of projection 'input→output': conductance_lif weights are conductances and must be ≥ 0")
        ) {
            _ = try drivenNetwork(model: Self.model, trains: [[1]], synapses: [Synapse(source: 0, target: 0, weight: -0.5, delay: 1)])
        }
        // Also through weight replacement, and through an STDP rule whose lower bound is negative.
        var (net, _, _) = try drivenNetwork(model: Self.model, trains: [[1]], synapses: [Synapse(source: 0, target: 0, weight: 0.5, delay: 1)])
        let projection = net.projections[0].id
        #expect(throws: VolleyError.self) { try net.setWeights([-1], of: projection) }
        #expect(throws: VolleyError.self) { try net.setPlasticity(.stdp(STDPRule(wMin: -1, wMax: 1)), for: projection) }
        try net.setPlasticity(.stdp(STDPRule(wMin: 0, wMax: 1)), for: projection)
        let sim = try TimeSteppedSimulator(network: net, dt: 0.1)
        #expect(throws: VolleyError.self) { try sim.setWeights([-2], of: projection) }
        try sim.setWeights([0.25], of: projection)
        #expect(try sim.weights(of: projection) == [0.25])
    }

    @Test("parameter validation names the offending parameter")
    func validation() throws {
        var m = Self.model
        m.tauTheta = .infinity
        try m.validate()
        for (name, change) in [
            ("tauTheta", { (m: inout ConductanceLIF) in m.tauTheta = .nan }),
            ("tauTheta", { (m: inout ConductanceLIF) in m.tauTheta = 0 }),
            ("tauM", { (m: inout ConductanceLIF) in m.tauM = -1 }),
            ("vReset", { (m: inout ConductanceLIF) in m.vReset = -120 }),
            ("eExc", { (m: inout ConductanceLIF) in m.eExc = -60 }),
            ("eInh", { (m: inout ConductanceLIF) in m.eInh = -40 }),
            ("thetaPlus", { (m: inout ConductanceLIF) in m.thetaPlus = -1 }),
        ] {
            var bad = Self.model
            change(&bad)
            do {
                try bad.validate()
                Issue.record("\(name) accepted")
            } catch let VolleyError.invalidParameter(parameter, _, _) {
                #expect(parameter == name)
            }
        }
    }
}
