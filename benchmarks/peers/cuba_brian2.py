"""The CUBA network of Volley's `cuba` example, in Brian2 (runtime or cpp_standalone target).

Same network as examples/cuba/main.swift and Brian2's examples/CUBA.py, with every synaptic
delay 0.1 ms and dt = 0.1 ms:
  tau_m 20 ms, tau_e 5 ms, tau_i 10 ms, E_L = --drive (default -49 mV), V_t -50 mV, V_r -60 mV,
  refractory 5 ms (V clamped), we = 1.62 mV, wi = -9 mV added to the currents, 80 % excitatory,
  connection probability p = out_degree / N (autapses allowed), V0 uniform in [V_r, V_t].
  Low-activity variant (--pacemakers F < 1): only the first round(F * n) excitatory and the first
  round(F * n) inhibitory neurons keep E_L = --drive; the others get E_L = --quiet-drive.
Connectivity and V0 are drawn by Brian2 (same statistics, not the same instance as Volley's).

Prints one JSON object on the last line with the fields every benchmark script prints:
simulator, target, neurons, duration_ms, spikes, mean_rate_hz, synapses, synaptic_events,
build_seconds, compile_seconds, run_seconds, events_per_second, peak_rss_mb.
  build_seconds   — network construction (runtime target: Python object creation and synapse
                    generation; cpp_standalone: code generation, excluded from compile)
  compile_seconds — cpp_standalone: C++ compilation (0 for runtime)
  run_seconds     — simulation of `duration` only (cpp_standalone: the binary's own run timer,
                    which excludes its synapse generation)
  peak_rss_mb     — peak resident set of the process that simulates (cpp_standalone: the binary)
"""
import argparse, json, math, os, resource, shutil, subprocess, sys, tempfile, time

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--target", choices=["runtime", "cpp_standalone"], default="cpp_standalone")
parser.add_argument("--neurons", type=int, default=4000)
parser.add_argument("--duration", type=float, default=1000.0, help="ms")
parser.add_argument("--out-degree", type=float, default=80.0)
parser.add_argument("--drive", type=float, default=-49.0, help="E_L (mV)")
parser.add_argument("--pacemakers", type=float, default=1.0,
                    help="fraction of each type with E_L = --drive (the first of each); the others --quiet-drive")
parser.add_argument("--quiet-drive", type=float, default=-60.0, help="E_L (mV) of the non-pacemakers")
parser.add_argument("--seed", type=int, default=1)
parser.add_argument("--threads", type=int, default=1, help="OpenMP threads of cpp_standalone")
parser.add_argument("--build-dir", default=None, help="cpp_standalone project folder (default: temporary)")
args = parser.parse_args()

t0 = time.perf_counter()
import brian2 as b2
from brian2 import ms, mV, NeuronGroup, Synapses, SpikeMonitor, run, seed, defaultclock, prefs

build_dir = None
if args.target == "cpp_standalone":
    build_dir = args.build_dir or tempfile.mkdtemp(prefix="cuba_brian2_")
    b2.set_device("cpp_standalone", build_on_run=False, directory=build_dir)
    # Time and measure the binary itself; Brian2 then reads its results as usual.
    prefs.devices.cpp_standalone.run_cmd_unix = ["/usr/bin/time", "-f", "%M", "-o", "peak_rss_kb.txt", "./main"]
    prefs.devices.cpp_standalone.openmp_threads = args.threads
else:
    prefs.codegen.target = "cython"
import_seconds = time.perf_counter() - t0

seed(args.seed)
defaultclock.dt = 0.1 * ms
N = args.neurons
n_exc = int(round(N * 0.8))
p = args.out_degree / N
taum, taue, taui = 20 * ms, 5 * ms, 10 * ms
Vt, Vr = -50 * mV, -60 * mV
we, wi = (60 * 0.27 / 10) * mV, (-20 * 4.5 / 10) * mV

