/// The script `NESTExport` writes beside the data: builds the exported network in NEST 3, runs it
/// and writes the spikes. Needs `nest` (PyPI `nest-simulator`) and NumPy; runs under MPI as is.
enum NESTScript {
    static let text = #"""
#!/usr/bin/env python3
"""Runs a network exported by `volley export --nest` in NEST 3 (docs/scaling-out.md).

    python run_nest.py [--threads T] [--duration MS] [--out spikes.csv]
    mpirun -np K python run_nest.py --threads T        # K processes with T threads each

Builds every population with the NEST model and parameters in nest-network.json, connects the
exact synapse lists of the .npy files (one_to_one, per-synapse weights and delays), records the
spikes of the recorded populations, simulates, and writes population,neuron,time_ms sorted by
time then global id (under MPI: one file per process, spikes.rank-R.csv). The last stdout line
is one JSON object: simulator, nest_version, model per population, processes, threads,
build_seconds, run_seconds, spikes, mean_rate_hz per population.
"""
import argparse, json, os, sys, time
import numpy as np
import nest

here = os.path.dirname(os.path.abspath(__file__))
spec = json.load(open(os.path.join(here, "nest-network.json")))
parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--threads", type=int, default=1, help="threads per process (local_num_threads)")
parser.add_argument("--duration", type=float, default=spec["duration_ms"], help="simulated time (ms)")
parser.add_argument("--out", default="spikes.csv", help="spike CSV (population,neuron,time_ms)")
args = parser.parse_args()
if args.threads < 1 or not args.duration > 0:
    sys.exit("run_nest.py: error: --threads must be >= 1 and --duration > 0")

def load(name):
    return np.load(os.path.join(here, name))

t0 = time.time()
try:
    nest.verbosity = nest.VerbosityLevel.ERROR
except AttributeError:  # NEST before 3.9
    nest.set_verbosity("M_ERROR")
nest.ResetKernel()
nest.SetKernelStatus({"resolution": spec["resolution_ms"], "local_num_threads": args.threads, "print_time": False})
nodes, recorders = [], {}
for p in spec["populations"]:
    if p["nest_model"] == "spike_generator":
        times, starts = load(p["spike_times"]), load(p["spike_starts"])
        gens = nest.Create("spike_generator", p["size"], params={"precise_times": True} if spec["precise"] else {"allow_offgrid_times": True})
        for i, g in enumerate(gens):
            train = times[starts[i]:starts[i + 1]]
            if len(train):
                g.set({"spike_times": [float(t) for t in train]})
        nodes.append(gens)
    else:
        pop = nest.Create(p["nest_model"], p["size"], params=p["params"])
        if "v_m" in p:
            pop.set({"V_m": [float(v) for v in load(p["v_m"])]})
        for name, path in sorted(p.get("state", {}).items()):  # initial_state, in NEST's variables
            pop.set({name: [float(x) for x in load(path)]})
        nodes.append(pop)
        if p["record"]:
            recorders[len(nodes) - 1] = nest.Create("spike_recorder")
            nest.Connect(pop, recorders[len(nodes) - 1])
for q in spec["projections"]:
    if q["synapses"] == 0:
        continue
    pre = np.asarray(nodes[q["source"]].tolist())[load(q["sources"])]
    post = np.asarray(nodes[q["target"]].tolist())[load(q["targets"])]
    nest.Connect(pre, post, "one_to_one", {"synapse_model": "static_synapse", "weight": load(q["weights"]), "delay": load(q["delays"])})
build = time.time() - t0
t1 = time.time()
nest.Simulate(args.duration)
run = time.time() - t1

rows, rates = [], {}
for k, rec in recorders.items():
    p = spec["populations"][k]
    ev = rec.get("events")
    first = nodes[k][0].global_id
    offset = sum(q["size"] for q in spec["populations"][:k])
    for sender, t in zip(ev["senders"], ev["times"]):
        rows.append((float(t), offset + int(sender) - first, p["name"], int(sender) - first))
    rates[p["name"]] = len(ev["times"]) / p["size"] / (args.duration / 1000)
rows.sort()
processes = nest.NumProcesses()
out = args.out if processes == 1 else args.out.replace(".csv", "") + f".rank-{nest.Rank()}.csv"
with open(out, "w") as f:
    f.write("population,neuron,time_ms\n")
    for t, _, name, i in rows:
        f.write(f"{name},{i},{t!r}\n")
print(json.dumps({"simulator": "nest", "nest_version": nest.__version__, "processes": processes, "threads": args.threads,
                  "models": {p["name"]: p["nest_model"] for p in spec["populations"]}, "build_seconds": build,
                  "run_seconds": run, "spikes": len(rows), "mean_rate_hz": rates, "spikes_file": out}))
"""#
}
