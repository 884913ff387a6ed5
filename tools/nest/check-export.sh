#!/usr/bin/env bash
# Checks `volley export --nest` against NEST 3 (docs/scaling-out.md):
#  1. the feed-forward network (examples/networks/feedforward.json) exported with --precise:
#     NEST's iaf_psc_exp_ps spike times equal Volley's event-driven ones to ≤ 1e-9 ms, except at
#     threshold grazes (listed);
#  2. CUBA (cuba --write-network, 4000 neurons, 1 s) exported as iaf_psc_exp and run by NEST with
#     2 threads: the mean rate within 5 % of Volley's;
#  3. the feed-forward network with a random initial_state per neuron (v, i_exc, i_inh; seed 7),
#     exported with --precise: NEST's spike times equal Volley's to ≤ 1e-9 ms (every spike);
#  4. where PyNN is installed (tools/nest/.venv/bin/pip install PyNN), the feed-forward network
#     through run_pynn.py (PyNN's NEST backend): the same spike count, every spike within one
#     0.1 ms step (PyNN's spike sources pass grid-bound parrot neurons).
#
#   tools/nest/check-export.sh [BIN_DIR]      (default: swift build -c release --show-bin-path)
#
# Needs NEST: tools/nest/.venv (tools/nest/setup-venv.sh) or benchmarks/.venv (benchmarks/run.sh).
# Prints "skipped: …" and exits 0 when neither exists. Last line: one JSON object.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
bin=${1:-$(swift build -c release --show-bin-path)}
py=""
for candidate in tools/nest/.venv/bin/python benchmarks/.venv/bin/python; do
  if [ -x "$candidate" ] && "$candidate" -c "import nest, numpy" >/dev/null 2>&1; then py="$root/$candidate"; break; fi
done
if [ -z "$py" ]; then
  echo "skipped: NEST is not installed (tools/nest/setup-venv.sh creates tools/nest/.venv)"
  exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$bin/volley" run examples/networks/feedforward.json --spikes "$work/ff-volley.csv" >/dev/null
"$bin/volley" export --nest --precise examples/networks/feedforward.json --out "$work/ff" >/dev/null
(cd "$work" && "$py" ff/run_nest.py --out "$work/ff-nest.csv" 2>/dev/null | tail -n 1 > "$work/ff-nest.json")
"$py" tools/nest/compare_spikes.py "$work/ff-volley.csv" "$work/ff-nest.csv" --populations hidden,output | tee "$work/ff-compare.txt" | tail -n 1 > "$work/ff.json"
grep "^parted" "$work/ff-compare.txt" || true

python3 - "$work/ff-state.json" <<'PY'
import json, random, sys
s = json.load(open("examples/networks/feedforward.json"))
rng = random.Random(7)
for p in s["populations"]:
    if p.get("model") == "lif_exp":
        n, q = p["size"], p.get("parameters", {})
        v_rest, v_th = q.get("v_rest", -70), q.get("v_threshold", -55)
        p["initial_state"] = {"v": [rng.uniform(v_rest, v_th - 0.5) for _ in range(n)],
                              "i_exc": [rng.uniform(0, 10) for _ in range(n)], "i_inh": [rng.uniform(-5, 0) for _ in range(n)]}
json.dump(s, open(sys.argv[1], "w"))
PY
"$bin/volley" run "$work/ff-state.json" --spikes "$work/st-volley.csv" >/dev/null
"$bin/volley" export --nest --precise "$work/ff-state.json" --out "$work/st" >/dev/null
(cd "$work" && "$py" st/run_nest.py --out "$work/st-nest.csv" >/dev/null 2>&1)
"$py" tools/nest/compare_spikes.py "$work/st-volley.csv" "$work/st-nest.csv" --populations hidden,output | tail -n 1 > "$work/st.json"

