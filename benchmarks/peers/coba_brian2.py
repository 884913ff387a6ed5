"""The COBA network of Volley's `coba` example, in Brian2 (cpp_standalone or runtime target).

Same network as examples/coba/main.swift and benchmarks/peers/coba_nest.py (Brette et al. 2007
benchmark 1, auryn's parameters): C_m 200 pF, g_L 10 nS, E_L -60 mV, V_t -50 mV, V_r -60 mV,
refractory 5 ms (V clamped), E_e 0 mV, E_i -80 mV, tau_e 5 ms, tau_i 10 ms, I_e 200 pA,
conductance jumps 4 nS / 51 nS, p = 0.02 (autapses allowed), delays 0.1 ms, dt 0.1 ms,
V0 uniform in [V_r, V_t]. Connectivity and V0 are drawn by Brian2 (same statistics, not the same
instance). --method picks Brian2's integration (default euler, its usual choice for COBA).

    benchmarks/.venv/bin/python benchmarks/peers/coba_brian2.py [--target cpp_standalone] [--seed S]

Prints one JSON object on the last line (simulator, target, method, neurons, spikes,
mean_rate_hz, compile_seconds, run_seconds).
"""
import argparse, json, shutil, sys, tempfile, time

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--target", choices=["runtime", "cpp_standalone"], default="cpp_standalone")
parser.add_argument("--method", default="euler", help="Brian2 integration method (euler, exponential_euler, rk4, ...)")
parser.add_argument("--neurons", type=int, default=4000)
parser.add_argument("--duration", type=float, default=1000.0, help="ms")
parser.add_argument("--seed", type=int, default=1)
args = parser.parse_args()

import brian2 as b2
from brian2 import ms, mV, pA, pF, nS, NeuronGroup, Synapses, SpikeMonitor, run, seed, defaultclock, prefs

build_dir = None
if args.target == "cpp_standalone":
    build_dir = tempfile.mkdtemp(prefix="coba_brian2_")
    b2.set_device("cpp_standalone", build_on_run=False, directory=build_dir)
else:
    prefs.codegen.target = "cython"
seed(args.seed)
defaultclock.dt = 0.1 * ms
N = args.neurons
n_exc = int(round(N * 0.8))
Cm, gL, EL, Vt, Vr = 200 * pF, 10 * nS, -60 * mV, -50 * mV, -60 * mV
Ee, Ei, taue, taui, Ie = 0 * mV, -80 * mV, 5 * ms, 10 * ms, 200 * pA
we, wi = 4 * nS, 51 * nS
eqs = """
dv/dt = (gL * (EL - v) + ge * (Ee - v) + gi * (Ei - v) + Ie) / Cm : volt (unless refractory)
dge/dt = -ge / taue : siemens
dgi/dt = -gi / taui : siemens
"""
P = NeuronGroup(N, eqs, threshold="v > Vt", reset="v = Vr", refractory=5 * ms, method=args.method)
P.v = "Vr + rand() * (Vt - Vr)"
Ce = Synapses(P[:n_exc], P, on_pre="ge += we", delay=0.1 * ms)
Ci = Synapses(P[n_exc:], P, on_pre="gi += wi", delay=0.1 * ms)
Ce.connect(p=0.02)
Ci.connect(p=0.02)
mon = SpikeMonitor(P)
t_run = time.perf_counter()
run(args.duration * ms)
run_seconds = time.perf_counter() - t_run
compile_seconds = 0.0
if args.target == "cpp_standalone":
    dev = b2.get_device()
    t_compile = time.perf_counter()
    dev.build(directory=build_dir, compile=True, run=False)
    compile_seconds = time.perf_counter() - t_compile
    dev.run(directory=build_dir, with_output=False, run_args=[])
    run_seconds = dev._last_run_time
spikes = int(mon.num_spikes)
if build_dir:
    shutil.rmtree(build_dir, ignore_errors=True)
print(f"Brian2 {b2.__version__} ({args.target}, {args.method}): {N} neurons, {spikes} spikes, run {run_seconds:.2f} s", file=sys.stderr)
print(json.dumps({
    "simulator": f"brian2-{b2.__version__}", "target": args.target, "method": args.method, "neurons": N,
    "duration_ms": args.duration, "spikes": spikes, "mean_rate_hz": spikes / N / (args.duration / 1000),
    "compile_seconds": compile_seconds, "run_seconds": run_seconds,
}))
