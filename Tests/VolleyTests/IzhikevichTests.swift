import Foundation
import Testing

@testable import Volley

/// `Izhikevich` (NEST `izhikevich`): both engines against a tight-tolerance reference integration.
@Suite("Izhikevich simple model")
struct IzhikevichTests {
    @Test("Event-driven spike times equal the reference (tolerance 1e-12) to ≤ 1e-6 ms over 1 s: regular spiking and chattering", arguments: [
        (0.02, 0.2, -65.0, 8.0, 10.0), (0.02, 0.2, -50.0, 2.0, 10.0),
    ])
    func constantCurrent(a: Double, b: Double, c: Double, d: Double, current: Double) throws {
        let model = Izhikevich(a: a, b: b, c: c, d: d, iE: current)
        let reference = model.referenceSpikeTimes(until: 1000)
        let (net, _, neuron) = try drivenNetwork(model: model, trains: [[]], synapses: [])
        let sim = try EventDrivenSimulator(network: net)
        try sim.run(until: 1000)
        let times = try sim.spikes(of: neuron).times
        #expect(times.count == reference.count && reference.count > 10, "\(times.count) vs \(reference.count)")
        let worst = zip(times, reference).map { abs($0 - $1) }.max() ?? .infinity
        #expect(worst <= 1e-6, "worst spike-time difference \(worst) ms")
    }

    @Test("Delta inputs jump v at their exact arrival times")
    func deltaInputs() throws {
        let model = Izhikevich(iE: 4)
        let train = (0..<40).map { 10 + Double($0) * 4.1 }
        let reference = model.referenceSpikeTimes(until: 200, inputs: train.map { (time: $0 + 1, weight: 10.0, receptor: 0) })
        let (net, _, neuron) = try drivenNetwork(model: model, trains: [train], synapses: [Synapse(source: 0, target: 0, weight: 10, delay: 1)])
        let sim = try EventDrivenSimulator(network: net)
        try sim.run(until: 200)
        let times = try sim.spikes(of: neuron).times
        #expect(times.count == reference.count && reference.count > 2, "\(times.count) vs \(reference.count)")
        for (t, r) in zip(times, reference) { #expect(abs(t - r) <= 1e-6, "\(t) vs \(r)") }
    }

    @Test("Forward Euler (NEST's scheme) in the time-stepped engine: the first spike's error shrinks about linearly with dt")
    func eulerConvergence() throws {
        let exact = Izhikevich(iE: 10)
        let first = exact.referenceSpikeTimes(until: 100)[0]
        var model = exact
        model.integration = .forwardEuler
        let (net, _, neuron) = try drivenNetwork(model: model, trains: [[]], synapses: [])
        var errors: [Double] = []
        for dt in [0.1, 0.05, 0.025, 0.0125] {
            let sim = try TimeSteppedSimulator(network: net, dt: dt)
            try sim.run(until: 100)
            errors.append(abs(try sim.spikes(of: neuron).times[0] - first))
        }
        #expect(errors[0] > errors[3] * 4, "\(errors)")
        #expect(errors[3] < 0.5, "\(errors)")
    }

    @Test("Bad parameters are typed errors naming them")
    func invalidParameters() {
        #expect { try Izhikevich(c: 40).validate() } throws: { "\($0)".contains("vTh") }
        #expect { try Izhikevich(a: .infinity).validate() } throws: { "\($0)".contains("a") }
    }

    @Test("A neuron whose v overflows before reaching vTh stops the run with an error naming it and the interval, in both engines")
    func divergenceIsReported() throws {
        // v′ = 0.04v² + … reaches infinity in finite time; a peak of 1e200 mV is never reached
        // by a finite Double (v² overflows first), so the integration gives up.
        let model = Izhikevich(vTh: 1e200, iE: 10)
        let (net, _, _) = try drivenNetwork(model: model, neurons: 3, trains: [[]], synapses: [])
        let event = try EventDrivenSimulator(network: net)
        let stepped = try TimeSteppedSimulator(network: net, dt: 0.1)
        for sim in [event, stepped] as [Simulator] {
            #expect { try sim.run(until: 100) } throws: { error in
                guard case VolleyError.diverged(let message) = error else { return false }
                return message.contains("neuron 0 of population 'output'") && message.contains("between t = 0.0 ms and t = 100.0 ms")
            }
            sim.reset()
            #expect(throws: Never.self) { try sim.run(until: 1) }  // reset() restores the neurons
        }
        // The same model with the usual peak runs.
        let (fine, _, _) = try drivenNetwork(model: Izhikevich(iE: 10), neurons: 3, trains: [[]], synapses: [])
        #expect(throws: Never.self) { try EventDrivenSimulator(network: fine).run(until: 100) }
    }
}
