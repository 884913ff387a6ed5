import Foundation
import Volley

/// Command-line parsing for the example executables: `--name value`, `--name=value` and boolean
/// `--flag`s, with `--help` (or `-h`). Unknown or repeated flags, missing values, unparsable values
/// and values outside their documented range raise `VolleyError.usage` with a one-line message
/// naming the flag, the value and what was expected.
public struct CommandOptions {
    struct Option {
        let name: String
        let valueName: String?
        let defaultValue: String?
        let help: String
    }

    public let program: String
    public let summary: String
    /// The usage line after "usage: " (default: `swift run -c release PROGRAM [options]`).
    public var synopsis: String?
    private var options: [Option] = []
    private var values: [String: String] = [:]
    private var present: Set<String> = []

    public init(program: String, summary: String) {
        self.program = program
        self.summary = summary
        flag("help", help: "print this help and exit (also -h)")
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
        var lines = ["\(program): \(summary)", "", "usage: \(synopsis ?? "swift run -c release \(program) [options]")", "", "options:"]
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
            let arg = arguments[k] == "-h" ? "--help" : arguments[k]
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
            guard !present.contains(name) else { throw VolleyError.usage("option '--\(name)' is given twice") }
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

    /// Parses the process arguments; prints usage and exits 0 on `--help` or `-h`.
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

    /// The value of `name` (given or default); a usage error if it has neither.
    public func requiredString(_ name: String) throws -> String {
        guard let s = string(name) else { throw VolleyError.usage("option '--\(name)' needs a value") }
        return s
    }

    // MARK: Numbers

    /// What a number must satisfy, and how to say so.
    public struct Requirement<T: Comparable> {
        public let accepts: (T) -> Bool
        public let text: String

        public init(_ text: String, _ accepts: @escaping (T) -> Bool) {
            self.text = text
            self.accepts = accepts
        }

        public static func within(_ range: ClosedRange<T>) -> Requirement {
            Requirement("must be in [\(range.lowerBound), \(range.upperBound)]") { range.contains($0) }
        }

        public static func atLeast(_ low: T) -> Requirement { Requirement("must be ≥ \(low)") { $0 >= low } }
        public static func above(_ low: T) -> Requirement { Requirement("must be > \(low)") { $0 > low } }
        public static func below(_ high: T) -> Requirement { Requirement("must be < \(high)") { $0 < high } }
    }

    /// A finite number, checked against `requirement`.
    public func double(_ name: String, _ requirement: Requirement<Double>? = nil) throws -> Double {
        try check(name, parseDouble(name, try requiredString(name)), requirement)
    }

    /// `double`, or nil when the option has neither a value nor a default.
    public func optionalDouble(_ name: String, _ requirement: Requirement<Double>? = nil) throws -> Double? {
        guard let s = string(name) else { return nil }
        return try check(name, parseDouble(name, s), requirement)
    }

    /// An integer, checked against `requirement`.
    public func int(_ name: String, _ requirement: Requirement<Int>? = nil) throws -> Int {
        try check(name, parseInt(name, try requiredString(name)), requirement)
    }

    /// `int`, or nil when the option has neither a value nor a default.
    public func optionalInt(_ name: String, _ requirement: Requirement<Int>? = nil) throws -> Int? {
        guard let s = string(name) else { return nil }
        return try check(name, parseInt(name, s), requirement)
    }

    /// A seed: an integer in 0…2⁶⁴ − 1.
    public func uint64(_ name: String) throws -> UInt64 {
        let s = try requiredString(name)
        guard let v = UInt64(s) else {
            throw VolleyError.usage("option '--\(name)': '\(s)' is not an integer in 0…\(UInt64.max)")
        }
        return v
    }

    /// A comma-separated list of integers ("400,400"), each checked against `requirement`; empty
    /// elements are an error.
    public func intList(_ name: String, _ requirement: Requirement<Int>? = nil) throws -> [Int] {
        let s = try requiredString(name)
        let parts = s.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        var ints: [Int] = []
        for part in parts {
            guard let v = Int(part) else {
                throw VolleyError.usage("option '--\(name)': '\(s)' is not a comma-separated list of integers ('\(part)')")
            }
            ints.append(try check(name, v, requirement))
        }
        return ints
    }

    /// One of `choices`.
    public func choice(_ name: String, _ choices: [String]) throws -> String {
        let s = try requiredString(name)
        guard choices.contains(s) else {
            throw VolleyError.usage("option '--\(name)': '\(s)' is not one of \(choices.joined(separator: ", "))")
        }
        return s
    }

    private func parseDouble(_ name: String, _ s: String) throws -> Double {
        // Decimal notation only (Swift would also read hexadecimal "0x1F").
        guard !s.lowercased().contains("x"), let v = Double(s), v.isFinite else {
            throw VolleyError.usage("option '--\(name)': '\(s)' is not a finite number")
        }
        return v
    }

    private func parseInt(_ name: String, _ s: String) throws -> Int {
        guard let v = Int(s) else { throw VolleyError.usage("option '--\(name)': '\(s)' is not an integer") }
        return v
    }

    private func check<T>(_ name: String, _ value: T, _ requirement: Requirement<T>?) throws -> T {
        if let requirement, !requirement.accepts(value) {
            throw VolleyError.usage("option '--\(name)': \(value) \(requirement.text)")
        }
        return value
    }
}

extension CommandOptions.Requirement where T == Double {
    /// A number > 0.
    public static var positive: Self { Self("must be > 0") { $0 > 0 } }
    /// A number ≥ 0.
    public static var nonNegative: Self { Self("must be ≥ 0") { $0 >= 0 } }
    /// A fraction in [0, 1].
    public static var fraction: Self { within(0...1) }
}

extension CommandOptions.Requirement where T == Int {
    public static var positive: Self { Self("must be ≥ 1") { $0 >= 1 } }
    public static var nonNegative: Self { Self("must be ≥ 0") { $0 >= 0 } }
}

extension CommandOptions {
    /// Declares `--threads N|auto` (the engines' thread count; see `threads(for:)`).
    public mutating func threadsOption() {
        option(
            "threads", value: "N|auto", default: "auto",
            help: "threads that advance the neurons (identical spikes for every N; the event-driven engine runs one when the network needs it, and the report says why); auto: VOLLEY_THREADS if set, else all cores but at most one per \(TimeSteppedSimulator.neuronsPerThread) model neurons")
    }

