#!/usr/bin/env bash
# A classifier trained in snnTorch, exported to NIR, converted by nir_volley.py and run by Volley
# on the same test spike trains, in the exact event-driven engine and the time-stepped one
# (docs/nir.md, "A model trained elsewhere").
#
#   tools/nir/foreign/run.sh WDBC_CSV [SEED]      e.g. tools/nir/foreign/run.sh ../shared/datasets/uci/breast_cancer_wdbc.csv
#
# Needs tools/nir/setup-foreign.sh. Last line: JSON with both accuracies and the agreement of the
# predictions, sample by sample.
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
data=$1
seed=${2:-1}
py="$root/tools/nir/.venv/bin/python"
bin=$(cd "$root" && swift build -c release --show-bin-path)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$py" "$root/tools/nir/foreign/snntorch_wdbc.py" --data "$data" --out "$work" --seed "$seed" | tail -n 1
"$py" "$root/tools/nir/nir_volley.py" to-volley "$work/model.nir" -o "$work/network.json" --input-dt 1e-4 >/dev/null
for engine in "event" "stepped --dt 0.1" "stepped --dt 0.01"; do
  name=$(echo "$engine" | tr -d ' -' | sed 's/dt//')
  # shellcheck disable=SC2086
  "$bin/volley" run "$work/network.json" --samples "$work/test-samples.json" --engine $engine --predictions "$work/volley-$name.csv" | tail -n 1 > "$work/volley-$name.json"
done
"$py" - "$work" <<'PY'
import csv, glob, json, os, sys
w = sys.argv[1]
torch = json.load(open(f"{w}/snntorch.json"))
out = {"seed": torch["seed"], "test_samples": torch["test_samples"], "snntorch_test_accuracy": torch["test_accuracy"],
       "snntorch_validation_accuracy": torch["validation_accuracy"], "best_epoch": torch["best_epoch"]}
for path in sorted(glob.glob(f"{w}/volley-*.json")):
    name = os.path.basename(path)[len("volley-"):-len(".json")]
    r = json.load(open(path))
    preds = [int(row["prediction"]) if row["prediction"] else -1 for row in csv.DictReader(open(f"{w}/volley-{name}.csv"))]
    agree = sum(a == b for a, b in zip(preds, torch["test_predictions"])) / len(preds)
    out[f"volley_{name}_test_accuracy"] = r["accuracy"]
    out[f"volley_{name}_agreement_with_snntorch"] = agree
    out[f"volley_{name}_spikes_per_sample"] = r["spikes_per_sample"]
print(json.dumps(out))
PY
