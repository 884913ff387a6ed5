/// Every neuron model a network file can name, by `modelName`: how to add a population of it to
/// a `Network` from the file's parameters (generic over the model, so the engines' kernels are
/// specialised as for a population added from Swift) and how to read a population's parameters.
public enum ModelCatalog {
    public struct Entry {
        public let name: String
        /// Parameter names, units and whether each is required, for docs and `volley describe`.
        public let parameters: [(name: String, unit: String, required: Bool)]
        let add: (inout Network, PopulationSpec, [String: ParameterValue], String) throws -> PopulationID
        let read: (any NeuronModel) -> [String: ParameterValue]?
    }

    /// What a population needs besides its model's parameters.
    struct PopulationSpec {
        var name: String
        var size: Int
        var initialPotentials: InitialPotentials?
        var firstSpikeOnly: Bool
    }

    static func entry<M: NeuronModel & FileRepresentable>(_: M.Type) -> Entry {
        Entry(
            name: M.modelName,
            parameters: M.parameters.map { ($0.name, $0.unit, $0.isRequired) },
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
            read: { model in (model as? M)?.fileParameters })
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
