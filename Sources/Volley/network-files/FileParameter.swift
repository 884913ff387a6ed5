/// One parameter of a neuron model or learning rule as a network file names it: the snake_case
/// form of the Swift property (`tauSynExc` → `tau_syn_exc`), its unit, and how to read it from
/// and write it into a value of the type. The tables (ModelParameters.swift) are the network
/// file's vocabulary, documented field by field in docs/network-files.md.
public struct FileParameter<Subject> {
    public let name: String
    /// "ms", "mV", "pF", "nS", "pA", "1/ms", "" (dimensionless) or a list of choices.
    public let unit: String
    /// A parameter without a default that every file must state.
    public let isRequired: Bool
    let read: (Subject) -> ParameterValue
    /// Writes a value; throws a one-line reason (without the path) when the value has the wrong kind.
    let write: (inout Subject, ParameterValue) throws(ParameterProblem) -> Void

    /// A number (±∞ written "inf"/"-inf").
    public static func number(
        _ name: String, _ path: WritableKeyPath<Subject, Double>, _ unit: String, required: Bool = false
    ) -> FileParameter {
        FileParameter(name: name, unit: unit, isRequired: required, read: { .number($0[keyPath: path]) }) { subject, value throws(ParameterProblem) in
            guard let x = value.double else { throw ParameterProblem("must be a number") }
            subject[keyPath: path] = x
        }
    }

    /// A number or null (unset).
    public static func optionalNumber(
        _ name: String, _ path: WritableKeyPath<Subject, Double?>, _ unit: String
    ) -> FileParameter {
        FileParameter(name: name, unit: unit, isRequired: false, read: { $0[keyPath: path].map { .number($0) } ?? .null }) { subject, value throws(ParameterProblem) in
            if value == .null { subject[keyPath: path] = nil; return }
            guard let x = value.double else { throw ParameterProblem("must be a number or null") }
            subject[keyPath: path] = x
        }
    }

    /// One of the raw values of a string enumeration.
    public static func choice<E: RawRepresentable & CaseIterable>(
        _ name: String, _ path: WritableKeyPath<Subject, E>
    ) -> FileParameter where E.RawValue == String {
        let choices = E.allCases.map(\.rawValue)
        return FileParameter(
            name: name, unit: choices.map { "\"\($0)\"" }.joined(separator: ", "), isRequired: false,
            read: { .string($0[keyPath: path].rawValue) }
        ) { subject, value throws(ParameterProblem) in
            guard case let .string(s) = value, let e = E(rawValue: s) else {
                throw ParameterProblem("must be one of \(choices.map { "\"\($0)\"" }.joined(separator: ", "))")
            }
            subject[keyPath: path] = e
        }
    }

    /// Any other mapping (the integration scheme of numerically integrated models).
    public static func custom(
        _ name: String, unit: String, read: @escaping (Subject) -> ParameterValue,
        write: @escaping (inout Subject, ParameterValue) throws(ParameterProblem) -> Void
    ) -> FileParameter {
        FileParameter(name: name, unit: unit, isRequired: false, read: read, write: write)
    }
}

/// Why a parameter value was refused (the caller adds where it was).
public struct ParameterProblem: Error {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
}

/// A type a network file can hold: a neuron model or a learning rule, named by `fileName`, with
/// its parameter table and the value that parameters not stated in the file keep.
public protocol FileRepresentable {
    /// The name in the file ("lif_exp", "stdp").
    static var fileName: String { get }
    static var parameters: [FileParameter<Self>] { get }
    /// The value before the file's parameters are applied: the type's documented defaults.
    static var fileDefault: Self { get }
}

extension FileRepresentable {
    /// Every parameter of `self`, by file name.
    public var fileParameters: [String: ParameterValue] {
        var out: [String: ParameterValue] = [:]
        for p in Self.parameters { out[p.name] = p.read(self) }
        return out
    }

    /// The default with `values` applied. Unknown names, missing required ones and values of
    /// the wrong kind are errors naming the parameter (`context`: where in the file it is).
    public static func fromFile(_ values: [String: ParameterValue], context: String) throws -> Self {
        var subject = fileDefault
        let table = parameters
        for name in values.keys.sorted() where !table.contains(where: { $0.name == name }) {
            throw VolleyError.invalidParameter(
                name: "\(context).\(name)", value: values[name]!.text,
                reason: "\(fileName) has no parameter '\(name)' (its parameters: \(table.map(\.name).joined(separator: ", ")))")
        }
        for p in table {
            guard let value = values[p.name] else {
                if p.isRequired {
                    throw VolleyError.invalidParameter(
                        name: "\(context).\(p.name)", value: "missing", reason: "\(fileName) needs it (no default)")
                }
                continue
            }
            do {
                try p.write(&subject, value)
            } catch {
                throw VolleyError.invalidParameter(name: "\(context).\(p.name)", value: value.text, reason: error.reason)
            }
        }
        return subject
    }
}

/// `tauSynExc` → `tau_syn_exc`: how a Swift parameter name reads in a network file (and in the
/// errors about one).
func snakeCase(_ name: String) -> String {
    var out = ""
    for ch in name {
        if ch.isUppercase {
            out += "_" + ch.lowercased()
        } else {
            out.append(ch)
        }
    }
    return out
}
