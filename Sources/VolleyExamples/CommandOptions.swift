import Foundation
import Volley

/// Minimal command-line parsing for the example executables: `--name value`, `--name=value` and
/// boolean `--flag`s, with `--help`. Unknown flags and unparsable values raise
/// `VolleyError.usage` naming the offending text.
public struct CommandOptions {
    struct Option {
        let name: String
        let valueName: String?
        let defaultValue: String?
        let help: String
    }

    public let program: String
    public let summary: String
    private var options: [Option] = []
    private var values: [String: String] = [:]
    private var present: Set<String> = []

    public init(program: String, summary: String) {
        self.program = program
        self.summary = summary
        flag("help", help: "print this help and exit")
    }

    /// Declares `--name VALUE` (shown as `valueName`) with an optional default.
    public mutating func option(_ name: String, value valueName: String, default defaultValue: String? = nil, help: String) {
        options.append(Option(name: name, valueName: valueName, defaultValue: defaultValue, help: help))
    }

    /// Declares a boolean `--name`.
    public mutating func flag(_ name: String, help: String) {
        options.append(Option(name: name, valueName: nil, defaultValue: nil, help: help))
    }

    public var usage: String {
        var lines = ["\(program): \(summary)", "", "usage: swift run -c release \(program) [options]", "", "options:"]
        for o in options {
            let left = "  --\(o.name)" + (o.valueName.map { " \($0)" } ?? "")
            let pad = String(repeating: " ", count: max(2, 30 - left.count))
            let def = o.defaultValue.map { " (default: \($0))" } ?? ""
            lines.append(left + pad + o.help + def)
        }
        return lines.joined(separator: "\n")
    }

    /// Parses `arguments` (without the program name).
    public mutating func parse(_ arguments: [String]) throws {
        var k = 0
        while k < arguments.count {
            let arg = arguments[k]
            guard arg.hasPrefix("--"), arg.count > 2 else {
                throw VolleyError.usage("unexpected argument '\(arg)' (options start with --; see --help)")
            }
            var name = String(arg.dropFirst(2))
            var inline: String?
            if let eq = name.firstIndex(of: "=") {
                inline = String(name[name.index(after: eq)...])
                name = String(name[..<eq])
            }
            guard let option = options.first(where: { $0.name == name }) else {
                throw VolleyError.usage("unknown option '--\(name)' (see --help)")
            }
            present.insert(name)
            if option.valueName == nil {
                if inline != nil { throw VolleyError.usage("option '--\(name)' takes no value") }
            } else if let v = inline {
                values[name] = v
            } else {
                guard k + 1 < arguments.count else {
                    throw VolleyError.usage("option '--\(name)' needs a value \(option.valueName!)")
                }
                values[name] = arguments[k + 1]
                k += 1
            }
            k += 1
        }
    }

    /// Parses the process arguments; prints usage and exits 0 on `--help`.
    public mutating func parseProcessArguments() throws {
        try parse(Array(CommandLine.arguments.dropFirst()))
        if isSet("help") {
            print(usage)
            exit(0)
        }
    }

    public func isSet(_ name: String) -> Bool { present.contains(name) }

    /// The value given for `name`, or its default.
    public func string(_ name: String) -> String? {
        values[name] ?? options.first { $0.name == name }?.defaultValue
    }

    public func double(_ name: String) throws -> Double? {
        guard let s = string(name) else { return nil }
        guard let v = Double(s), v.isFinite else {
            throw VolleyError.usage("option '--\(name)': '\(s)' is not a finite number")
        }
        return v
    }

    public func int(_ name: String) throws -> Int? {
        guard let s = string(name) else { return nil }
        guard let v = Int(s) else { throw VolleyError.usage("option '--\(name)': '\(s)' is not an integer") }
        return v
    }

    public func uint64(_ name: String) throws -> UInt64? {
        guard let s = string(name) else { return nil }
        guard let v = UInt64(s) else {
            throw VolleyError.usage("option '--\(name)': '\(s)' is not a non-negative integer")
        }
        return v
    }

    /// A comma-separated list of integers ("400,400").
    public func intList(_ name: String) throws -> [Int]? {
        guard let s = string(name) else { return nil }
        let parts = s.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let ints = parts.compactMap { Int($0) }
        guard !parts.isEmpty, ints.count == parts.count else {
            throw VolleyError.usage("option '--\(name)': '\(s)' is not a comma-separated list of integers")
        }
        return ints
    }

    /// One of `choices`.
    public func choice(_ name: String, _ choices: [String]) throws -> String? {
        guard let s = string(name) else { return nil }
        guard choices.contains(s) else {
            throw VolleyError.usage("option '--\(name)': '\(s)' is not one of \(choices.joined(separator: ", "))")
        }
        return s
    }
}
