/// The parameter tables of the learning rules a network file can name (`"plasticity":
/// {"rule": "stdp", "parameters": {…}}`); the rules themselves are in plasticity/STDP.swift.

extension STDPRule: FileRepresentable {
    public static var fileName: String { "stdp" }
    public static var fileDefault: STDPRule { STDPRule() }
    /// `weight_dependence` is "additive", "multiplicative" (with `mu_plus`, `mu_minus`, default 1)
    /// or "power_law" (with `mu`, default 0.4, and `w0`, default 1 mV; Morrison et al. 2007);
    /// the exponents of the other kinds are null.
    public static var parameters: [FileParameter<STDPRule>] {
        [
            .number("tau_plus", \.tauPlus, "ms"), .number("tau_minus", \.tauMinus, "ms"),
            .number("a_plus", \.aPlus, "mV"), .number("a_minus", \.aMinus, "mV"),
            .choice("pairing", \.pairing), .number("w_min", \.wMin, "mV"), .number("w_max", \.wMax, "mV"),
            .custom("weight_dependence", unit: "\"additive\", \"multiplicative\", \"power_law\"", read: { rule in
                switch rule.dependence {
                case .additive: return .string("additive")
                case .multiplicative: return .string("multiplicative")
                case .powerLaw: return .string("power_law")
                }
            }, write: { rule, value throws(ParameterProblem) in
                switch value {
                case .string("additive"): rule.dependence = .additive
                case .string("multiplicative"): rule.dependence = .multiplicative()
                case .string("power_law"): rule.dependence = .powerLaw(mu: 0.4, w0: 1)
                default: throw ParameterProblem("must be \"additive\", \"multiplicative\" or \"power_law\"")
                }
            }),
            dependenceExponent("mu_plus", kind: "multiplicative") {
                if case let .multiplicative(mp, _) = $0 { return mp } else { return nil }
            } set: {
                if case let .multiplicative(_, mm) = $0 { $0 = .multiplicative(muPlus: $1, muMinus: mm) }
            },
            dependenceExponent("mu_minus", kind: "multiplicative") {
                if case let .multiplicative(_, mm) = $0 { return mm } else { return nil }
            } set: {
                if case let .multiplicative(mp, _) = $0 { $0 = .multiplicative(muPlus: mp, muMinus: $1) }
            },
            dependenceExponent("mu", kind: "power_law") {
                if case let .powerLaw(mu, _) = $0 { return mu } else { return nil }
            } set: {
                if case let .powerLaw(_, w0) = $0 { $0 = .powerLaw(mu: $1, w0: w0) }
            },
            dependenceExponent("w0", kind: "power_law", unit: "mV") {
                if case let .powerLaw(_, w0) = $0 { return w0 } else { return nil }
            } set: {
                if case let .powerLaw(mu, _) = $0 { $0 = .powerLaw(mu: mu, w0: $1) }
            },
        ]
    }

    /// A parameter of one kind of weight dependence: a number for that kind, null for the others.
    static func dependenceExponent(
        _ name: String, kind: String, unit: String = "",
        get: @escaping (STDPWeightDependence) -> Double?, set: @escaping (inout STDPWeightDependence, Double) -> Void
    ) -> FileParameter<STDPRule> {
        .custom(name, unit: unit, read: { get($0.dependence).map { .number($0) } ?? .null }, write: { rule, value throws(ParameterProblem) in
            if value == .null { return }
            guard let x = value.double else { throw ParameterProblem("must be a number or null") }
            guard get(rule.dependence) != nil else {
                throw ParameterProblem("applies to \"weight_dependence\": \"\(kind)\" only")
            }
            set(&rule.dependence, x)
        })
    }
}

extension DiehlCookRule: FileRepresentable {
    public static var fileName: String { "diehl_cook" }
    public static var fileDefault: DiehlCookRule { DiehlCookRule() }
    public static var parameters: [FileParameter<DiehlCookRule>] {
        [
            .number("tau_pre", \.tauPre, "ms"), .number("tau_post", \.tauPost, "ms"),
            .number("eta_post", \.etaPost, ""), .number("eta_pre", \.etaPre, ""),
            .number("x_tar", \.xTar, ""), .number("mu", \.mu, ""), .number("w_max", \.wMax, "mV"),
            .optionalNumber("tau_post2", \.tauPost2, "ms"),
        ]
    }
}

extension Plasticity {
    /// The rule's name in network files ("stdp", "diehl_cook").
    public var ruleName: String { fileForm.rule }

    /// The rule's file name and parameters.
    var fileForm: (rule: String, parameters: [String: ParameterValue]) {
        switch self {
        case let .stdp(r): return (STDPRule.fileName, r.fileParameters)
        case let .diehlCook(r): return (DiehlCookRule.fileName, r.fileParameters)
        }
    }

    /// The rule named `rule` with `parameters`; `context` locates it in the file.
    static func fromFile(rule: String, parameters: [String: ParameterValue], context: String) throws -> Plasticity {
        switch rule {
        case STDPRule.fileName: return .stdp(try .fromFile(parameters, context: context))
        case DiehlCookRule.fileName: return .diehlCook(try .fromFile(parameters, context: context))
        default:
            throw VolleyError.invalidParameter(
                name: "\(context).rule", value: "\"\(rule)\"",
                reason: "unknown learning rule (known: \"\(STDPRule.fileName)\", \"\(DiehlCookRule.fileName)\")")
        }
    }
}
