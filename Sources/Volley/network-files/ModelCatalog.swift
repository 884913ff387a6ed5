/// Every neuron model a network file can name, by `modelName`: how to add a population of it to
/// a `Network` from the file's parameters (generic over the model, so the engines' kernels are
/// specialised as for a population added from Swift) and how to read a population's parameters.
public enum ModelCatalog {
    public struct Entry {
        public let name: String
        /// Parameter names, units and whether each is required, for docs and `volley describe`.
        public let parameters: [(name: String, unit: String, required: Bool)]
        /// The state variables `initial_state` can set (empty: none).
        public let stateVariables: [(name: String, unit: String)]
        let add: (inout Network, PopulationSpec, [String: ParameterValue], String) throws -> PopulationID
        let read: (any NeuronModel) -> [String: ParameterValue]?
        /// Sets per-neuron state variables (checked by `Experiment.checkInitialState`) as the
        /// states `reset()` restores, over the potentials of `initial_potentials`; then resets.
        let applyStates: (Simulator, Population, [String: [Double]]) throws -> Void
    }

    /// What a population needs besides its model's parameters.
    struct PopulationSpec {
        var name: String
        var size: Int
        var initialPotentials: InitialPotentials?
        var firstSpikeOnly: Bool
    }

    static func entry<M: NeuronModel & FileRepresentable>(_: M.Type) -> Entry {
        // No state variables: Experiment.checkInitialState refuses any `initial_state`.
        entry(M.self, stateVariables: [], applyStates: { _, _, _ in })
    }

    static func entry<M: NeuronModel & FileRepresentable & FileStateRepresentable>(_: M.Type) -> Entry {
        let variables = M.stateVariables
        return entry(M.self, stateVariables: variables.map { ($0.name, $0.unit) }, applyStates: { sim, p, values in
            guard !values.isEmpty, let model = p.model as? M else { return }
            let v0 = try p.initialPotentials?.values(count: p.size, population: p.name)
            var states = (0..<p.size).map { model.initialState(potential: v0?[$0]) }
            for (name, column) in values {  // checked by Experiment.checkInitialState
                guard let variable = variables.first(where: { $0.name == name }) else { continue }
                for i in 0..<p.size { states[i][keyPath: variable.path] = column[i] }
            }
            try sim.setInitialStates(states, of: p.id, as: M.self)
            sim.reset()
        })
    }

    static func entry<M: NeuronModel & FileRepresentable>(
        _: M.Type, stateVariables: [(name: String, unit: String)],
        applyStates: @escaping (Simulator, Population, [String: [Double]]) throws -> Void
    ) -> Entry {
        Entry(
            name: M.modelName,
            parameters: M.parameters.map { ($0.name, $0.unit, $0.isRequired) },
            stateVariables: stateVariables,
            add: { network, spec, values, context in
                let model = try M.fromFile(values, context: context)
                do {
                    try model.validate()
                } catch let VolleyError.invalidParameter(name, value, reason) {
                    throw VolleyError.invalidParameter(name: "\(context).\(snakeCase(name))", value: value, reason: reason)
                }
                return try network.addPopulation(
                    spec.name, size: spec.size, model: model, initialPotentials: spec.initialPotentials,
                    firstSpikeOnly: spec.firstSpikeOnly)
            },
            read: { model in (model as? M)?.fileParameters },
            applyStates: applyStates)
    }

    /// The catalog, in the order docs/network-files.md lists the models.
    public static var entries: [Entry] { [
        entry(LIFExp.self), entry(LIFDelta.self), entry(LIFAlpha.self), entry(AdaptiveLIF.self),
        entry(ConductanceLIF.self), entry(LIFCondExp.self), entry(AdEx.self), entry(AdExCondExp.self),
        entry(Izhikevich.self), entry(SRM.self), entry(ReLPSP.self), entry(TTFSPhaseIF.self),
    ] }

    public static func entry(named name: String) -> Entry? { entries.first { $0.name == name } }

    /// The file parameters of a population's model; nil for a model outside the catalog.
    public static func parameters(of model: any NeuronModel) -> [String: ParameterValue]? {
        entry(named: type(of: model).modelName)?.read(model)
    }
}
