"""The CUBA network of Volley's `cuba` example, in NEST (iaf_psc_exp or iaf_psc_exp_ps; one thread unless --threads).

Same network as examples/cuba/main.swift (see benchmarks/peers/cuba_brian2.py for the parameter
list). NEST's iaf_psc_exp takes currents in pA and a capacitance: with C_m = 250 pF and
tau_m = 20 ms, a jump of w mV in R·I is a PSC amplitude of w·C_m/tau_m pA (1.62 mV -> 20.25 pA,
-9 mV -> -112.5 pA), so the dynamics are identical. Resolution 0.1 ms, every delay 0.1 ms,
pairwise_bernoulli connections with p = out_degree / N (autapses allowed), V0 uniform in
[V_r, V_t]. Connectivity and V0 are drawn by NEST (same statistics, not the same instance).
Low-activity variant (--pacemakers F < 1): as in cuba_brian2.py, the first round(F * n) neurons of
each type keep E_L = --drive, the others get --quiet-drive (NEST stores V_th, V_reset and V_m
relative to E_L, so they are set together with it, and V_m after it).

Prints one JSON object on the last line (fields as in cuba_brian2.py; compile_seconds is 0).
"""
import argparse, json, math, os, resource, sys, time

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--neurons", type=int, default=4000)
parser.add_argument("--duration", type=float, default=1000.0, help="ms")
parser.add_argument("--out-degree", type=float, default=80.0)
parser.add_argument("--drive", type=float, default=-49.0, help="E_L (mV)")
parser.add_argument("--pacemakers", type=float, default=1.0,
                    help="fraction of each type with E_L = --drive (the first of each); the others --quiet-drive")
parser.add_argument("--quiet-drive", type=float, default=-60.0, help="E_L (mV) of the non-pacemakers")
parser.add_argument("--seed", type=int, default=1)
parser.add_argument("--threads", type=int, default=1, help="local_num_threads")
parser.add_argument("--model", choices=["iaf_psc_exp", "iaf_psc_exp_ps"], default="iaf_psc_exp",
                    help="iaf_psc_exp_ps: NEST's precise (off-grid spike times) variant, the like-for-like peer of the event-driven engine")
args = parser.parse_args()

os.environ.setdefault("PYNEST_QUIET", "1")
import nest
nest.set_verbosity("M_ERROR")

N = args.neurons
n_exc = int(round(N * 0.8))
p = args.out_degree / N
C_m, tau_m = 250.0, 20.0
to_pA = C_m / tau_m

t_build = time.perf_counter()
nest.ResetKernel()
nest.SetKernelStatus({"resolution": 0.1, "local_num_threads": args.threads, "rng_seed": args.seed})
params = {"C_m": C_m, "tau_m": tau_m, "tau_syn_ex": 5.0, "tau_syn_in": 10.0, "E_L": args.drive,
          "V_th": -50.0, "V_reset": -60.0, "t_ref": 5.0, "I_e": 0.0}
pop = nest.Create(args.model, N, params=params)
if args.pacemakers < 1:
    n_inh = N - n_exc
    pace_exc = int(math.floor(n_exc * args.pacemakers + 0.5))
    pace_inh = int(math.floor(n_inh * args.pacemakers + 0.5))
    quiet = {"E_L": args.quiet_drive, "V_th": -50.0, "V_reset": -60.0}
    if pace_exc < n_exc:
        pop[pace_exc:n_exc].set(quiet)
    if pace_inh < n_inh:
        pop[n_exc + pace_inh:].set(quiet)
pop.V_m = nest.random.uniform(-60.0, -50.0)
exc, inh = pop[:n_exc], pop[n_exc:]
conn = {"rule": "pairwise_bernoulli", "p": p, "allow_autapses": True}
nest.Connect(exc, pop, conn, {"synapse_model": "static_synapse", "weight": 1.62 * to_pA, "delay": 0.1})
nest.Connect(inh, pop, conn, {"synapse_model": "static_synapse", "weight": -9.0 * to_pA, "delay": 0.1})
rec = nest.Create("spike_recorder")
nest.Connect(pop, rec)
nest.Prepare()
build_seconds = time.perf_counter() - t_build

t_run = time.perf_counter()
nest.Run(args.duration)
run_seconds = time.perf_counter() - t_run
nest.Cleanup()

events = rec.get("events")
senders = events["senders"]
times = events["times"]
spikes = int(len(senders))
synapses = int(nest.GetKernelStatus("num_connections")) - N  # minus the recorder connections
out_deg = {}
import numpy as np
conns = nest.GetConnections(source=pop, target=pop)
src = np.asarray(conns.get("source"))
deg = np.bincount(src - pop[0].global_id, minlength=N)
ids = np.asarray(senders) - pop[0].global_id
delivered = np.asarray(times) <= args.duration - 0.1 + 1e-9
synaptic_events = int(deg[ids[delivered]].sum())
peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"NEST {nest.__version__}: {N} neurons, {synapses} synapses, {spikes} spikes, run {run_seconds:.3f} s", file=sys.stderr)
print(json.dumps({
    "simulator": f"nest-{nest.__version__}", "target": args.model, "neurons": N,
    "duration_ms": args.duration, "spikes": spikes,
    "mean_rate_hz": spikes / N / (args.duration / 1000), "synapses": synapses,
    "synaptic_events": synaptic_events, "build_seconds": build_seconds, "compile_seconds": 0.0,
    "run_seconds": run_seconds,
    "events_per_second": synaptic_events / run_seconds if run_seconds > 0 else None,
    "peak_rss_mb": peak_rss_mb, "threads": args.threads,
}))
