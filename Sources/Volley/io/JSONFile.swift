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
            throw VolleyError.fileError(path: path, reason: error.localizedDescription)
        }
    }

    /// Reads `path` and decodes a `T`; `what` names the expected content in the error.
    public static func read<T: Decodable>(_: T.Type, from path: String, what: String) throws -> T {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw VolleyError.fileError(path: path, reason: error.localizedDescription)
        }
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch {
            throw VolleyError.malformedData(source: path, reason: "not \(what) (\(error))")
        }
    }
}
