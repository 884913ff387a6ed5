/// The state variables a network file can set per neuron (`"initial_state": {"theta": […]}`),
/// by the snake_case name of the state's property: e.g. the learned adaptive thresholds of a
/// trained network. The meaning of each variable is in the model's file.
public struct FileStateVariable<State> {
    public let name: String
    public let unit: String
    let path: WritableKeyPath<State, Double>

    public init(_ name: String, _ path: WritableKeyPath<State, Double>, _ unit: String) {
        self.name = name
        self.path = path
        self.unit = unit
    }
}

/// A model whose per-neuron state a network file can set.
public protocol FileStateRepresentable: NeuronModel {
    static var stateVariables: [FileStateVariable<State>] { get }
}

extension LIFExp: FileStateRepresentable {
    public static var stateVariables: [FileStateVariable<State>] {
        [.init("v", \.v, "mV"), .init("i_exc", \.iExc, "mV"), .init("i_inh", \.iInh, "mV")]
    }
}

extension LIFDelta: FileStateRepresentable {
    public static var stateVariables: [FileStateVariable<State>] { [.init("v", \.v, "mV")] }
}

extension LIFAlpha: FileStateRepresentable {
    public static var stateVariables: [FileStateVariable<State>] {
        [.init("v", \.v, "mV"), .init("i_exc", \.iExc, "mV"), .init("j_exc", \.jExc, "mV"), .init("i_inh", \.iInh, "mV"), .init("j_inh", \.jInh, "mV")]
    }
}

extension AdaptiveLIF: FileStateRepresentable {
    public static var stateVariables: [FileStateVariable<State>] {
        [.init("v", \.membrane.v, "mV"), .init("i_exc", \.membrane.iExc, "mV"), .init("i_inh", \.membrane.iInh, "mV"), .init("adaptation", \.adaptation, "")]
    }
}

extension ConductanceLIF: FileStateRepresentable {
    public static var stateVariables: [FileStateVariable<State>] {
        [.init("v", \.v, "mV"), .init("g_exc", \.gExc, "1"), .init("g_inh", \.gInh, "1"), .init("theta", \.theta, "mV")]
    }
}

extension LIFCondExp: FileStateRepresentable {
    public static var stateVariables: [FileStateVariable<State>] {
        [.init("v", \.y[0], "mV"), .init("g_ex", \.y[1], "nS"), .init("g_in", \.y[2], "nS"), .init("theta", \.y[3], "mV")]
    }
}

extension AdEx: FileStateRepresentable {
    public static var stateVariables: [FileStateVariable<State>] {
        [.init("v", \.y[0], "mV"), .init("w", \.y[1], "pA"), .init("i_ex", \.y[2], "pA"), .init("i_in", \.y[3], "pA")]
    }
}

extension AdExCondExp: FileStateRepresentable {
    public static var stateVariables: [FileStateVariable<State>] {
        [.init("v", \.y[0], "mV"), .init("w", \.y[1], "pA"), .init("g_ex", \.y[2], "nS"), .init("g_in", \.y[3], "nS")]
    }
}

extension Izhikevich: FileStateRepresentable {
    public static var stateVariables: [FileStateVariable<State>] { [.init("v", \.y[0], "mV"), .init("u", \.y[1], "mV/ms")] }
}
