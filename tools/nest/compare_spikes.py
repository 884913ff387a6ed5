#!/usr/bin/env python3
"""Compares two spike CSVs (population,neuron,time_ms), neuron by neuron, in time order.

    python compare_spikes.py volley.csv nest.csv [--populations a,b] [--tolerance 1e-9]

Spikes are paired in order per neuron while both trains agree to within --tolerance ms. A neuron
whose trains part (a spike one simulator has and the other lacks — at a threshold graze, a
crossing inside one step that the other misses) is listed with the first differing spike, and
its later spikes are not compared (after a missing spike the trajectories differ). The last line
is JSON: neurons, spikes in each file, matched spikes, max_abs_difference_ms over matched spikes,
parted_neurons, and the first parting of each such neuron.
"""
import argparse, collections, csv, json, sys

ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
ap.add_argument("a"); ap.add_argument("b")
ap.add_argument("--populations", help="comma-separated populations to compare (default: every population in both files)")
ap.add_argument("--tolerance", type=float, default=1e-9, help="ms")
args = ap.parse_args()

def load(path):
    trains = collections.defaultdict(list)
    with open(path) as f:
        for row in csv.DictReader(f):
            trains[(row["population"], int(row["neuron"]))].append(float(row["time_ms"]))
    return trains

a, b = load(args.a), load(args.b)
pops = set(args.populations.split(",")) if args.populations else {k[0] for k in a} & {k[0] for k in b}
keys = sorted(k for k in set(a) | set(b) if k[0] in pops)
matched, worst, parted = 0, 0.0, []
for k in keys:
    x, y = sorted(a.get(k, [])), sorted(b.get(k, []))
    for i in range(max(len(x), len(y))):
        s = x[i] if i < len(x) else None
        t = y[i] if i < len(y) else None
        if s is None or t is None or abs(s - t) > args.tolerance:
            parted.append({"population": k[0], "neuron": k[1], "spike": i, "a_ms": s, "b_ms": t})
            break
        matched += 1
        worst = max(worst, abs(s - t))
for p in parted:
    print(f"parted: {p['population']} {p['neuron']}, spike {p['spike']}: {p['a_ms']} vs {p['b_ms']}")
print(json.dumps({"neurons": len(keys), "spikes_a": sum(len(a[k]) for k in keys if k in a),
                  "spikes_b": sum(len(b[k]) for k in keys if k in b), "matched": matched,
                  "max_abs_difference_ms": worst, "parted_neurons": len(parted), "partings": parted}))
