// SpikeProp on Fisher's Iris data (150 samples, 4 features, 3 classes), after Bohte, Kok &
// La Poutré (2002): Gaussian receptive fields per feature plus a reference neuron, 10 hidden SRM
// neurons, 3 outputs, 16 delayed terminals per connection; stratified 10-fold cross-validation.
// The paper used 12 fields per feature; 6 generalise better here (`--fields 12` for the paper's).
//
//   swift run -c release iris-spikeprop --data ../shared/datasets/uci/iris.csv

import Volley
import VolleyExamples

var defaults = SpikePropClassifierSetup()
defaults.fieldsPerFeature = 6
defaults.hidden = 10
defaults.epochs = 150
defaults.folds = 10
// Training-time jitter of the input spike times (SD 1 ms), chosen on the folds of seed 100.
defaults.inputJitter = 1
// The other classes' outputs must fire at 20 ms or later (relaxed late target; 16 ms in the
// paper's XOR): a wider margin to the 12 ms target of the sample's class. Chosen on the folds of
// seed 100 (96.67% → 97.33% there) among 11 variants; seeds 1–5 are held out.
defaults.lateTarget = 20

var quick = defaults
quick.epochs = 20
quick.folds = 3

runExample("iris-spikeprop") {
    try runSpikePropClassificationExample(
        program: "iris-spikeprop", title: "Iris", defaultDataFile: "iris.csv", defaults: defaults, quick: quick)
}
