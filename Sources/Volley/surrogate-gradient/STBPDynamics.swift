import Foundation

/// How a spike reaches the membrane of an `STBPNetwork` layer.
///
/// - `delta`: the weight jumps V at arrival (`LIFDelta`): aₙ = V∞ + (rₙ₋₁ − V∞)·pₘ + Iₙ.
/// - `exponential(tauSyn:)`: the weight jumps a synaptic current that decays with τₛ and charges
///   the membrane (`LIFExp`, Rotter & Diesmann 1999 propagator over one step, currents on the
///   excitatory receptor whatever their sign):
///
///       aₙ = V∞ + (rₙ₋₁ − V∞)·pₘ + cₙ₋₁·κ,   cₙ = cₙ₋₁·pₛ + Iₙ,
///       pₘ = e^(−dt/τm), pₛ = e^(−dt/τₛ), κ = τₛ/(τₛ − τm)·(pₛ − pₘ)   (κ = (dt/τm)·pₘ at τₛ = τm)
public enum STBPSynapse: Sendable, Equatable {
    case delta
    case exponential(tauSyn: Double)

    /// τₛ (ms), or nil for delta synapses.
    public var tauSyn: Double? {
        if case .exponential(let tau) = self { return tau }
        return nil
    }
}

/// Threshold adaptation of the adaptive LIF (ALIF; Bellec et al. 2018, `AdaptiveLIF`):
///
///     θₙ = vThreshold + β·ãₙ,   ãₙ = âₙ₋₁·e^(−dt/τ_adapt),   âₙ = ãₙ + sₙ
///
/// (ã before, â after the step's spike). Needs exponential synapses (AdaptiveLIF's membrane is
/// `LIFExp`).
public struct STBPAdaptation: Sendable, Equatable {
    /// Threshold increment per spike β (mV).
    public var beta: Double
    /// Adaptation time constant τ_adapt (ms).
    public var tauAdapt: Double

    public init(beta: Double, tauAdapt: Double) {
        self.beta = beta
        self.tauAdapt = tauAdapt
    }
}

/// The per-step constants of one layer, computed exactly as the engine's propagators compute
/// them (so that the training forward pass rounds as the engine does).
struct STBPLayerConstants {
    /// e^(−dt/τm).
    var membrane: Double
    /// e^(−dt/τₛ) (exponential synapses; else 0).
    var current: Double
    /// κ: the coefficient of the current in the next potential (exponential synapses; else 0).
    var currentToV: Double
    /// dκ/dτm (for the learnable leak).
    var currentToVPerTauM: Double
    /// e^(−dt/τ_adapt) (adaptive; else 0).
    var adaptation: Double
    /// β (adaptive; else 0).
    var beta: Double
}

extension STBPNetwork {
    /// The layer's `LIFExp` (exponential synapses): the membrane of `model(ofLayer:)` with τₛ on
    /// both receptors.
    func currentModel(ofLayer l: Int) -> LIFExp? {
        guard let tauSyn = synapse.tauSyn else { return nil }
        let m = model(ofLayer: l)
        return LIFExp(
            tauM: m.tauM, tauSynExc: tauSyn, tauSynInh: tauSyn, vRest: m.vRest, vReset: m.vReset,
            vThreshold: m.vThreshold, tRef: 0, bias: m.bias, reset: m.reset)
    }

    /// Adds layer l to `net` as the engines run it: `LIFDelta`, `LIFExp` or `AdaptiveLIF` (concrete
    /// types, so the engines' kernels are specialised).
    func addLayer(_ l: Int, to net: inout Network) throws -> PopulationID {
        let name = "layer\(l)", size = layerSizes[l]
        guard let membrane = currentModel(ofLayer: l) else { return try net.addPopulation(name, size: size, model: model(ofLayer: l)) }
        guard let adaptation else { return try net.addPopulation(name, size: size, model: membrane) }
        return try net.addPopulation(name, size: size, model: AdaptiveLIF(membrane: membrane, beta: adaptation.beta, tauAdapt: adaptation.tauAdapt))
    }

    /// The largest potential (above rest) a unit weight causes in layer l on the grid, without
    /// leak from elsewhere: 1 for delta synapses; with exponential ones maxₙ of
    /// vₙ = vₙ₋₁·pₘ + cₙ₋₁·κ, cₙ = cₙ₋₁·pₛ from c₀ = 1.
    func unitPSPPeak(ofLayer l: Int) -> Double {
        guard synapse != .delta else { return 1 }
        let k = constants(ofLayer: l)
        return LIFExp.gridPSPPeak(membrane: k.membrane, current: k.current, currentToV: k.currentToV)
    }

    /// Bytes of one neuron's state in the engines.
    var stateBytes: Int {
        synapse == .delta ? MemoryLayout<LIFDelta.State>.stride
            : adaptation == nil ? MemoryLayout<LIFExp.State>.stride : MemoryLayout<AdaptiveLIF.State>.stride
    }

    func constants(ofLayer l: Int) -> STBPLayerConstants {
        let m = model(ofLayer: l)
        var c = STBPLayerConstants(
            membrane: m.propagator(over: dt).decay, current: 0, currentToV: 0, currentToVPerTauM: 0, adaptation: 0, beta: 0)
        if let lif = currentModel(ofLayer: l) {
            let p = lif.propagator(over: dt)
            c.membrane = p.membrane
            c.current = p.exc
            c.currentToV = p.excToV
            let tm = lif.tauM, ts = lif.tauSynExc
            let dpm = p.membrane * dt / (tm * tm)
            // κ = τₛ·(f(τm) − f(τₛ))/(τm − τₛ) with f(τ) = e^(−dt/τ): at τm = τₛ its derivative
            // along τm is τₛ·f″(τₛ)/2.
            c.currentToVPerTauM = ts == tm
                ? p.membrane * (dt * dt / (2 * tm * tm * tm) - dt / (tm * tm))
                : ts / ((ts - tm) * (ts - tm)) * (p.exc - p.membrane) - ts / (ts - tm) * dpm
        }
        if let adaptation {
            c.adaptation = AdaptiveLIF(beta: adaptation.beta, tauAdapt: adaptation.tauAdapt).propagator(over: dt).adaptation
            c.beta = adaptation.beta
        }
        return c
    }

