/// The PyNN script `NESTExport` writes with `pynn`: the same network through PyNN's standard
/// cell types, on the simulator PyNN is given (NEST by default). Reads the same data files.
enum PyNNScript {
    static let text = #"""
#!/usr/bin/env python3
"""Runs a network exported by `volley export --pynn` through PyNN (docs/scaling-out.md).

    python run_pynn.py [--simulator nest] [--threads T] [--duration MS] [--out spikes.csv]

Builds every population as a PyNN standard cell type (IF_curr_exp, IF_curr_delta, IF_cond_exp,
EIF_cond_exp_isfa_ista) from the NEST parameters in nest-network.json (units converted: pF → nF,
pA → nA, nS → µS), sources as SpikeSourceArray, projections with FromListConnector from the
.npy synapse lists (current-based weights routed by sign, conductances by receptor), records the
spikes of the recorded populations and writes population,neuron,time_ms sorted by time then
global id. With a precise export, PyNN's NEST backend runs with spike_precision="off_grid".
The last stdout line is one JSON object.
"""
import argparse, importlib, json, os, sys, time
import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
spec = json.load(open(os.path.join(here, "nest-network.json")))
parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--simulator", default="nest", help="PyNN backend module (pyNN.<simulator>)")
parser.add_argument("--threads", type=int, default=1)
parser.add_argument("--duration", type=float, default=spec["duration_ms"])
parser.add_argument("--out", default="spikes.csv")
args = parser.parse_args()
sim = importlib.import_module(f"pyNN.{args.simulator}")

def load(name):
    return np.load(os.path.join(here, name))

def cell(p):
    m, q = p["nest_model"], p["params"]
    if m in ("iaf_psc_exp", "iaf_psc_exp_ps"):
        return sim.IF_curr_exp(cm=q["C_m"] / 1000, tau_m=q["tau_m"], tau_syn_E=q["tau_syn_ex"], tau_syn_I=q["tau_syn_in"],
                               tau_refrac=q["t_ref"], v_rest=q["E_L"], v_reset=q["V_reset"], v_thresh=q["V_th"], i_offset=q["I_e"] / 1000), "current", 1e-3
    if m in ("iaf_psc_delta", "iaf_psc_delta_ps"):
        return sim.IF_curr_delta(cm=q["C_m"] / 1000, tau_m=q["tau_m"], tau_refrac=q["t_ref"], v_rest=q["E_L"], v_reset=q["V_reset"],
                                 v_thresh=q["V_th"], i_offset=q["I_e"] / 1000), "current", 1.0
    if m == "iaf_cond_exp":
        return sim.IF_cond_exp(cm=q["C_m"] / 1000, tau_m=q["C_m"] / q["g_L"], tau_refrac=q["t_ref"], v_rest=q["E_L"], v_reset=q["V_reset"],
                               v_thresh=q["V_th"], e_rev_E=q["E_ex"], e_rev_I=q["E_in"], tau_syn_E=q["tau_syn_ex"], tau_syn_I=q["tau_syn_in"],
                               i_offset=q["I_e"] / 1000), "conductance", 1e-3
    if m == "aeif_cond_exp":
        return sim.EIF_cond_exp_isfa_ista(cm=q["C_m"] / 1000, tau_m=q["C_m"] / q["g_L"], v_rest=q["E_L"], v_thresh=q["V_th"], delta_T=q["Delta_T"],
                                          a=q["a"], b=q["b"] / 1000, tau_w=q["tau_w"], v_reset=q["V_reset"], v_spike=q["V_peak"], tau_refrac=q["t_ref"],
                                          e_rev_E=q["E_ex"], e_rev_I=q["E_in"], tau_syn_E=q["tau_syn_ex"], tau_syn_I=q["tau_syn_in"], i_offset=q["I_e"] / 1000), "conductance", 1e-3
    sys.exit(f"run_pynn.py: error: population '{p['name']}': {m} has no PyNN standard cell type here")

delays = np.concatenate([load(q["delays"]) for q in spec["projections"] if q["synapses"] > 0] or [np.array([spec["resolution_ms"]])])
setup = {"timestep": spec["resolution_ms"], "min_delay": float(delays.min()), "threads": args.threads}
if args.simulator == "nest":
    setup["spike_precision"] = "off_grid" if spec["precise"] else "on_grid"
t0 = time.time()
sim.setup(**setup)
pops, kinds = [], []
for p in spec["populations"]:
    if p["nest_model"] == "spike_generator":
        times, starts = load(p["spike_times"]), load(p["spike_starts"])
        trains = [sim.Sequence([float(t) for t in times[starts[i]:starts[i + 1]]]) for i in range(p["size"])]
        pops.append(sim.Population(p["size"], sim.SpikeSourceArray(spike_times=trains), label=p["name"]))
        kinds.append(None)
        continue
    celltype, kind, scale = cell(p)
    pop = sim.Population(p["size"], celltype, label=p["name"])
    if "v_m" in p:
        pop.initialize(v=load(p["v_m"]))
    if "V_m" in p.get("state", {}):  # initial_state's v (the export refuses its other variables)
        pop.initialize(v=load(p["state"]["V_m"]))
    if p["record"]:
        pop.record("spikes")
    pops.append(pop)
    kinds.append((kind, scale))
for q in spec["projections"]:
    if q["synapses"] == 0:
        continue
    kind, scale = kinds[q["target"]]
    s, t, w, d = load(q["sources"]), load(q["targets"]), load(q["weights"]) * scale, load(q["delays"])
    if kind == "current":
        groups = [("excitatory", w >= 0), ("inhibitory", w < 0)]
    else:  # conductances: the export negated receptor 1 for NEST's sign routing
        groups = [("excitatory" if q["receptor"] == 0 else "inhibitory", np.ones(len(w), bool))]
        w = np.abs(w)
    for receptor, mask in groups:
        if mask.any():
            rows = np.column_stack([s[mask], t[mask], w[mask], d[mask]])
            sim.Projection(pops[q["source"]], pops[q["target"]], sim.FromListConnector(rows, column_names=["weight", "delay"]),
                           receptor_type=receptor)
build = time.time() - t0
t1 = time.time()
sim.run(args.duration)
run = time.time() - t1
rows, rates = [], {}
offset = 0
for p, pop in zip(spec["populations"], pops):
    if p["nest_model"] != "spike_generator" and p["record"]:
        count = 0
        for train in pop.get_data("spikes").segments[0].spiketrains:
            i = int(train.annotations["source_index"])
            for t in train.magnitude:
                rows.append((float(t), offset + i, p["name"], i))
                count += 1
        rates[p["name"]] = count / p["size"] / (args.duration / 1000)
    offset += p["size"]
rows.sort()
with open(args.out, "w") as f:
    f.write("population,neuron,time_ms\n")
    for t, _, name, i in rows:
        f.write(f"{name},{i},{t!r}\n")
sim.end()
print(json.dumps({"simulator": f"pyNN.{args.simulator}", "threads": args.threads, "build_seconds": build, "run_seconds": run,
                  "spikes": len(rows), "mean_rate_hz": rates, "spikes_file": args.out}))
"""#
}
