import Volley
import VolleyExamples

/// The network file of a command: its one positional argument, anywhere among the options.
enum NetworkArgument {
    /// Splits off the first argument that is not an option or an option's value; `valued` are
    /// the options that take a value.
    static func split(_ arguments: [String], valued: Set<String>, command: String) throws -> (path: String?, options: [String]) {
        var path: String?
        var rest: [String] = []
        var k = 0
        while k < arguments.count {
            let a = arguments[k]
            if a.hasPrefix("-") {
                rest.append(a)
                let name = String(a.drop { $0 == "-" })
                if valued.contains(name) && k + 1 < arguments.count {
                    rest.append(arguments[k + 1])
                    k += 1
                }
            } else if path == nil {
                path = a
            } else {
                throw VolleyError.usage("volley \(command): one network file only ('\(path!)' and '\(a)' given)")
            }
            k += 1
        }
        return (path, rest)
    }

    /// The experiment in `path`; errors name the file and the JSON path.
    static func load(_ path: String?, command: String) throws -> Experiment {
        guard let path else { throw VolleyError.usage("volley \(command): missing the network file (volley \(command) NETWORK.json; see --help)") }
        return try Experiment(contentsOf: path)
    }
}
