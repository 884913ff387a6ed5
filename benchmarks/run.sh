#!/usr/bin/env bash
# Side-by-side benchmark of Volley against NEST and Brian2 on the identical CUBA network
# (docs/benchmarks.md, "At a glance") and the COBA network (Brette et al. 2007 benchmark 1:
# Volley's `coba` example, NEST iaf_cond_exp, Brian2). Not part of `swift test` or CI.
#
#   benchmarks/run.sh [REPS]        (from anywhere; default REPS = 3)
#   ONLY='4000 x 10 s|100000 x 1 s' SIMS='volley-stepped volley-stepped-native brian2-standalone' \
#     MARKER=lanes benchmarks/run.sh 3   (a subset: configurations whose label matches the regex
#     ONLY, simulators in SIMS; the table goes between the MARKER markers of docs/benchmarks.md)
#
# 1. creates benchmarks/.venv with pinned peers (PyPI: nest-simulator, brian2, numpy);
# 2. builds Volley's `cuba` example in release mode — the default (portable) build and the
#    VOLLEY_NATIVE=1 build for this CPU (Package.swift) — and the machine probes (gcc): memory
#    latency, and the two-thread ceiling of a stepped update (benchmarks/thread-scaling.c);
# 3. for every configuration, REPS rounds; each round runs every simulator once, in turn
#    (alternating, so that drifts of the machine hit all alike); seed 1 everywhere;
# 4. writes the raw JSON lines to benchmarks/results/<stamp>.jsonl and the table of medians and
#    ratios between the markers of docs/benchmarks.md.
# Threads: every simulator runs on one thread unless its name ends in -2t (two threads: Volley's
# --threads 2, Brian2's OpenMP threads, NEST's local_num_threads), e.g.
#   ONLY='4000 x 10 s|100000 x 1 s' SIMS='volley-stepped volley-stepped-2t' MARKER=threads benchmarks/run.sh 5
# ONCE='100000 x 1 s:nest.*' runs the matching label:simulator pairs in the first round only.
# Brian2's runtime (Cython) target runs only at 4000 × 1 s: it needs ≈ 27 s per simulated second
# there, the other sizes would take hours.
set -euo pipefail
cd "$(dirname "$0")/.."
reps=${1:-3}
venv=benchmarks/.venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --upgrade pip
fi
"$venv/bin/pip" install -q nest-simulator==3.10.0 brian2==2.9.0 numpy==2.2.6
py="$venv/bin/python"

swift build -c release --product cuba >/dev/null
swift build -c release --product coba >/dev/null
bin=$(swift build -c release --show-bin-path)/cuba
coba=$(swift build -c release --show-bin-path)/coba
VOLLEY_NATIVE=1 swift build -c release --product cuba --build-path .build-native >/dev/null
native=.build-native/release/cuba
mkdir -p benchmarks/results
stamp=$(date +%Y%m%d-%H%M%S)
raw=benchmarks/results/$stamp.jsonl
gcc -O2 -o benchmarks/results/memory-latency benchmarks/memory-latency.c
benchmarks/results/memory-latency | tail -n 1 | sed 's/^{/{"label":"probe",/' >>"$raw"
gcc -O3 -pthread -o benchmarks/results/thread-scaling benchmarks/thread-scaling.c
benchmarks/results/thread-scaling | tail -n 1 | sed 's/^{/{"label":"probe",/' >>"$raw"