    /// Validates the synapse and adaptation choice against the membrane.
    static func validate(synapse: STBPSynapse, adaptation: STBPAdaptation?, neuron: LIFDelta) throws {
        if let tauSyn = synapse.tauSyn {
            try LIFExp(tauM: neuron.tauM, tauSynExc: tauSyn, tauSynInh: tauSyn, vRest: neuron.vRest, vReset: neuron.vReset,
                       vThreshold: neuron.vThreshold, tRef: 0, bias: neuron.bias, reset: neuron.reset).validate()
        }
        if let adaptation {
            guard synapse != .delta else {
                throw VolleyError.invalidParameter(
                    name: "adaptation", value: "beta \(adaptation.beta)", reason: "the adaptive LIF needs exponential synapses (its membrane is LIFExp)")
            }
            try AdaptiveLIF(beta: adaptation.beta, tauAdapt: adaptation.tauAdapt).validate()
        }
    }
}

extension LIFExp {
    /// The largest potential a unit current jump causes on a grid (per unit of weight):
    /// maxₙ vₙ of vₙ = vₙ₋₁·pₘ + cₙ₋₁·κ, cₙ = cₙ₋₁·pₛ from v₀ = 0, c₀ = 1 (1 if it never rises).
    static func gridPSPPeak(membrane pm: Double, current ps: Double, currentToV kappa: Double) -> Double {
        var v = 0.0, c = 1.0, peak = 0.0
        for _ in 0..<1_000_000 {
            v = v * pm + c * kappa
            c *= ps
            if v < peak { break }
            peak = v
        }
        return peak > 0 ? peak : 1
    }
}

/// The state a layer with exponential synapses carries besides V: the synaptic current c and
/// (adaptive) the adaptation ã.
struct STBPLayerState {
    var current: [Double]
    var adaptation: [Double]

    init(size: Int, current: Bool, adaptive: Bool) {
        self.current = [Double](repeating: 0, count: current ? size : 0)
        adaptation = [Double](repeating: 0, count: adaptive ? size : 0)
    }
}

extension LIFDelta {
    /// The reset with a smooth spike s ∈ (0, 1) (gradient checks): s·vReset + (1 − s)·V, or
    /// V − s·(θ − vReset) by subtraction.
    func smoothReset(_ v: Double, spike s: Double) -> Double {
        reset == .toValue ? s * vReset + (1 - s) * v : v - s * (vThreshold - vReset)
    }

    /// ∂r/∂s and ∂r/∂a of the reset r(a, s) at potential a and spike s ∈ {0, 1}.
    func resetDerivatives(_ v: Double, spike s: Double) -> (spike: Double, potential: Double) {
        reset == .toValue ? (vReset - v, 1 - s) : (-(vThreshold - vReset), 1)
    }

    /// r from the recorded potential and spike (exactly the engine's value when s ∈ {0, 1}).
    func afterStep(_ v: Double, spike s: Double) -> Double {
        if s == 0 { return v }
        if s == 1 {
            var after = State(v: v)
            fire(&after, at: 0)
            return after.v
        }
        return smoothReset(v, spike: s)
    }
}

extension STBPNetwork {
    /// One step of one layer with exponential synapses (see `STBPSynapse` and `STBPAdaptation`),
    /// before the step's input: advance V, c and ã by dt exactly as `LIFExp`/`AdaptiveLIF` do,
    /// fire at V ≥ θₙ, reset. Returns who fired, ascending.
    static func update(
        _ state: inout [Double], _ dynamics: inout STBPLayerState, potentials: inout [Double], spikes: inout [Double],
        thresholds: inout [[Double]], layer: Int, offset: Int, n: Int, vInf: Double, constants k: STBPLayerConstants,
        model m: LIFDelta, spiking: Bool, smoothSlope: Double?
    ) -> [Int32] {
        var fired: [Int32] = []
        let adaptive = !dynamics.adaptation.isEmpty
        for j in 0..<state.count {
            var v = state[j], c = dynamics.current[j]
            var a = adaptive ? dynamics.adaptation[j] : 0
            if n > 0 {
                v = vInf + (v - vInf) * k.membrane + c * k.currentToV  // LIFExp.freeVoltage (no inhibitory current)
                c = c * k.current
                a = a * k.adaptation
            }
            let theta = adaptive ? m.vThreshold + k.beta * a : m.vThreshold
            potentials[offset + j] = v
            if adaptive { thresholds[layer][offset + j] = theta }
            if let beta = smoothSlope, spiking {
                let s = 1 / (1 + exp(-beta * (v - theta)))
                spikes[offset + j] = s
                state[j] = m.smoothReset(v, spike: s)
                a += s
            } else if spiking && v >= theta {
                spikes[offset + j] = 1
                fired.append(Int32(j))
                state[j] = m.afterStep(v, spike: 1)
                a += 1
            } else {
                state[j] = v
            }
            dynamics.current[j] = c
            if adaptive { dynamics.adaptation[j] = a }
        }
        return fired
    }
}
