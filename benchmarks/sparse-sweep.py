#!/usr/bin/env python3
"""The sparse (pacemaker) family of the CUBA network: event-driven against time-stepped Volley.

usage: python3 benchmarks/sparse-sweep.py [REPS]   (from the package root; default 3 repetitions)

Builds the `cuba` example twice (default and VOLLEY_NATIVE=1 into .build-native), then for each
point (F = fraction of pacemakers, Q = the quiet neurons' E_L in mV) runs
`cuba --duration 10000 --pacemakers F --quiet-drive Q --engine event|stepped` with seed 1,
alternating the four runs, and prints the median run times and the event-driven speed-ups
(one line per point, then one JSON object with every point). Python standard library only.
"""
import json
import os
import statistics
import subprocess
import sys

POINTS = [(0.01, -52), (0.02, -52), (0.035, -52), (0.05, -52), (0.07, -52), (0.07, -55), (0.05, -51.4)]
BUILDS = {"default": ".build", "native": ".build-native"}


def build():
    subprocess.run(["swift", "build", "-c", "release", "--product", "cuba"], check=True,
                   stdout=subprocess.DEVNULL)
    subprocess.run(["swift", "build", "-c", "release", "--product", "cuba", "--build-path", ".build-native"],
                   check=True, stdout=subprocess.DEVNULL, env={**os.environ, "VOLLEY_NATIVE": "1"})


def run(binary, engine, f, q):
    args = [binary, "--duration", "10000", "--pacemakers", str(f), "--quiet-drive", str(q),
            "--engine", engine, "--seed", "1"]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1]
    return json.loads(out)


def main():
    reps = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    build()
    results = []
    for f, q in POINTS:
        runs = {}
        for _ in range(reps):
            for build_name, path in BUILDS.items():
                for engine in ("event", "stepped"):
                    runs.setdefault((build_name, engine), []).append(run(f"{path}/release/cuba", engine, f, q))
        median = {k: statistics.median(r["run_seconds"] for r in v) for k, v in runs.items()}
        event = runs[("default", "event")][0]
        point = {
            "pacemakers": f, "quiet_drive_mv": q, "mean_rate_hz": event["mean_rate_hz"],
            "synaptic_events": event["synaptic_events"], "wake_ups": event["wake_ups"],
            "event_seconds": median[("default", "event")], "stepped_seconds": median[("default", "stepped")],
            "event_native_seconds": median[("native", "event")],
            "stepped_native_seconds": median[("native", "stepped")],
        }
        point["speedup"] = point["stepped_seconds"] / point["event_seconds"]
        point["speedup_native"] = point["stepped_native_seconds"] / point["event_native_seconds"]
        results.append(point)
        print(f"F {f} Q {q} mV: {point['mean_rate_hz']:.3f} Hz, {point['synaptic_events'] / 1e6:.2f} M synaptic events; "
              f"event-driven {point['event_seconds']:.3f} / {point['event_native_seconds']:.3f} s, "
              f"time-stepped {point['stepped_seconds']:.3f} / {point['stepped_native_seconds']:.3f} s "
              f"(default / native): {point['speedup']:.1f}x / {point['speedup_native']:.1f}x", flush=True)
    print(json.dumps({"reps": reps, "points": results}))


if __name__ == "__main__":
    main()