t_build = time.perf_counter()
eqs = """
dv/dt  = (ge + gi - (v - El)) / taum : volt (unless refractory)
dge/dt = -ge / taue : volt
dgi/dt = -gi / taui : volt
El : volt (constant)
"""
P = NeuronGroup(N, eqs, threshold="v > Vt", reset="v = Vr", refractory=5 * ms, method="exact")
P.v = "Vr + rand() * (Vt - Vr)"
# Pacemakers: the first round(F * n) of each type (Volley rounds half away from zero).
n_inh = N - n_exc
pace_exc = n_exc if args.pacemakers >= 1 else int(math.floor(n_exc * args.pacemakers + 0.5))
pace_inh = n_inh if args.pacemakers >= 1 else int(math.floor(n_inh * args.pacemakers + 0.5))
P.El = args.quiet_drive * mV
P.El[:pace_exc] = args.drive * mV
P.El[n_exc:n_exc + pace_inh] = args.drive * mV
P.ge = 0 * mV
P.gi = 0 * mV
Ce = Synapses(P[:n_exc], P, on_pre="ge += we", delay=0.1 * ms)
Ci = Synapses(P[n_exc:], P, on_pre="gi += wi", delay=0.1 * ms)
Ce.connect(p=p)
Ci.connect(p=p)
mon = SpikeMonitor(P)
build_seconds = time.perf_counter() - t_build

t_run = time.perf_counter()
run(args.duration * ms)
run_seconds = time.perf_counter() - t_run
compile_seconds = 0.0
peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
if args.target == "cpp_standalone":
    # device.build: code generation, compilation, then the binary (which generates the synapses
    # and then runs; its run timer covers the simulation only).
    dev = b2.get_device()
    t_gen = time.perf_counter()
    dev.build(directory=build_dir, compile=False, run=False)
    build_seconds += time.perf_counter() - t_gen
    codegen_seconds = time.perf_counter() - t_gen
    t_compile = time.perf_counter()
    dev.build(directory=build_dir, compile=True, run=False)  # code generation again, then make
    compile_seconds = max(0.0, time.perf_counter() - t_compile - codegen_seconds)
    dev.run(directory=build_dir, with_output=False, run_args=[])
    run_seconds = dev._last_run_time
    with open(os.path.join(build_dir, "peak_rss_kb.txt")) as f:
        peak_rss_mb = float(f.read().split()[-1]) / 1024

spikes = int(mon.num_spikes)
synapses = int(len(Ce) + len(Ci))
# Synaptic events: every spike delivers along each of its outgoing synapses (delivered within
# the run only if the spike happened at least one delay before the end).
counts = mon.count[:]
import numpy as np
out_deg = np.bincount(np.concatenate([np.asarray(Ce.i[:]), np.asarray(Ci.i[:]) + n_exc]), minlength=N)
late = np.asarray(mon.t[:] / ms) > args.duration - 0.1 + 1e-9
late_events = int(out_deg[np.asarray(mon.i[:])[late]].sum()) if late.any() else 0
synaptic_events = int((counts * out_deg).sum()) - late_events
if build_dir and not args.build_dir:
    shutil.rmtree(build_dir, ignore_errors=True)
print(f"Brian2 {b2.__version__} ({args.target}): {N} neurons, {synapses} synapses, {spikes} spikes, "
      f"run {run_seconds:.3f} s, compile {compile_seconds:.1f} s", file=sys.stderr)
print(json.dumps({
    "simulator": f"brian2-{b2.__version__}", "target": args.target, "neurons": N,
    "duration_ms": args.duration, "spikes": spikes,
    "mean_rate_hz": spikes / N / (args.duration / 1000), "synapses": synapses,
    "synaptic_events": synaptic_events, "build_seconds": build_seconds,
    "compile_seconds": compile_seconds, "run_seconds": run_seconds,
    "events_per_second": synaptic_events / run_seconds if run_seconds > 0 else None,
    "peak_rss_mb": peak_rss_mb, "threads": args.threads,
}))
