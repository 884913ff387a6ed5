#!/usr/bin/env bash
# Reproduces the CUBA table of docs/benchmarks.md: Volley's two engines on the CUBA network at
# 4000 neurons × 1 s and 10 s, and 40 000 / 100 000 neurons (out-degree 80) × 1 s.
# Each configuration runs REPS times (default 3); the median wall time is reported.
# Usage: benchmarks/cuba-scaling.sh [REPS]   (from the repository root; builds in release mode)
set -euo pipefail
reps=${1:-3}
swift build -c release --product cuba >/dev/null
bin=$(swift build -c release --show-bin-path)/cuba
configs=(
  "--neurons 4000 --duration 1000"
  "--neurons 4000 --duration 10000"
  "--neurons 40000 --duration 1000"
  "--neurons 100000 --duration 1000"
)
printf '| neurons | duration (ms) | engine | synapses | spikes | mean rate (Hz) | synaptic events | wall (s, median of %s) | synaptic events/s |\n' "$reps"
printf '|---|---|---|---|---|---|---|---|---|\n'
for cfg in "${configs[@]}"; do
  for engine in "--engine event" "--engine stepped --dt 0.1"; do
    results=()
    for _ in $(seq "$reps"); do
      results+=("$("$bin" $cfg $engine --seed 1 | tail -n 1)")
    done
    printf '%s\n' "${results[@]}" | python3 -c '
import json, sys, statistics
runs = [json.loads(l) for l in sys.stdin if l.strip()]
r = runs[0]
wall = statistics.median(x["wall_seconds"] for x in runs)
print("| %d | %g | %s | %d | %d | %.3f | %d | %.3f | %.3g |" % (r["neurons"], r["duration_ms"], r["engine"] + ("" if r["dt_ms"] is None else " (dt %g)" % r["dt_ms"]), r["synapses"], r["spikes"], r["mean_rate_hz"], r["synaptic_events"], wall, r["synaptic_events"] / wall))
'
  done
done
