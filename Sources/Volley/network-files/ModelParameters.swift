/// The parameter table of every neuron model a network file can name: each parameter's file
/// name (the snake_case Swift name), unit and default (the model's `init()` defaults). The
/// equations and the meaning of each parameter are in the model's own file (Sources/Volley/models).

extension LIFExp: FileRepresentable {
    public static var fileName: String { modelName }
    public static var fileDefault: LIFExp { LIFExp() }
    public static var parameters: [FileParameter<LIFExp>] {
        [
            .number("tau_m", \.tauM, "ms"), .number("tau_syn_exc", \.tauSynExc, "ms"),
            .number("tau_syn_inh", \.tauSynInh, "ms"), .number("v_rest", \.vRest, "mV"),
            .number("v_reset", \.vReset, "mV"), .number("v_threshold", \.vThreshold, "mV"),
            .number("t_ref", \.tRef, "ms"), .number("bias", \.bias, "mV"), .choice("reset", \.reset),
        ]
    }
}

extension LIFDelta: FileRepresentable {
    public static var fileName: String { modelName }
    public static var fileDefault: LIFDelta { LIFDelta() }
    public static var parameters: [FileParameter<LIFDelta>] {
        [
            .number("tau_m", \.tauM, "ms"), .number("v_rest", \.vRest, "mV"), .number("v_reset", \.vReset, "mV"),
            .number("v_threshold", \.vThreshold, "mV"), .number("t_ref", \.tRef, "ms"),
            .number("bias", \.bias, "mV"), .choice("reset", \.reset),
        ]
    }
}

extension LIFAlpha: FileRepresentable {
    public static var fileName: String { modelName }
    public static var fileDefault: LIFAlpha { LIFAlpha() }
    public static var parameters: [FileParameter<LIFAlpha>] {
        [
            .number("tau_m", \.tauM, "ms"), .number("tau_syn_exc", \.tauSynExc, "ms"),
            .number("tau_syn_inh", \.tauSynInh, "ms"), .number("v_rest", \.vRest, "mV"),
            .number("v_reset", \.vReset, "mV"), .number("v_threshold", \.vThreshold, "mV"),
            .number("t_ref", \.tRef, "ms"), .number("bias", \.bias, "mV"),
        ]
    }
}

extension AdaptiveLIF: FileRepresentable {
    public static var fileName: String { modelName }
    public static var fileDefault: AdaptiveLIF { AdaptiveLIF() }
    /// The membrane's LIFExp parameters, then the adaptation's.
    public static var parameters: [FileParameter<AdaptiveLIF>] {
        [
            .number("tau_m", \.membrane.tauM, "ms"), .number("tau_syn_exc", \.membrane.tauSynExc, "ms"),
            .number("tau_syn_inh", \.membrane.tauSynInh, "ms"), .number("v_rest", \.membrane.vRest, "mV"),
            .number("v_reset", \.membrane.vReset, "mV"), .number("v_threshold", \.membrane.vThreshold, "mV"),
            .number("t_ref", \.membrane.tRef, "ms"), .number("bias", \.membrane.bias, "mV"),
            .choice("reset", \.membrane.reset), .number("beta", \.beta, "mV"), .number("tau_adapt", \.tauAdapt, "ms"),
        ]
    }
}

extension SRM: FileRepresentable {
    public static var fileName: String { modelName }
    public static var fileDefault: SRM { SRM() }
    public static var parameters: [FileParameter<SRM>] {
        [
            .number("tau", \.tau, "ms"), .number("v_threshold", \.vThreshold, "mV"),
            .number("refractory_amplitude", \.refractoryAmplitude, "mV"),
            .number("tau_refractory", \.tauRefractory, "ms"), .number("t_ref", \.tRef, "ms"),
        ]
    }
}

extension ReLPSP: FileRepresentable {
    public static var fileName: String { modelName }
    public static var fileDefault: ReLPSP { ReLPSP() }
    public static var parameters: [FileParameter<ReLPSP>] {
        [.number("v_threshold", \.vThreshold, "mV"), .number("v_reset", \.vReset, "mV")]
    }
}

extension TTFSPhaseIF: FileRepresentable {
    public static var fileName: String { modelName }
    /// `input_end` and `fire_end` have no default: every file states them.
    public static var fileDefault: TTFSPhaseIF { TTFSPhaseIF(inputEnd: 1, fireEnd: 2) }
    public static var parameters: [FileParameter<TTFSPhaseIF>] {
        [
            .number("v_threshold", \.vThreshold, "mV"), .number("slope", \.slope, "mV/ms"),
            .number("input_end", \.inputEnd, "ms", required: true), .number("fire_end", \.fireEnd, "ms", required: true),
        ]
    }
}

extension ConductanceLIF: FileRepresentable {
    public static var fileName: String { modelName }
    public static var fileDefault: ConductanceLIF { ConductanceLIF() }
    public static var parameters: [FileParameter<ConductanceLIF>] {
        [
            .number("tau_m", \.tauM, "ms"), .number("v_rest", \.vRest, "mV"), .number("v_reset", \.vReset, "mV"),
            .number("v_threshold", \.vThreshold, "mV"), .number("t_ref", \.tRef, "ms"),
            .number("e_exc", \.eExc, "mV"), .number("e_inh", \.eInh, "mV"),
            .number("tau_syn_exc", \.tauSynExc, "ms"), .number("tau_syn_inh", \.tauSynInh, "ms"),
            .number("theta_plus", \.thetaPlus, "mV"), .number("tau_theta", \.tauTheta, "ms"),
        ]
    }
}

