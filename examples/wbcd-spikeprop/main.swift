// SpikeProp on the Wisconsin diagnostic breast cancer data (WDBC: 569 samples, 30 features,
// 2 classes). Bohte et al. (2002) used the original 9-feature Wisconsin set (699 samples) with 7
// receptive fields per feature and 15 hidden neurons; the same architecture is applied here to
// the 30-feature WDBC file (docs/spikeprop.md). Stratified 10-fold cross-validation; the output
// loss is cross-entropy over first-spike times by default, SpikeProp's squared error with
// `--loss mse`.
//
//   swift run -c release wbcd-spikeprop --data ../shared/datasets/uci/breast_cancer_wdbc.csv

import Volley
import VolleyExamples

var defaults = SpikePropClassifierSetup()
defaults.fieldsPerFeature = 7
defaults.hidden = 15
defaults.epochs = 60
defaults.folds = 10
// Training-time jitter of the input spike times (SD 1 ms), chosen on the folds of seed 100.
defaults.inputJitter = 1
// Chosen on the folds of seed 100 (docs/spikeprop.md): cross-entropy of softmax(−t/1 ms) over
// the output first-spike times generalises better here than SpikeProp's squared time error
// (`--loss mse`).
defaults.crossEntropyTemperature = 1

var quick = defaults
quick.epochs = 10
quick.folds = 3
quick.fieldsPerFeature = 4

runExample("wbcd-spikeprop") {
    try runSpikePropClassificationExample(
        program: "wbcd-spikeprop", title: "Wisconsin breast cancer (WDBC)", defaultDataFile: "breast_cancer_wdbc.csv",
        defaults: defaults, quick: quick)
}
