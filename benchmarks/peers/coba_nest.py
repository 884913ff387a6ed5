"""The COBA network of Volley's `coba` example, in NEST (iaf_cond_exp, one thread).

Same network as examples/coba/main.swift (Brette et al. 2007 benchmark 1 with auryn's
parameters): N neurons (80 % excitatory), C_m 200 pF, g_L 10 nS, E_L -60 mV, V_th -50 mV,
V_reset -60 mV, t_ref 5 ms, E_ex 0 mV, E_in -80 mV, tau_syn_ex 5 ms, tau_syn_in 10 ms, I_e
200 pA; pairwise_bernoulli connections with p = 0.02 (autapses allowed), weights 4 nS
(excitatory) and 51 nS (inhibitory, given to NEST as -51: the sign selects the receptor), delays
0.1 ms, V0 uniform in [-60, -50] mV. Connectivity and V0 are drawn by NEST (same statistics, not
the same instance). iaf_cond_exp integrates with GSL's adaptive RKF45 inside each step.

    benchmarks/.venv/bin/python benchmarks/peers/coba_nest.py [--neurons 4000] [--duration 1000] [--resolution 0.1]

Prints one JSON object on the last line (simulator, neurons, spikes, mean_rate_hz, run_seconds).
"""
import argparse, json, os, sys, time

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--neurons", type=int, default=4000)
parser.add_argument("--duration", type=float, default=1000.0, help="ms")
parser.add_argument("--resolution", type=float, default=0.1, help="ms")
parser.add_argument("--seed", type=int, default=1)
args = parser.parse_args()

os.environ.setdefault("PYNEST_QUIET", "1")
import nest
nest.set_verbosity("M_ERROR")

N = args.neurons
n_exc = int(round(N * 0.8))
t_build = time.perf_counter()
nest.ResetKernel()
nest.SetKernelStatus({"resolution": args.resolution, "local_num_threads": 1, "rng_seed": args.seed})
params = {"C_m": 200.0, "g_L": 10.0, "E_L": -60.0, "V_th": -50.0, "V_reset": -60.0, "t_ref": 5.0,
          "E_ex": 0.0, "E_in": -80.0, "tau_syn_ex": 5.0, "tau_syn_in": 10.0, "I_e": 200.0}
pop = nest.Create("iaf_cond_exp", N, params=params)
pop.V_m = nest.random.uniform(-60.0, -50.0)
exc, inh = pop[:n_exc], pop[n_exc:]
conn = {"rule": "pairwise_bernoulli", "p": 0.02, "allow_autapses": True}
nest.Connect(exc, pop, conn, {"synapse_model": "static_synapse", "weight": 4.0, "delay": 0.1})
nest.Connect(inh, pop, conn, {"synapse_model": "static_synapse", "weight": -51.0, "delay": 0.1})
rec = nest.Create("spike_recorder")
nest.Connect(pop, rec)
build_seconds = time.perf_counter() - t_build
t_run = time.perf_counter()
nest.Simulate(args.duration)
run_seconds = time.perf_counter() - t_run
spikes = int(rec.get("n_events"))
print(f"NEST {nest.__version__} iaf_cond_exp: {N} neurons, {spikes} spikes, run {run_seconds:.2f} s", file=sys.stderr)
print(json.dumps({
    "simulator": f"nest-{nest.__version__}", "model": "iaf_cond_exp", "neurons": N, "duration_ms": args.duration,
    "resolution_ms": args.resolution, "spikes": spikes, "mean_rate_hz": spikes / N / (args.duration / 1000),
    "build_seconds": build_seconds, "run_seconds": run_seconds,
}))
