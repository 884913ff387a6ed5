#!/usr/bin/env bash
# What two threads can gain on this machine, measured with Volley itself: each engine on CUBA
# 4000 x 10 s and 100 000 x 1 s (seed 1), one thread alone, two independent one-thread runs at
# the same time (each on its own core, nothing shared but the machine), and one run on two
# threads. If the side-by-side runs each take s times as long as a run alone, no two-thread run
# of the same work can be more than 2/s times as fast as one thread: that is the ceiling the
# table compares the two-thread speed-up with. Medians of REPS alternating rounds (default 5).
# Usage: benchmarks/thread-ceiling.sh [REPS]   (from the repository root; builds in release mode)
set -euo pipefail
reps=${1:-5}
swift build -c release --product cuba >/dev/null
bin=$(swift build -c release --show-bin-path)/cuba
raw=$(mktemp)
trap 'rm -f "$raw" "$raw".a "$raw".b' EXIT
configs=("4000 x 10 s|4000|10000" "100000 x 1 s|100000|1000")
for cfg in "${configs[@]}"; do
  IFS='|' read -r label n dur <<<"$cfg"
  for engine in event stepped; do
    args=(--neurons "$n" --duration "$dur" --seed 1 --engine "$engine")
    [ "$engine" = stepped ] && args+=(--dt 0.1)
    for _ in $(seq "$reps"); do
      alone=$("$bin" "${args[@]}" --threads 1 | tail -n 1)
      "$bin" "${args[@]}" --threads 1 | tail -n 1 >"$raw".a &
      "$bin" "${args[@]}" --threads 1 | tail -n 1 >"$raw".b &
      wait
      two=$("$bin" "${args[@]}" --threads 2 | tail -n 1)
      printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$label" "$engine" "$alone" "$(cat "$raw".a)" "$(cat "$raw".b)" "$two" >>"$raw"
    done
  done
done
python3 - "$raw" "$reps" <<'EOF'
import json, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    label, engine, *runs = line.rstrip("\n").split("\t")
    alone, a, b, two = (json.loads(r)["run_seconds"] for r in runs)
    rows.setdefault((label, engine), []).append((alone, (a + b) / 2, two))
print("| network | engine | one thread alone (s) | two one-thread runs side by side (s, mean of the pair) | slow-down side by side | ceiling 2/slow-down | two threads (s) | two-thread speed-up | its range over the rounds | share of the ceiling |")
print("|---|---|---|---|---|---|---|---|---|---|")
for (label, engine), r in rows.items():
    alone = statistics.median(x[0] for x in r)
    pair = statistics.median(x[1] for x in r)
    two = statistics.median(x[2] for x in r)
    slow = pair / alone
    ceiling = 2 / slow
    speedup = alone / two
    rounds = [x[0] / x[2] for x in r]
    print(f"| {label} | {engine} | {alone:.3f} | {pair:.3f} | {slow:.2f}× | {ceiling:.2f}× | {two:.3f} | {speedup:.2f}× | {min(rounds):.2f}–{max(rounds):.2f}× | {speedup / ceiling:.0%} |")
print(f"\nMedians of {sys.argv[2]} alternating rounds, seed 1, default build; the range is that of one round's one-thread time over its two-thread time.")
EOF
