import Foundation
import Volley

/// The class-score options the STBP examples share: `--readout spike-count|potential` (output
/// spike counts, or the mean potential of a non-spiking output layer) and `--loss ce|mse`
/// (cross-entropy of softmax(scores), or STBP's MSE on output rates). One of the two given picks
/// its partner (spike-count → mse, potential → ce; mse → spike-count); mse with the potential
/// readout is a usage error naming `--loss`. `--tie-break none|first-spike` decides between
/// classes tied at the highest spike count (`STBPTieBreak`).
public enum STBPReadoutOptions {
    /// Declares the options on `cli`; `readoutDefault`/`lossDefault` describe the example's defaults.
    public static func declare(_ cli: inout CommandOptions, readoutDefault: String, lossDefault: String) {
        cli.option("loss", value: "ce|mse", default: "\(lossDefault); ce with --readout potential, mse with --readout spike-count", help: "cross-entropy of softmax(class scores), or STBP's MSE on output rates (spike-count readout)")
        cli.option("readout", value: "spike-count|potential", default: "\(readoutDefault); spike-count with --loss mse", help: "class scores: output spike counts, or the mean potential of a non-spiking output layer")
        cli.option("tie-break", value: "first-spike|none", default: "first-spike", help: "spike-count readout: classes tied at the highest count are decided by the earliest first output spike, or stay undecided (counted as errors)")
    }

    /// The spike-count readout's tie-break (`--tie-break`).
    public static func tieBreak(_ cli: CommandOptions) throws -> STBPTieBreak {
        STBPTieBreak(rawValue: try cli.choice("tie-break", STBPTieBreak.allCases.map(\.rawValue)))!
    }

    /// The readout and loss: the ones given, a given one's partner, or `readout` with its partner.
    public static func parse(_ cli: CommandOptions, default readout: STBPNetwork.Readout) throws -> (readout: STBPNetwork.Readout, loss: STBPLoss) {
        let chosenLoss = cli.isSet("loss") ? STBPLoss(rawValue: try cli.choice("loss", ["ce", "mse"]))! : nil
        let chosenReadout = cli.isSet("readout") ? STBPNetwork.Readout(rawValue: try cli.choice("readout", ["spike-count", "potential"]))! : nil
        let chosen = chosenReadout ?? (chosenLoss == .rateMSE ? .spikeCount : readout)
        let loss = chosenLoss ?? (chosen == .potential ? .crossEntropy : .rateMSE)
        if loss == .rateMSE && chosen == .potential {
            throw VolleyError.usage("option '--loss': mse needs '--readout spike-count' (rates of spiking outputs)")
        }
        return (chosen, loss)
    }
}
