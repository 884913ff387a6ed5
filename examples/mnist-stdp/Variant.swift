import Volley

/// The two synapse variants of the example: weights scale by `gain` (60 for currents in mV, 1
/// for conductances), and the neuron models differ; everything else is shared. Conductance
/// neurons are `ConductanceLIF` (its step scheme) in the time-stepped engine and the same
/// equations integrated adaptively (`ConductanceLIF.integrated()`) in the event-driven engine.
struct Variant {
    let conductance: Bool
    /// Whether the networks run in the event-driven engine.
    var eventDriven = false
    /// θ_plus (mV per spike): their 0.05 by default, `--theta-plus`.
    var thetaPlus: Double = DC.thetaPlus
    /// The current variant's training model: `DC.excitatory` with this θ_plus as β.
    var currentExcitatory: AdaptiveLIF {
        AdaptiveLIF(membrane: DC.excitatory.membrane, beta: thetaPlus, tauAdapt: DC.excitatory.tauAdapt)
    }
    var gain: Double { conductance ? 1 : DC.gain }
    var defaultInhibition: Double { conductance ? DC.conductanceInhToExc : DC.inhToExc }
    var defaultInputTotal: Double { 78 * gain }
    var excToInh: Double { conductance ? DC.conductanceExcToInh : DC.excToInh }
    var weightUnit: String { conductance ? "leak conductance (conductance-based)" : "mV (current-based, R·I)" }

    func addExcitatory(_ net: inout Network, _ n: Int, frozen: Bool) throws -> PopulationID {
        guard conductance else {
            // Frozen: θ = β·a with β scaled down 1e6× (and a up 1e6×), so spikes no longer move θ.
            var model = currentExcitatory
            if frozen { model.beta *= 1e-6 }
            return try net.addPopulation("exc", size: n, model: model)
        }
        var model = DC.conductanceExcitatory
        model.thetaPlus = thetaPlus
        if frozen { (model.thetaPlus, model.tauTheta) = (0, .infinity) }
        let v0 = [Double](repeating: model.vRest + DC.initialDepolarisation, count: n)
        return try addConductance(&net, "exc", n, model, initialPotentials: frozen ? nil : v0)
    }

    private func addConductance(
        _ net: inout Network, _ name: String, _ n: Int, _ model: ConductanceLIF, initialPotentials: [Double]?
    ) throws -> PopulationID {
        eventDriven
            ? try net.addPopulation(name, size: n, model: model.integrated(), initialPotentials: initialPotentials)
            : try net.addPopulation(name, size: n, model: model, initialPotentials: initialPotentials)
    }

    func addInhibitory(_ net: inout Network, _ n: Int, frozen: Bool) throws -> PopulationID {
        guard conductance else { return try net.addPopulation("inh", size: n, model: DC.inhibitory) }
        let model = DC.conductanceInhibitory
        let v0 = [Double](repeating: model.vRest + DC.initialDepolarisation, count: n)
        return try addConductance(&net, "inh", n, model, initialPotentials: frozen ? nil : v0)
    }

    /// Training starts with θ = 20 mV (conductance variant; the current variant's −52 mV
    /// threshold already includes it and its a starts at 0).
    func prepareTraining(_ sim: Simulator, _ exc: PopulationID, _ n: Int) throws {
        guard conductance else { return }
        var s = DC.conductanceExcitatory.initialState(potential: DC.conductanceExcitatory.vRest + DC.initialDepolarisation)
        s.theta = DC.initialTheta
        try conductanceStates([ConductanceLIF.State](repeating: s, count: n)).install(in: sim, exc)
        sim.reset()
    }

    /// The learned thresholds: θ of every excitatory neuron (mV) and, for the current variant, its
    /// adaptation variable a (θ = β·a; nil for the conductance variant, whose state holds θ
    /// itself). a is saved with the model so that a loaded model's thresholds are bit-identical.
    func thresholds(_ sim: Simulator, _ exc: PopulationID, _ n: Int) throws -> (theta: [Double], adaptation: [Double]?) {
        if conductance && eventDriven { return (try (0..<n).map { try sim.state(of: exc, neuron: $0, as: LIFCondExp.self).y[3] }, nil) }
        if conductance { return (try (0..<n).map { try sim.state(of: exc, neuron: $0, as: ConductanceLIF.self).theta }, nil) }
        let a = try (0..<n).map { try sim.state(of: exc, neuron: $0, as: AdaptiveLIF.self).adaptation }
        return (a.map { thetaPlus * $0 }, a)
    }

    /// Excitatory states at rest with learned thresholds (θ in mV; for the current variant its
    /// adaptation a when known, else θ/β). Frozen (the evaluation network): the current variant's
    /// β is scaled down 10⁶× there, so a is scaled up 10⁶× to keep θ. Not frozen (`--resume`):
    /// training goes on from rest, as after the 150 ms rest that ends every epoch.
    func learnedStates(theta: [Double], adaptation: [Double]?, frozen: Bool) -> LearnedStates {
        if conductance {
            let rest = DC.conductanceExcitatory.initialState(potential: nil)
            return conductanceStates(theta.map { ConductanceLIF.State(v: rest.v, theta: $0) })
        }
        let rest = DC.excitatory.initialState(potential: nil)
        let a = adaptation ?? theta.map { $0 / thetaPlus }
        let scale = frozen ? 1e6 : 1
        return .current(a.map { AdaptiveLIF.State(membrane: rest.membrane, adaptation: $0 * scale) })
    }

    private func conductanceStates(_ states: [ConductanceLIF.State]) -> LearnedStates {
        eventDriven ? .integratedConductance(states.map(ConductanceLIF.integratedState)) : .conductance(states)
    }
}

/// Initial states of a frozen network's excitatory population (see `Variant.learnedStates`).
enum LearnedStates: Sendable {
    case current([AdaptiveLIF.State])
    case conductance([ConductanceLIF.State])
    case integratedConductance([IntegratedState])

    /// Takes effect at the simulator's next reset.
    func install(in sim: Simulator, _ exc: PopulationID) throws {
        switch self {
        case let .current(states): try sim.setInitialStates(states, of: exc, as: AdaptiveLIF.self)
        case let .conductance(states): try sim.setInitialStates(states, of: exc, as: ConductanceLIF.self)
        case let .integratedConductance(states): try sim.setInitialStates(states, of: exc, as: LIFCondExp.self)
        }
    }
}