    /// `--threads` if a number, else `VOLLEY_THREADS` if set, else
    /// `TimeSteppedSimulator.automaticThreads(for:)`.
    public func threads(for network: Network) throws -> Int {
        if let n = try requestedThreads() { return n }
        if ProcessInfo.processInfo.environment["VOLLEY_THREADS"] != nil { return try Simulator.defaultThreads() }
        return TimeSteppedSimulator.automaticThreads(for: network)
    }

    /// The number given to `--threads`, or nil for `auto`.
    public func requestedThreads() throws -> Int? {
        guard let text = string("threads"), text != "auto" else { return nil }
        guard let n = Int(text), (1...Simulator.maxThreads).contains(n) else {
            throw VolleyError.usage("option '--threads': '\(text)' is not 'auto' or a whole number from 1 to \(Simulator.maxThreads)")
        }
        return n
    }
}

extension CommandOptions {
    /// Declares `--threads N|auto` for an example whose `work` is split over samples or runs
    /// (through `parallelMap`; see `applyWorkThreads()`).
    public mutating func workThreadsOption(work: String = "training and evaluation (samples split across them)") {
        option(
            "threads", value: "N|auto", default: "auto",
            help: "threads for \(work); identical results for every N; auto: VOLLEY_THREADS if set, else all cores")
    }

    /// Sets `Parallelism.threads` from `--threads` (or `VOLLEY_THREADS` when it is `auto`, else
    /// every core) and returns it, for the JSON key `threads`.
    @discardableResult
    public func applyWorkThreads() throws -> Int {
        if let n = try requestedThreads() {
            Parallelism.threads = n
        } else if ProcessInfo.processInfo.environment["VOLLEY_THREADS"] != nil {
            Parallelism.threads = try Simulator.defaultThreads()
        } else {
            Parallelism.threads = Simulator.coreCount
        }
        return Parallelism.threads
    }
}