pynn_ok=0
if "$py" -c "import pyNN.nest" >/dev/null 2>&1; then
  "$bin/volley" export --pynn --precise examples/networks/feedforward.json --out "$work/ffp" >/dev/null
  (cd "$work" && "$py" ffp/run_pynn.py --out "$work/ff-pynn.csv" 2>/dev/null | tail -n 1 > /dev/null)
  "$py" tools/nest/compare_spikes.py "$work/ff-volley.csv" "$work/ff-pynn.csv" --populations hidden,output --tolerance 0.1 | tail -n 1 > "$work/ffp.json"
  pynn_ok=1
fi

"$bin/cuba" --write-network "$work/cuba.json" > "$work/cuba-volley.txt"
"$bin/volley" export --nest "$work/cuba.json" --out "$work/cuba" >/dev/null
(cd "$work" && "$py" cuba/run_nest.py --threads 2 --out "$work/cuba-nest.csv" 2>/dev/null | tail -n 1 > "$work/cuba-nest.json")

"$py" - "$work" "$pynn_ok" <<'PY'
import json, os, sys
w = sys.argv[1]
ff = json.load(open(f"{w}/ff.json"))
st = json.load(open(f"{w}/st.json"))
volley = json.loads(open(f"{w}/cuba-volley.txt").read().splitlines()[-1])
nest = json.load(open(f"{w}/cuba-nest.json"))
sizes = {p["name"]: p["size"] for p in volley["populations"]}
v_rate = sum(p["spikes"] for p in volley["populations"]) / sum(sizes.values()) / (volley["duration_ms"] / 1000)
n_rate = sum(nest["mean_rate_hz"][name] * size for name, size in sizes.items()) / sum(sizes.values())
result = {"feedforward_neurons": ff["neurons"], "feedforward_spikes_volley": ff["spikes_a"], "feedforward_spikes_nest": ff["spikes_b"],
          "feedforward_matched": ff["matched"], "feedforward_max_abs_difference_ms": ff["max_abs_difference_ms"],
          "feedforward_parted_neurons": ff["parted_neurons"], "cuba_rate_hz_volley": v_rate, "cuba_rate_hz_nest": n_rate,
          "cuba_rate_relative_difference": abs(n_rate - v_rate) / v_rate, "cuba_nest_threads": nest["threads"],
          "cuba_nest_run_seconds": nest["run_seconds"], "cuba_volley_run_seconds": volley["run_seconds"],
          "initial_state_spikes_volley": st["spikes_a"], "initial_state_spikes_nest": st["spikes_b"], "initial_state_matched": st["matched"],
          "initial_state_max_abs_difference_ms": st["max_abs_difference_ms"]}
ok = ff["max_abs_difference_ms"] <= 1e-9 and ff["matched"] > 0.95 * ff["spikes_a"] and result["cuba_rate_relative_difference"] <= 0.05
ok = ok and st["matched"] == st["spikes_a"] == st["spikes_b"] > 0 and st["max_abs_difference_ms"] <= 1e-9
if sys.argv[2] == "1":
    ffp = json.load(open(f"{w}/ffp.json"))
    result.update({"pynn_feedforward_spikes": ffp["spikes_b"], "pynn_feedforward_matched_within_step": ffp["matched"],
                   "pynn_feedforward_max_abs_difference_ms": ffp["max_abs_difference_ms"]})
    ok = ok and ffp["spikes_b"] == ffp["spikes_a"] and ffp["parted_neurons"] == 0
else:
    result["pynn"] = "skipped (PyNN not installed)"
print(("ok: " if ok else "FAILED: ") + f"feed-forward {ff['matched']} of {ff['spikes_a']} spikes equal to {ff['max_abs_difference_ms']:.1e} ms ({ff['parted_neurons']} neurons parted at a graze); CUBA {v_rate:.3f} Hz in Volley, {n_rate:.3f} Hz in NEST ({100 * result['cuba_rate_relative_difference']:.2f} %); with a random initial_state {st['matched']} of {st['spikes_a']} spikes equal to {st['max_abs_difference_ms']:.1e} ms")
print(json.dumps(result))
sys.exit(0 if ok else 1)
PY
