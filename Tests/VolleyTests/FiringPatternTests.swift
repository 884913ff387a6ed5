import Foundation
import Testing

@testable import Volley

/// `FiringPattern`: the classifier on constructed spike trains, and the published AdEx and
/// Izhikevich patterns reproduced by the event-driven engine.
@Suite("Firing patterns (Naud et al. 2008, Izhikevich 2003)")
struct FiringPatternTests {
    /// Spike times from a list of ISIs after a first spike at `first` ms.
    func train(first: Double, _ isi: [Double]) -> [Double] {
        isi.reduce(into: [first]) { $0.append($0.last! + $1) }
    }

    @Test("Constructed trains fall into the pattern their ISIs describe")
    func constructed() {
        let tonic = train(first: 5, Array(repeating: 10, count: 50))
        #expect(FiringPattern.classify(tonic, duration: 520) == .tonic)
        let adapting = train(first: 5, (0..<20).map { 10 * pow(1.1, Double($0)) })
        #expect(FiringPattern.classify(adapting, duration: 600) == .adapting)
        let burst = train(first: 5, [3, 3] + Array(repeating: 40, count: 12))
        #expect(FiringPattern.classify(burst, duration: 500) == .initialBurst)
        let bursting = train(first: 5, Array(repeating: [3.0, 3, 3, 100], count: 5).flatMap { $0 })
        #expect(FiringPattern.classify(bursting, duration: 530) == .regularBursting)
        let irregular = train(first: 5, [3, 3, 80, 3, 140, 3, 3, 3, 60, 3, 100])
        #expect(FiringPattern.classify(irregular, duration: 420) == .irregular)
        let delayed = train(first: 80, (0..<30).map { 20 * pow(0.97, Double($0)) })
        #expect(FiringPattern.classify(delayed, duration: 520) == .delayedAccelerating)
        #expect(FiringPattern.classify([10, 20, 30], duration: 500) == .transient)
        #expect(FiringPattern.classify([], duration: 500) == .silent)
        #expect(FiringPattern.features(of: adapting).adaptationIndex! > 0.04)
    }

    @Test("The Naud et al. (2008) AdEx patterns, 600 ms steps in the event-driven engine", arguments: [
        ("tonic", 200.0, 10.0, -70.0, 2.0, 30.0, 0.0, -58.0, 500.0, FiringPattern.tonic),
        ("adapting", 200, 12, -70, 2, 300, 60, -58, 500, .adapting),
        ("initial burst", 130, 18, -58, 4, 150, 120, -50, 400, .initialBurst),
        ("regular bursting", 200, 10, -58, 2, 120, 100, -46, 210, .regularBursting),
        ("delayed accelerating", 200, 12, -70, -10, 300, 0, -58, 300, .delayedAccelerating),
        ("irregular", 100, 12, -60, -11, 130, 30, -48, 160, .irregular),
    ])
    func naud(name: String, c: Double, gL: Double, eL: Double, a: Double, tauW: Double, b: Double, vR: Double, current: Double, expected: FiringPattern) throws {
        let model = AdEx(cM: c, gL: gL, eL: eL, vT: -50, deltaT: 2, a: a, b: b, tauW: tauW, vReset: vR, vPeak: 0, iE: current)
        var net = Network()
        let neuron = try net.addPopulation("adex", size: 1, model: model)
        let sim = try EventDrivenSimulator(network: net)
        try sim.run(until: 600)
        let times = try sim.spikes(of: neuron).times
        #expect(FiringPattern.classify(times, duration: 600) == expected, "\(name): \(FiringPattern.features(of: times))")
    }

    @Test("Izhikevich (2003) cell classes under a step of 10", arguments: [
        (0.02, 0.2, -65.0, 8.0, FiringPattern.adapting), (0.02, 0.2, -55, 4, .initialBurst), (0.02, 0.2, -50, 2, .regularBursting),
        (0.1, 0.2, -65, 2, .tonic), (0.02, 0.25, -65, 2, .adapting),
    ])
    func izhikevich(a: Double, b: Double, c: Double, d: Double, expected: FiringPattern) throws {
        var net = Network()
        let neuron = try net.addPopulation("izh", size: 1, model: Izhikevich(a: a, b: b, c: c, d: d, iE: 10))
        let sim = try EventDrivenSimulator(network: net)
        try sim.run(until: 600)
        let times = try sim.spikes(of: neuron).times
        #expect(FiringPattern.classify(times, duration: 600) == expected, "\(FiringPattern.features(of: times))")
    }
}
