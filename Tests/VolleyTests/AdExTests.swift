import Foundation
import Testing

@testable import Volley

/// `AdEx` (NEST `aeif_psc_exp`): both engines against a tight-tolerance reference integration.
@Suite("Adaptive exponential integrate-and-fire (AdEx)")
struct AdExTests {
    @Test("Event-driven spike times under constant current equal the reference (tolerance 1e-12) to ≤ 1e-6 ms over 1 s; spike-frequency adaptation shows")
    func constantCurrent() throws {
        let model = AdEx(iE: 1000)
        let reference = model.referenceSpikeTimes(until: 1000)
        let (net, _, neuron) = try drivenNetwork(model: model, trains: [[]], synapses: [])
        let sim = try EventDrivenSimulator(network: net)
        try sim.run(until: 1000)
        let times = try sim.spikes(of: neuron).times
        #expect(times.count == reference.count && reference.count > 10, "\(times.count) vs \(reference.count) spikes: \(times.prefix(3)) vs \(reference.prefix(3))")
        let worst = zip(times, reference).map { abs($0 - $1) }.max() ?? .infinity
        #expect(worst <= 1e-6, "worst spike-time difference \(worst) ms")
        // Adaptation: the first interval is shorter than the last.
        #expect(reference[1] - reference[0] < reference[reference.count - 1] - reference[reference.count - 2])
    }

    @Test("Synaptic input: exponential currents on both receptors, applied at their exact arrival times")
    func synapticInput() throws {
        let model = AdEx(tRef: 2, iE: 500)
        let train = (0..<60).map { 5 + Double($0) * 3.3 }
        let inputs = train.map { (time: $0 + 0.5, weight: 6000.0, receptor: 0) }
        let reference = model.referenceSpikeTimes(until: 250, inputs: inputs)
        let (net, _, neuron) = try drivenNetwork(model: model, trains: [train], synapses: [Synapse(source: 0, target: 0, weight: 6000, delay: 0.5)])
        let sim = try EventDrivenSimulator(network: net)
        try sim.run(until: 250)
        let times = try sim.spikes(of: neuron).times
        #expect(times.count == reference.count && reference.count > 3, "\(times.count) vs \(reference.count)")
        for (t, r) in zip(times, reference) { #expect(abs(t - r) <= 1e-6, "\(t) vs \(r)") }
    }

    @Test("Time-stepped engine: adaptive integration resets at the crossing and fires at the first grid point after each reference spike; forward Euler is refused by the event-driven engine")
    func timeStepped() throws {
        let model = AdEx(iE: 1000)
        let reference = model.referenceSpikeTimes(until: 300)
        let first = reference[0]
        let (net, _, neuron) = try drivenNetwork(model: model, trains: [[]], synapses: [])
        let stepped = try TimeSteppedSimulator(network: net, dt: 0.1)
        try stepped.run(until: 300)
        let times = try stepped.spikes(of: neuron).times
        #expect(times.count == reference.count && reference.count > 5)
        for (t, r) in zip(times, reference) { #expect(abs(t - (r / 0.1).rounded(.up) * 0.1) < 1e-9, "\(t) vs reference \(r)") }
        var euler = model
        euler.integration = .forwardEuler
        let (eulerNet, _, eulerNeuron) = try drivenNetwork(model: euler, trains: [[]], synapses: [])
        #expect { try EventDrivenSimulator(network: eulerNet) } throws: { "\($0)".contains("forward Euler") }
        let eulerRun = try TimeSteppedSimulator(network: eulerNet, dt: 0.01)
        try eulerRun.run(until: 200)
        #expect(abs(try eulerRun.spikes(of: eulerNeuron).times[0] - first) < 0.5)
    }

    @Test("Bad parameters are typed errors naming them")
    func invalidParameters() {
        #expect { try AdEx(deltaT: -1).validate() } throws: { "\($0)".contains("deltaT") }
        #expect { try AdEx(tauW: 0).validate() } throws: { "\($0)".contains("tauW") }
        #expect { try AdEx(cM: .nan).validate() } throws: { "\($0)".contains("cM") }
        #expect { try AdEx(vReset: 5).validate() } throws: { "\($0)".contains("vReset") }
        // A vPeak the exponential cannot reach without overflowing: V would diverge numerically.
        #expect { try AdEx(deltaT: 0.01, vPeak: 0).validate() } throws: { "\($0)".contains("vPeak") && "\($0)".contains("overflows") }
        #expect(throws: Never.self) { try AdEx(deltaT: 2, vPeak: 0).validate() }
        #expect { try AdEx(integration: .adaptive(ODETolerance(absolute: ODEState(repeating: 1e-9), relative: 0))).validate() } throws: {
            "\($0)".contains("relativeTolerance")
        }
    }
}

