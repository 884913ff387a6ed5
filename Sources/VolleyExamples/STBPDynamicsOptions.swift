import Foundation
import Volley

/// The neuron-dynamics options the STBP examples share: `--synapse delta|exp` with `--tau-syn`,
/// `--adaptation-beta` with `--tau-adapt` (the adaptive LIF), `--reset value|subtract`.
public enum STBPDynamicsOptions {
    /// Declares the options on `cli`.
    public static func declare(_ cli: inout CommandOptions, reset: ResetMode = .toValue) {
        cli.option("synapse", value: "delta|exp", default: "delta", help: "synapses: delta (a spike jumps V: LIFDelta) or exponential currents (LIFExp, τ_syn)")
        cli.option("tau-syn", value: "MS", default: "5", help: "--synapse exp: synaptic current time constant τ_syn (ms)")
        cli.option("adaptation-beta", value: "MV", default: "0", help: "adaptive threshold θ + β·a, a += 1 per spike, decaying with --tau-adapt (AdaptiveLIF; needs --synapse exp); 0: none")
        cli.option("tau-adapt", value: "MS", default: "100", help: "adaptation time constant τ_adapt (ms)")
        cli.option("reset", value: "value|subtract", default: reset.rawValue, help: "after a spike V ← rest (value) or V ← V − θ (subtract)")
    }

    /// The parsed choice; a typed usage error naming the flag otherwise.
    public static func parse(_ cli: CommandOptions) throws -> (synapse: STBPSynapse, adaptation: STBPAdaptation?, reset: ResetMode) {
        let synapse: STBPSynapse = try cli.choice("synapse", ["delta", "exp"]) == "delta"
            ? .delta : .exponential(tauSyn: try cli.double("tau-syn", .init("must be in (0, 10⁵] ms") { $0 > 0 && $0 <= 1e5 }))
        let beta = try cli.double("adaptation-beta", .init("must be in [0, 10⁴] mV") { $0 >= 0 && $0 <= 1e4 })
        let tauAdapt = try cli.double("tau-adapt", .init("must be in (0, 10⁷] ms") { $0 > 0 && $0 <= 1e7 })
        if beta > 0 && synapse == .delta {
            throw VolleyError.usage("option '--adaptation-beta': the adaptive LIF needs '--synapse exp' (its membrane is LIFExp)")
        }
        if synapse == .delta && cli.isSet("tau-syn") {
            throw VolleyError.usage("option '--tau-syn': only with '--synapse exp'")
        }
        let reset = ResetMode(rawValue: try cli.choice("reset", ["value", "subtract"]))!
        return (synapse, beta > 0 ? STBPAdaptation(beta: beta, tauAdapt: tauAdapt) : nil, reset)
    }

    /// "delta synapses" / "exponential synapses τ_syn 5 ms", adaptation and reset, for the
    /// human summary.
    public static func describe(_ network: STBPNetwork) -> String {
        var parts = [network.synapse.tauSyn.map { "exponential synapses τ_syn \($0) ms" } ?? "delta synapses"]
        parts.append("τm \(network.neuron.tauM) ms, θ \(network.neuron.vThreshold) mV")
        if let a = network.adaptation { parts.append("adaptive threshold β \(a.beta) mV, τ_adapt \(a.tauAdapt) ms") }
        parts.append(network.neuron.reset == .toValue ? "reset to rest" : "reset by subtraction")
        return parts.joined(separator: ", ")
    }

    /// JSON fields of the dynamics (snake_case; ms, mV).
    public static func json(_ network: STBPNetwork) -> JSONValue {
        .object([
            "synapse": .string(network.synapse == .delta ? "delta" : "exp"),
            "tau_syn_ms": network.synapse.tauSyn.map { .number($0) } ?? .null,
            "adaptation_beta_mv": .number(network.adaptation?.beta ?? 0),
            "reset": .string(network.neuron.reset.rawValue),
        ])
    }
}
