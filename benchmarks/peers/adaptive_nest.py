"""Single AdEx and Izhikevich neurons in NEST, against Volley's reference spike times.

The two accuracy cases of Volley's `adaptive-neurons` example (docs/adaptive.md): NEST's
aeif_psc_exp with its default parameters and I_e = 1000 pA, and izhikevich (regular spiking,
a 0.02, b 0.2, c -65, d 8, I_e 10, consistent_integration) — both from rest (V_m = E_L, w = 0;
V_m = -65, U_m = -13), 1000 ms, one thread, at the resolutions given. Volley's reference
(Dormand-Prince at tolerance 1e-12) comes from

    swift run -c release adaptive-neurons --reference-out REF.json

and this script prints, per model and resolution, NEST's spike count, its largest spike-time
difference to the reference (when the counts agree) and its wall time, then one JSON object on
the last line. A benchmark, never a dependency: run it with benchmarks/.venv (benchmarks/run.sh
creates it with nest-simulator 3.10.0).

    benchmarks/.venv/bin/python benchmarks/peers/adaptive_nest.py REF.json [--resolutions 0.1 0.01 0.001]
"""
import argparse, json, os, time

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("reference", help="JSON written by adaptive-neurons --reference-out")
parser.add_argument("--resolutions", type=float, nargs="+", default=[0.1, 0.01, 0.001], help="ms")
args = parser.parse_args()
with open(args.reference) as f:
    reference = json.load(f)

os.environ.setdefault("PYNEST_QUIET", "1")
import nest
nest.set_verbosity("M_ERROR")

cases = {
    "adex": ("aeif_psc_exp", {"I_e": 1000.0}),
    "izhikevich": ("izhikevich", {"a": 0.02, "b": 0.2, "c": -65.0, "d": 8.0, "I_e": 10.0,
                                  "V_m": -65.0, "U_m": -13.0, "consistent_integration": True}),
}
rows = []
for name, (model, params) in cases.items():
    ref = reference[name]
    for h in args.resolutions:
        nest.ResetKernel()
        nest.SetKernelStatus({"resolution": h, "local_num_threads": 1})
        neuron = nest.Create(model, params=params)
        recorder = nest.Create("spike_recorder")
        nest.Connect(neuron, recorder)
        start = time.perf_counter()
        nest.Simulate(1000.0)
        wall = time.perf_counter() - start
        times = sorted(float(t) for t in recorder.get("events")["times"])
        error = max(abs(a - b) for a, b in zip(times, ref)) if len(times) == len(ref) and ref else None
        rows.append({"neuron": name, "nest_model": model, "resolution_ms": h, "spikes": len(times),
                     "reference_spikes": len(ref), "max_spike_time_error_ms": error, "wall_seconds": wall})
        shown = "%.3g ms" % error if error is not None else "- (spike count differs)"
        print(f"{model} resolution {h} ms: {len(times)} spikes (reference {len(ref)}), max error {shown}, {wall * 1000:.1f} ms wall")
print(json.dumps({"simulator": "nest", "nest_version": nest.__version__, "rows": rows}))
