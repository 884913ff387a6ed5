import Foundation

/// Surrogate derivatives of the spike function s = H(V − θ) for backpropagation through time:
/// the forward pass spikes with the Heaviside step, the backward pass uses σ′(x), x = V − θ (mV).
public enum Surrogate: Sendable, Equatable {
    /// STBP's rectangular window (Wu et al. 2018, eq. 7 with the first curve of Fig. 2):
    /// σ′(x) = 1/a for |x| < a/2, else 0; `width` a (mV).
    case rectangular(width: Double)
    /// SuperSpike's fast sigmoid (Zenke & Ganguli 2018): σ′(x) = 1 / (1 + β|x|)²; `slope` β (1/mV).
    case fastSigmoid(slope: Double)
    /// The arctan surrogate (Fang et al. 2021, SpikingJelly's ATan):
    /// σ′(x) = (α/2) / (1 + (π/2 · α · x)²); `alpha` α (1/mV).
    case arctan(alpha: Double)
    /// The logistic sigmoid's own derivative, σ′(x) = β·σ(βx)(1 − σ(βx)). With
    /// `STBPNetwork.smoothForward` the forward pass spikes with σ(βx) itself, so the
    /// backpropagated gradient is the exact gradient of that smooth network — the gradient check.
    case sigmoid(slope: Double)
    /// The triangle of Bellec et al. 2018 and 2020 (their pseudo-derivative without the dampening
    /// γ): σ′(x) = max(0, 1 − |x|/w)/w, `halfWidth` w (mV; they take w = θ₀).
    case triangular(halfWidth: Double)

    /// σ′(x).
    @inlinable
    public func derivative(_ x: Double) -> Double {
        switch self {
        case let .rectangular(a): return abs(x) < a / 2 ? 1 / a : 0
        case let .fastSigmoid(b):
            let d = 1 + b * abs(x)
            return 1 / (d * d)
        case let .arctan(alpha):
            let y = Double.pi / 2 * alpha * x
            return alpha / 2 / (1 + y * y)
        case let .sigmoid(b):
            let s = 1 / (1 + exp(-b * x))
            return b * s * (1 - s)
        case let .triangular(w):
            return max(0, 1 - abs(x) / w) / w
        }
    }

    /// The surrogate named `name` ("rectangular", "fast-sigmoid", "arctan", "sigmoid", "triangular") with its
    /// parameter; typed errors name the bad name or value.
    public init(name: String, parameter: Double) throws {
        guard parameter.isFinite, parameter > 0, parameter <= 1e4 else {
            throw VolleyError.invalidParameter(name: "surrogate parameter", value: "\(parameter)", reason: "must be in (0, 10⁴]")
        }
        switch name {
        case "rectangular": self = .rectangular(width: parameter)
        case "fast-sigmoid": self = .fastSigmoid(slope: parameter)
        case "arctan": self = .arctan(alpha: parameter)
        case "sigmoid": self = .sigmoid(slope: parameter)
        case "triangular": self = .triangular(halfWidth: parameter)
        default:
            throw VolleyError.invalidParameter(
                name: "surrogate", value: name, reason: "must be rectangular, fast-sigmoid, arctan, sigmoid or triangular")
        }
    }

    func validate() throws {
        let p: Double
        switch self {
        case let .rectangular(a): p = a
        case let .fastSigmoid(b): p = b
        case let .arctan(a): p = a
        case let .sigmoid(b): p = b
        case let .triangular(w): p = w
        }
        guard p.isFinite, p > 0 else {
            throw VolleyError.invalidParameter(name: "surrogate parameter", value: "\(p)", reason: "must be finite and > 0")
        }
    }
}
