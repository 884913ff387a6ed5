import Foundation

/// A JSON value with ordered object keys, rendered on one line. Examples end their stdout with
/// one such object (snake_case keys) so that scripts can parse the last line.
public indirect enum JSONValue: Sendable, Equatable, ExpressibleByStringLiteral,
    ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral
{
    case null
    case bool(Bool)
    case int(Int)
    /// An unsigned integer rendered exactly (seeds take the full UInt64 range).
    case unsigned(UInt64)
    /// Non-finite numbers render as null (JSON has no NaN or infinity).
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }

    public static func == (a: JSONValue, b: JSONValue) -> Bool { a.rendered == b.rendered }

    /// Compact single-line rendering.
    public var rendered: String {
        var out = ""
        render(into: &out)
        return out
    }

    func render(into out: inout String) {
        switch self {
        case .null: out += "null"
        case let .bool(b): out += b ? "true" : "false"
        case let .int(i): out += String(i)
        case let .unsigned(u): out += String(u)
        case let .number(d):
            if !d.isFinite {
                out += "null"
            } else if d == d.rounded() && abs(d) < 1e15 {
                out += String(Int(d))
            } else {
                out += "\(d)"
            }
        case let .string(s): JSONValue.escape(s, into: &out)
        case let .array(items):
            out += "["
            for (k, item) in items.enumerated() {
                if k > 0 { out += "," }
                item.render(into: &out)
            }
            out += "]"
        case let .object(fields):
            out += "{"
            for (k, (key, value)) in fields.enumerated() {
                if k > 0 { out += "," }
                JSONValue.escape(key, into: &out)
                out += ":"
                value.render(into: &out)
            }
            out += "}"
        }
    }

    static func escape(_ s: String, into out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }

    /// Optional numbers become null when absent.
    public static func number(_ value: Double?) -> JSONValue { value.map { .number($0) } ?? .null }

    /// Looks up a key of an object (nil otherwise).
    public subscript(key: String) -> JSONValue? {
        guard case let .object(fields) = self else { return nil }
        return fields.first { $0.0 == key }?.1
    }
}

extension JSONValue {
    /// Parses JSON text (saved models, example output in tests). Object key order is preserved.
    public static func parse(_ text: String, source: String = "JSON text") throws -> JSONValue {
        var parser = JSONParser(bytes: Array(text.utf8), source: source)
        let value = try parser.parseValue()
        parser.skipWhitespace()
        guard parser.index == parser.bytes.count else {
            throw parser.error("unexpected trailing characters")
        }
        return value
    }

    public var doubleValue: Double? {
        switch self {
        case let .int(i): return Double(i)
        case let .unsigned(u): return Double(u)
        case let .number(d): return d
        default: return nil
        }
    }

    public var intValue: Int? {
        switch self {
        case let .int(i): return i
        case let .unsigned(u): return Int(exactly: u)
        case let .number(d) where d == d.rounded(): return Int(exactly: d)
        default: return nil
        }
    }

    public var uint64Value: UInt64? {
        switch self {
        case let .int(i): return UInt64(exactly: i)
        case let .unsigned(u): return u
        default: return nil
        }
    }

    public var stringValue: String? {
        if case let .string(s) = self { return s }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case let .array(a) = self { return a }
        return nil
    }
}

/// Recursive-descent JSON parser (RFC 8259).
struct JSONParser {
    let bytes: [UInt8]
    let source: String
    var index = 0

    init(bytes: [UInt8], source: String) {
        self.bytes = bytes
        self.source = source
    }

    func error(_ reason: String) -> VolleyError {
        .malformedData(source: source, reason: "\(reason) at byte \(index)")
    }

    mutating func skipWhitespace() {
        while index < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[index]) { index += 1 }
    }

    mutating func expect(_ literal: String) throws {
        for b in literal.utf8 {
            guard index < bytes.count, bytes[index] == b else { throw error("expected '\(literal)'") }
            index += 1
        }
    }

    mutating func parseValue() throws -> JSONValue {
        skipWhitespace()
        guard index < bytes.count else { throw error("unexpected end of input") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expect("true"); return .bool(true)
        case UInt8(ascii: "f"): try expect("false"); return .bool(false)
        case UInt8(ascii: "n"): try expect("null"); return .null
        default: return try parseNumber()
        }
    }

    mutating func parseObject() throws -> JSONValue {
        index += 1
        var fields: [(String, JSONValue)] = []
        skipWhitespace()
        if index < bytes.count && bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .object(fields)
        }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw error("expected a key") }
            let key = try parseString()
            skipWhitespace()
            try expect(":")
            fields.append((key, try parseValue()))
            skipWhitespace()
            guard index < bytes.count else { throw error("unterminated object") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(fields) }
            throw error("expected ',' or '}'")
        }
    }

    mutating func parseArray() throws -> JSONValue {
        index += 1
        var items: [JSONValue] = []
        skipWhitespace()
        if index < bytes.count && bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array(items)
        }
        while true {
            items.append(try parseValue())
            skipWhitespace()
            guard index < bytes.count else { throw error("unterminated array") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(items) }
            throw error("expected ',' or ']'")
        }
    }

    mutating func parseString() throws -> String {
        index += 1
        var scalars = String.UnicodeScalarView()
        var raw: [UInt8] = []
        func flush() {
            if !raw.isEmpty {
                scalars.append(contentsOf: String(decoding: raw, as: UTF8.self).unicodeScalars)
                raw.removeAll()
            }
        }
        while index < bytes.count {
            let b = bytes[index]
            index += 1
            if b == UInt8(ascii: "\"") {
                flush()
                return String(scalars)
            }
            if b != UInt8(ascii: "\\") {
                raw.append(b)
                continue
            }
            flush()
            guard index < bytes.count else { break }
            let e = bytes[index]
            index += 1
            switch e {
            case UInt8(ascii: "n"): scalars.append("\n")
            case UInt8(ascii: "t"): scalars.append("\t")
            case UInt8(ascii: "r"): scalars.append("\r")
            case UInt8(ascii: "b"): scalars.append("\u{08}")
            case UInt8(ascii: "f"): scalars.append("\u{0C}")
            case UInt8(ascii: "u"):
                guard index + 4 <= bytes.count,
                    let code = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16)
                else { throw error("bad \\u escape") }
                index += 4
                scalars.append(Unicode.Scalar(code) ?? "\u{FFFD}")
            default: scalars.append(Unicode.Scalar(e))
            }
        }
        throw error("unterminated string")
    }

    mutating func parseNumber() throws -> JSONValue {
        let start = index
        var isInteger = true
        while index < bytes.count {
            let b = bytes[index]
            if (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: "-") || b == UInt8(ascii: "+") {
                index += 1
            } else if b == UInt8(ascii: ".") || b == UInt8(ascii: "e") || b == UInt8(ascii: "E") {
                isInteger = false
                index += 1
            } else {
                break
            }
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        if isInteger, let i = Int(text) { return .int(i) }
        if isInteger, let u = UInt64(text) { return .unsigned(u) }
        guard !text.isEmpty, let d = Double(text) else { throw error("invalid number '\(text)'") }
        return .number(d)
    }
}
