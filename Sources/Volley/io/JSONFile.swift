import Foundation

/// Reading and writing `Codable` values as JSON files with Foundation's coders, with errors that
/// name the path. Files are written atomically (a temporary file renamed into place), so a failed
/// write never leaves a half-written file.
public enum JSONFile {
    /// Encodes `value` with sorted keys and writes it to `path`.
    public static func write<T: Encodable>(_ value: T, to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        do {
            try encoder.encode(value).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw VolleyError.fileError(path: path, reason: FileProblem.describe(path, writing: true, fallback: error))
        }
    }

    /// A decoding error in one line: what was wrong, and where (the JSON path, e.g. `weights[2][7]`).
    public static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            var out = ""
            for key in keys {
                if let i = key.intValue { out += "[\(i)]" } else { out += (out.isEmpty ? "" : ".") + key.stringValue }
            }
            return out.isEmpty ? "the top level" : "'\(out)'"
        }
        switch error {
        case let .keyNotFound(key, context):
            return "missing field '\(key.stringValue)' at \(path(context.codingPath))"
        case let .typeMismatch(type, context):
            return "\(path(context.codingPath)) is not \(describe(type))"
        case let .valueNotFound(type, context):
            return "\(path(context.codingPath)) is null, expected \(describe(type))"
        case let .dataCorrupted(context):
            return context.codingPath.isEmpty ? "the file is not valid JSON" : "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }

    static func describe(_ type: Any.Type) -> String {
        switch type {
        case is Double.Type: return "a number"
        case is Int.Type, is UInt64.Type: return "an integer"
        case is String.Type: return "a string"
        case is Bool.Type: return "true or false"
        default: return "\(type)".hasPrefix("Array") ? "a list" : "an object (\(type))"
        }
    }

    /// Decodes a hand-writable file format: JSON5 (comments, trailing commas, and NaN and
    /// Infinity — which Python's json writes — so they reach the checks that name their JSON
    /// path), with a `format` string that must equal `format`. Errors name `source`.
    public static func decodeFormat<T: Decodable>(
        _: T.Type, from data: Data, source: String, what: String, format: String, formatOf: (T) -> String
    ) throws -> T {
        let value: T
        do {
            let decoder = JSONDecoder()
            decoder.allowsJSON5 = true
            value = try decoder.decode(T.self, from: data)
        } catch let error as DecodingError {
            throw VolleyError.malformedData(source: source, reason: "not \(what): \(describe(error))")
        }
        guard formatOf(value) == format else {
            throw VolleyError.malformedData(
                source: source, reason: "format \"\(formatOf(value))\" is not \"\(format)\" (the only one this version reads)")
        }
        return value
    }

    /// Reads `path` and decodes a `T`; `what` names the expected content in the error.
    public static func read<T: Decodable>(_: T.Type, from path: String, what: String) throws -> T {
        let data = try FileProblem.read(path)
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let error as DecodingError {
            throw VolleyError.malformedData(source: path, reason: "not \(what): \(describe(error))")
        } catch {
            throw VolleyError.malformedData(source: path, reason: "not \(what): \(error)")
        }
    }
}

extension JSONFile {
    /// The weight layers of a model file, checked against the layer shapes the file's own sizes
    /// imply (`expected[l]` numbers in layer l) and for finite values; errors name `source`.
    public static func weightLayers(_ weights: [[Double]], expected: [Int], source: String) throws -> [[Double]] {
        guard weights.count == expected.count else {
            throw VolleyError.malformedData(source: source, reason: "\(weights.count) weight layers, expected \(expected.count)")
        }
        for (l, layer) in weights.enumerated() {
            guard layer.count == expected[l] else {
                throw VolleyError.malformedData(source: source, reason: "weight layer \(l) holds \(layer.count) numbers, expected \(expected[l])")
            }
            if let k = layer.firstIndex(where: { !$0.isFinite }) {
                throw VolleyError.malformedData(source: source, reason: "weight \(k) of layer \(l) is \(layer[k])")
            }
        }
        return weights
    }
}
