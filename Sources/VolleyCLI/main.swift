// `volley`: runs and describes experiments written as network files (docs/network-files.md),
// without writing Swift.
//
//   swift run -c release volley run examples/networks/balanced-ei.json --raster raster.svg
//   swift run -c release volley describe examples/networks/balanced-ei.json

import Foundation
import Volley
import VolleyExamples

let commands = """
    volley: runs and describes spiking networks written as network files (docs/network-files.md)

    usage: swift run -c release volley COMMAND NETWORK.json [options]

    commands:
      run       simulate the experiment: spikes, raster, report (volley run --help)
      describe  sizes, synapses, memory, minimum delay and what each engine will do (volley describe --help)
      export    write the experiment as a NEST 3 simulation: volley export --nest NETWORK.json --out DIR (volley export --help)
    """

runExample("volley") {
    var arguments = Array(CommandLine.arguments.dropFirst())
    guard let command = arguments.first else { throw VolleyError.usage("missing command: run, describe or export (see volley --help)") }
    arguments.removeFirst()
    switch command {
    case "--help", "-h", "help":
        print(commands)
    case "run":
        try RunCommand.main(arguments)
    case "describe":
        try DescribeCommand.main(arguments)
    case "export":
        try ExportCommand.main(arguments)
    default:
        throw VolleyError.usage("unknown command '\(command)': run, describe or export (see volley --help)")
    }
}
