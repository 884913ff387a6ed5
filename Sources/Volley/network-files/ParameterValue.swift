import Foundation

/// One value of a model or learning-rule parameter in a network file: a number, a string (a
/// choice such as `"reset": "subtract"`), a list of numbers, or null (an optional parameter left
/// unset). JSON has no infinity, so ±∞ are written as the strings "inf" and "-inf".
public enum ParameterValue: Codable, Sendable, Equatable {
    case number(Double)
    case string(String)
    case numbers([Double])
    case null

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .null
        } else if let x = try? c.decode(Double.self) {
            self = .number(x)
        } else if let s = try? c.decode(String.self) {
            self = .string(s)
        } else if let xs = try? c.decode([ParameterValue].self) {
            var values: [Double] = []
            for x in xs {
                guard let v = x.double else {
                    throw DecodingError.dataCorruptedError(in: c, debugDescription: "a list parameter holds numbers only")
                }
                values.append(v)
            }
            self = .numbers(values)
        } else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "a parameter is a number, a string, a list of numbers or null")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case let .number(x): try ParameterValue.encode(x, into: &c)
        case let .string(s): try c.encode(s)
        case let .numbers(xs): try c.encode(xs.map { ParameterValue.number($0) })
        case .null: try c.encodeNil()
        }
    }

    static func encode(_ x: Double, into c: inout any SingleValueEncodingContainer) throws {
        if x.isInfinite { try c.encode(x > 0 ? "inf" : "-inf") } else { try c.encode(x) }
    }

    /// The value as a number ("inf"/"-inf" included), or nil.
    public var double: Double? {
        switch self {
        case let .number(x): return x
        case .string("inf"): return .infinity
        case .string("-inf"): return -.infinity
        default: return nil
        }
    }

    /// How the value reads in an error message.
    public var text: String {
        switch self {
        case let .number(x): return "\(x)"
        case let .string(s): return "\"\(s)\""
        case let .numbers(xs): return "[\(xs.map { "\($0)" }.joined(separator: ", "))]"
        case .null: return "null"
        }
    }
}