extension LIFCondExp: FileRepresentable {
    public static var fileName: String { modelName }
    public static var fileDefault: LIFCondExp { LIFCondExp() }
    public static var parameters: [FileParameter<LIFCondExp>] {
        [
            .number("c_m", \.cM, "pF"), .number("g_l", \.gL, "nS"), .number("e_l", \.eL, "mV"),
            .number("v_th", \.vTh, "mV"), .number("v_reset", \.vReset, "mV"), .number("t_ref", \.tRef, "ms"),
            .number("e_ex", \.eEx, "mV"), .number("e_in", \.eIn, "mV"),
            .number("tau_syn_exc", \.tauSynExc, "ms"), .number("tau_syn_inh", \.tauSynInh, "ms"),
            .number("i_e", \.iE, "pA"), .number("theta_plus", \.thetaPlus, "mV"), .number("tau_theta", \.tauTheta, "ms"),
        ] + integrationParameters(\.integration, default: defaultTolerance)
    }
}

extension AdEx: FileRepresentable {
    public static var fileName: String { modelName }
    public static var fileDefault: AdEx { AdEx() }
    public static var parameters: [FileParameter<AdEx>] {
        [
            .number("c_m", \.cM, "pF"), .number("g_l", \.gL, "nS"), .number("e_l", \.eL, "mV"),
            .number("v_t", \.vT, "mV"), .number("delta_t", \.deltaT, "mV"), .number("a", \.a, "nS"),
            .number("b", \.b, "pA"), .number("tau_w", \.tauW, "ms"), .number("v_reset", \.vReset, "mV"),
            .number("v_peak", \.vPeak, "mV"), .number("t_ref", \.tRef, "ms"),
            .number("tau_syn_exc", \.tauSynExc, "ms"), .number("tau_syn_inh", \.tauSynInh, "ms"),
            .number("i_e", \.iE, "pA"),
        ] + integrationParameters(\.integration, default: defaultTolerance)
    }
}

extension AdExCondExp: FileRepresentable {
    public static var fileName: String { modelName }
    public static var fileDefault: AdExCondExp { AdExCondExp() }
    public static var parameters: [FileParameter<AdExCondExp>] {
        [
            .number("c_m", \.cM, "pF"), .number("g_l", \.gL, "nS"), .number("e_l", \.eL, "mV"),
            .number("v_t", \.vT, "mV"), .number("delta_t", \.deltaT, "mV"), .number("a", \.a, "nS"),
            .number("b", \.b, "pA"), .number("tau_w", \.tauW, "ms"), .number("v_reset", \.vReset, "mV"),
            .number("v_peak", \.vPeak, "mV"), .number("t_ref", \.tRef, "ms"),
            .number("e_ex", \.eEx, "mV"), .number("e_in", \.eIn, "mV"),
            .number("tau_syn_exc", \.tauSynExc, "ms"), .number("tau_syn_inh", \.tauSynInh, "ms"),
            .number("i_e", \.iE, "pA"),
        ] + integrationParameters(\.integration, default: AdEx.defaultTolerance)
    }
}

extension Izhikevich: FileRepresentable {
    public static var fileName: String { modelName }
    public static var fileDefault: Izhikevich { Izhikevich() }
    public static var parameters: [FileParameter<Izhikevich>] {
        [
            .number("a", \.a, "1/ms"), .number("b", \.b, "1/ms"), .number("c", \.c, "mV"),
            .number("d", \.d, "mV/ms"), .number("v_th", \.vTh, "mV"), .number("i_e", \.iE, "mV/ms"),
        ] + integrationParameters(\.integration, default: defaultTolerance)
    }
}

/// `integration` ("adaptive": Dormand–Prince under the tolerances, or "forward_euler"),
/// `relative_tolerance` and `absolute_tolerance` (one per state variable, the model's units).
/// With "forward_euler" the tolerances are not used (and are written as the model's defaults).
func integrationParameters<M>(_ path: WritableKeyPath<M, ODEIntegration>, default tolerance: ODETolerance) -> [FileParameter<M>] {
    func tol(_ m: M) -> ODETolerance {
        if case let .adaptive(t) = m[keyPath: path] { return t }
        return tolerance
    }
    func setTolerance(_ m: inout M, _ change: (inout ODETolerance) -> Void) {
        if case var .adaptive(t) = m[keyPath: path] {
            change(&t)
            m[keyPath: path] = .adaptive(t)
        }
    }
    return [
        .custom("integration", unit: "\"adaptive\", \"forward_euler\"", read: { m in
            if case .forwardEuler = m[keyPath: path] { return .string("forward_euler") }
            return .string("adaptive")
        }, write: { m, value throws(ParameterProblem) in
            switch value {
            case .string("adaptive"): if case .forwardEuler = m[keyPath: path] { m[keyPath: path] = .adaptive(tolerance) }
            case .string("forward_euler"): m[keyPath: path] = .forwardEuler
            default: throw ParameterProblem("must be \"adaptive\" or \"forward_euler\"")
            }
        }),
        .custom("relative_tolerance", unit: "", read: { .number(tol($0).relative) }, write: { m, value throws(ParameterProblem) in
            guard let x = value.double else { throw ParameterProblem("must be a number") }
            setTolerance(&m) { $0.relative = x }
        }),
        .custom("absolute_tolerance", unit: "per variable", read: { m in
            let a = tol(m).absolute
            return .numbers([a[0], a[1], a[2], a[3]])
        }, write: { m, value throws(ParameterProblem) in
            guard case let .numbers(xs) = value, xs.count == 4 else {
                throw ParameterProblem("must be a list of 4 numbers (one per state variable; unused ones any positive value)")
            }
            setTolerance(&m) { $0.absolute = ODEState(xs[0], xs[1], xs[2], xs[3]) }
        }),
    ]
}