# label | neurons | duration (ms) | E_L (mV) | simulators | extra network options (all simulators)
# (labels starting with COBA run the COBA network: its drive is fixed, E_L is ignored)
# The sparse row: 7 % of each type are pacemakers (E_L = -49 mV), the others sit 2 mV below
# threshold (E_L = -52 mV) and fire only from recurrent input: ≈ 1 Hz mean (docs/benchmarks.md).
configs=(
  "4000 x 1 s|4000|1000|-49|volley-event volley-event-native volley-stepped volley-stepped-native brian2-standalone brian2-runtime nest"
  "4000 x 10 s|4000|10000|-49|volley-event volley-event-native volley-event-2t volley-event-native-2t volley-stepped volley-stepped-native volley-stepped-2t volley-stepped-native-2t brian2-standalone brian2-standalone-2t nest nest-2t nest-ps nest-ps-2t"
  "40000 x 1 s|40000|1000|-49|volley-event volley-event-native volley-stepped volley-stepped-native brian2-standalone nest"
  "100000 x 1 s|100000|1000|-49|volley-event volley-event-native volley-event-2t volley-event-native-2t volley-stepped volley-stepped-native volley-stepped-2t volley-stepped-native-2t brian2-standalone brian2-standalone-2t nest nest-2t nest-ps nest-ps-2t"
  "low drive 4000 x 10 s|4000|10000|-49.99|volley-event volley-event-native volley-stepped volley-stepped-native brian2-standalone nest"
  "sparse 1 Hz 4000 x 10 s|4000|10000|-49|volley-event volley-event-native volley-stepped volley-stepped-native brian2-standalone nest|--pacemakers 0.07 --quiet-drive -52"
  "COBA 4000 x 1 s|4000|1000|-|volley-event volley-stepped volley-stepped-euler brian2-standalone nest"
)
only=${ONLY:-.}
for cfg in "${configs[@]}"; do
  IFS='|' read -r label n dur drive sims extra <<<"$cfg"
  [[ $label =~ ^($only)$ || $only == . ]] || continue
  if [ -n "${SIMS:-}" ]; then
    keep=""
    for sim in $sims; do [[ " $SIMS " == *" $sim "* ]] && keep="$keep $sim"; done
    sims=$keep
  fi
  for rep in $(seq "$reps"); do
    for sim in $sims; do
      # ONCE: 'label:sim' pairs (a regex) that run in the first round only (NEST builds the
      # 100 000-neuron network for minutes); the table names them.
      if [ "$rep" -gt 1 ] && [ -n "${ONCE:-}" ] && [[ "$label:$sim" =~ ^(${ONCE})$ ]]; then continue; fi
      common=(--neurons "$n" --duration "$dur" --seed 1)
      if [[ $label == COBA* ]]; then
        case $sim in
          volley-event) line=$("$coba" "${common[@]}" --engine event --threads 1 | tail -n 1) ;;
          volley-stepped) line=$("$coba" "${common[@]}" --engine stepped --dt 0.1 --threads 1 | tail -n 1) ;;
          volley-stepped-euler) line=$("$coba" "${common[@]}" --engine stepped --dt 0.1 --integration euler --threads 1 | tail -n 1) ;;
          brian2-standalone) line=$("$py" benchmarks/peers/coba_brian2.py --target cpp_standalone "${common[@]}" 2>/dev/null | tail -n 1) ;;
          nest) line=$("$py" benchmarks/peers/coba_nest.py "${common[@]}" 2>/dev/null | tail -n 1) ;;
        esac
      else
        common+=(--drive "$drive")
        # shellcheck disable=SC2206
        if [ -n "$extra" ]; then common+=($extra); fi
        case $sim in
          volley-event) line=$("$bin" "${common[@]}" --engine event --threads 1 | tail -n 1) ;;
          volley-event-native) line=$("$native" "${common[@]}" --engine event --threads 1 | tail -n 1) ;;
          volley-event-2t) line=$("$bin" "${common[@]}" --engine event --threads 2 | tail -n 1) ;;
          volley-event-native-2t) line=$("$native" "${common[@]}" --engine event --threads 2 | tail -n 1) ;;
          volley-stepped) line=$("$bin" "${common[@]}" --engine stepped --dt 0.1 --threads 1 | tail -n 1) ;;
          volley-stepped-native) line=$("$native" "${common[@]}" --engine stepped --dt 0.1 --threads 1 | tail -n 1) ;;
          volley-stepped-2t) line=$("$bin" "${common[@]}" --engine stepped --dt 0.1 --threads 2 | tail -n 1) ;;
          volley-stepped-native-2t) line=$("$native" "${common[@]}" --engine stepped --dt 0.1 --threads 2 | tail -n 1) ;;
          brian2-standalone) line=$("$py" benchmarks/peers/cuba_brian2.py --target cpp_standalone "${common[@]}" 2>/dev/null | tail -n 1) ;;
          brian2-standalone-2t) line=$("$py" benchmarks/peers/cuba_brian2.py --target cpp_standalone --threads 2 "${common[@]}" 2>/dev/null | tail -n 1) ;;
          brian2-runtime) line=$("$py" benchmarks/peers/cuba_brian2.py --target runtime "${common[@]}" 2>/dev/null | tail -n 1) ;;
          nest) line=$("$py" benchmarks/peers/cuba_nest.py "${common[@]}" 2>/dev/null | tail -n 1) ;;
          nest-2t) line=$("$py" benchmarks/peers/cuba_nest.py --threads 2 "${common[@]}" 2>/dev/null | tail -n 1) ;;
          nest-ps) line=$("$py" benchmarks/peers/cuba_nest.py --model iaf_psc_exp_ps "${common[@]}" 2>/dev/null | tail -n 1) ;;
          nest-ps-2t) line=$("$py" benchmarks/peers/cuba_nest.py --model iaf_psc_exp_ps --threads 2 "${common[@]}" 2>/dev/null | tail -n 1) ;;
        esac
      fi
      printf '{"label":"%s","sim":"%s","rep":%d,"result":%s}\n' "$label" "$sim" "$rep" "$line" >>"$raw"
      echo "$label  $sim  rep $rep: $(printf '%s' "$line" | "$py" -c 'import json,sys; d=json.loads(sys.stdin.read()); print("run %.3f s, %.3f Hz" % (d.get("run_seconds") or d["wall_seconds"], d["mean_rate_hz"]))')" >&2
    done
  done
done

command="benchmarks/run.sh $reps"
[ -n "${ONLY:-}${SIMS:-}" ] && command="ONLY='${ONLY:-.}' SIMS='${SIMS:-all}' MARKER=${MARKER:-peers} $command"
[ -n "${ONCE:-}" ] && command="ONCE='$ONCE' $command"
"$py" benchmarks/summarize.py "$raw" docs/benchmarks.md "${MARKER:-peers}" "$command"
echo "raw results: $raw; table written to docs/benchmarks.md" >&2
