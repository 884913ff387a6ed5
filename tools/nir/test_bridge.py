#!/usr/bin/env python3
"""Tests of nir_volley.py (docs/nir.md), run by .ci/run where tools/nir/.venv exists:

    tools/nir/.venv/bin/python tools/nir/test_bridge.py BIN_DIR

1. A graph written by the nir package (Input → Linear → CubaLIF → Linear → Delay → LIF → Output,
   and Input → Affine → LIF with a bias, r = 1, w_in = 1) converted to Volley and back has equal
   parameters and equal weights, node by node.
2. With r ≠ 1 and w_in ≠ 1 the way back folds them into the weights: the effective weights
   (r·w_in·W/tau) are equal.
3. Volley runs the converted network, and the membrane potential it records jumps by exactly
   r·W/tau (LIF) at the arrival of one input spike: the mapping is the NIR equations'.
4. Unsupported nodes (Threshold) exit 1 with one line naming the node.
5. The non-spiking LI and CubaLI convert to Volley and back with equal parameters; Volley's LI
   potential after one input spike is r·W/tau decayed by exp(−Δt/tau), and `volley run --samples
   --decision final-potential` classifies by the readout's potentials (spike counts: undecided).
6. A node with per-neuron time constants becomes one population per parameter group, with its
   projections split and every weight r·W/tau of its own neuron.
Last line: JSON with the checks' numbers.
"""
import json, os, subprocess, sys, tempfile
import numpy as np
import nir

here = os.path.dirname(os.path.abspath(__file__))
bridge = [sys.executable, os.path.join(here, "nir_volley.py")]
bin_dir = sys.argv[1] if len(sys.argv) > 1 else None
work = tempfile.mkdtemp(prefix="volley-nir-")
rng = np.random.default_rng(1)
results = {}


def run(*args, ok=True):
    p = subprocess.run(bridge + list(args), capture_output=True, text=True)
    if ok and p.returncode != 0:
        sys.exit(f"test_bridge: {args} failed: {p.stderr}")
    return p


def graph(r=1.0, w_in=1.0):
    n_in, n_h, n_o = 3, 4, 2
    nodes = {
        "input": nir.Input(input_type={"input": np.array([n_in])}),
        "fc1": nir.Linear(weight=rng.uniform(-1, 1, (n_h, n_in))),
        "hidden": nir.CubaLIF(tau_syn=np.full(n_h, 0.005), tau_mem=np.full(n_h, 0.02), r=np.full(n_h, r), v_leak=np.zeros(n_h),
                              v_threshold=np.ones(n_h), v_reset=np.zeros(n_h), w_in=np.full(n_h, w_in)),
        "fc2": nir.Linear(weight=rng.uniform(-1, 1, (n_o, n_h))),
        "wait": nir.Delay(delay=np.full(n_o, 0.002)),
        "out": nir.LIF(tau=np.full(n_o, 0.01), r=np.full(n_o, r), v_leak=np.zeros(n_o), v_threshold=np.ones(n_o), v_reset=np.zeros(n_o)),
        "output": nir.Output(output_type={"output": np.array([n_o])}),
        "fc3": nir.Affine(weight=rng.uniform(0, 1, (n_o, n_in)), bias=np.full(n_o, 0.25)),
        "side": nir.LIF(tau=np.full(n_o, 0.03), r=np.full(n_o, r), v_leak=np.zeros(n_o), v_threshold=np.ones(n_o), v_reset=np.zeros(n_o)),
        "output_side": nir.Output(output_type={"output": np.array([n_o])}),
    }
    edges = [("input", "fc1"), ("fc1", "hidden"), ("hidden", "fc2"), ("fc2", "wait"), ("wait", "out"), ("out", "output"),
             ("input", "fc3"), ("fc3", "side"), ("side", "output_side")]
    return nir.NIRGraph(nodes=nodes, edges=edges)


def effective(g):
    """(source, target) → the effective weight matrix r·w_in·W/tau (what Volley's weights are)."""
    out = {}
    for a, b in g.edges:
        node = g.nodes[b]
        if isinstance(node, (nir.Linear, nir.Affine)):
            nxt = [y for x, y in g.edges if x == b][0]
            if isinstance(g.nodes[nxt], nir.Delay):
                nxt = [y for x, y in g.edges if x == nxt][0]
            t = g.nodes[nxt]
            if isinstance(t, (nir.CubaLIF, nir.CubaLI)):
                f = (t.r * t.w_in / t.tau_syn)[:, None]
            else:
                f = (t.r / t.tau)[:, None]
            out[(a, nxt)] = np.asarray(node.weight) * f
    return out


# 1. Round trip with r = 1, w_in = 1: equal parameters.
original = graph()
nir.write(f"{work}/a.nir", original)
run("to-volley", f"{work}/a.nir", "-o", f"{work}/net.json")
run("from-volley", f"{work}/net.json", "-o", f"{work}/b.nir")
back = nir.read(f"{work}/b.nir")
spec = json.load(open(f"{work}/net.json"))
assert spec["populations"][[p["name"] for p in spec["populations"]].index("side")]["parameters"]["bias"] == 0.25
worst = 0.0
for name in ("hidden", "out"):
    a, b = original.nodes[name], back.nodes[name]
    assert type(a) is type(b), (name, type(a), type(b))
    for field in ("tau", "tau_syn", "tau_mem", "r", "v_leak", "v_threshold", "v_reset", "w_in"):
        if hasattr(a, field):
            x, y = np.asarray(getattr(a, field), float), np.asarray(getattr(b, field), float)
            assert x.shape == y.shape and np.allclose(x, y, rtol=1e-12, atol=0), (name, field, x, y)
            worst = max(worst, float(np.max(np.abs(x - y) / np.maximum(np.abs(x), 1e-300))) if x.size else 0)
ea, eb = effective(original), effective(back)
for key in (("input", "hidden"), ("hidden", "out")):
    assert np.allclose(ea[key], eb[key], rtol=1e-12, atol=0), key
affine = [n for n in back.nodes.values() if isinstance(n, nir.Affine)]
assert len(affine) == 1 and np.array_equal(affine[0].bias, np.full(2, 0.25)) and np.allclose(affine[0].weight, original.nodes["fc3"].weight, rtol=1e-12, atol=0), affine
delays = [n for n in back.nodes.values() if isinstance(n, nir.Delay)]
assert len(delays) == 1 and np.allclose(delays[0].delay, 0.002, rtol=1e-12), delays
results["round_trip_max_relative_parameter_difference"] = worst

# 2. r ≠ 1, w_in ≠ 1: the effective weights survive.
scaled = graph(r=2.5, w_in=0.4)
scaled.nodes["fc3"] = nir.Linear(weight=np.asarray(scaled.nodes["fc3"].weight))
nir.write(f"{work}/c.nir", scaled)
run("to-volley", f"{work}/c.nir", "-o", f"{work}/net2.json")
run("from-volley", f"{work}/net2.json", "-o", f"{work}/d.nir")
e1, e2 = effective(scaled), effective(nir.read(f"{work}/d.nir"))
for key in (("input", "hidden"), ("hidden", "out"), ("input", "side")):
    assert np.allclose(e1[key], e2[key], rtol=1e-12, atol=0), key
results["scaled_round_trip"] = "effective weights equal"

# 3. Volley runs it; one input spike makes the LIF potential jump by r·W/tau.
if bin_dir:
    spec = json.load(open(f"{work}/net.json"))
    for p in spec["populations"]:
        if p["name"] == "input":
            p["source"]["trains_ms"] = [[1.0], [], []]
        if p["name"] == "side":
            p["parameters"]["bias"] = 0  # isolate the jump
            p["parameters"]["v_threshold"] = 1e6
    spec["recording"] = {"spikes": "all", "potentials": [{"population": "side", "neurons": [0, 1], "interval_ms": 0.1}]}
    spec["run"] = {"duration_ms": 3}
    json.dump(spec, open(f"{work}/run.json", "w"))
    p = subprocess.run([os.path.join(bin_dir, "volley"), "run", f"{work}/run.json", "--potentials", f"{work}/v.csv"], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    rows = [line.split(",") for line in open(f"{work}/v.csv").read().splitlines()[1:]]
    v = {(int(n), round(float(t), 6)): float(x) for _, n, t, x in rows}
    fc3 = np.asarray(original.nodes["fc3"].weight)
    for j in range(2):
        expected = 1.0 * fc3[j, 0] / 0.03  # r·W/tau, tau in seconds (time scale 1000)
        arrival = round(1.0 + 0.1, 6)      # spike at 1 ms + the base delay 0.1 ms
        assert abs(v[(j, arrival)] - expected) < 1e-9 * max(1, abs(expected)), (j, v[(j, arrival)], expected)
        assert v[(j, round(arrival - 0.1, 6))] == 0
    results["volley_jump_mv"] = v[(0, 1.1)]

# 4. Refusals.
bad = nir.NIRGraph(nodes={"input": nir.Input(input_type={"input": np.array([2])}), "fc": nir.Linear(weight=np.ones((2, 2))),
                          "step": nir.Threshold(threshold=np.ones(2)), "output": nir.Output(output_type={"output": np.array([2])})},
                   edges=[("input", "fc"), ("fc", "step"), ("step", "output")])
nir.write(f"{work}/bad.nir", bad)
p = run("to-volley", f"{work}/bad.nir", "-o", f"{work}/bad.json", ok=False)
assert p.returncode == 1 and "node 'step'" in p.stderr and "Threshold" in p.stderr and len(p.stderr.strip().splitlines()) == 1, p.stderr
assert not os.path.exists(f"{work}/bad.json")
results["refusals"] = 1

# 6. A heterogeneous node (per-neuron time constants, as libraries that learn them per neuron
#    export) becomes one population per group of equal parameters, with the projections split.
hetero = graph()
hetero.nodes["out"].tau = np.array([0.02, 0.01])
hetero.nodes["hidden"].tau_mem = np.array([0.02, 0.03, 0.02, 0.03])
nir.write(f"{work}/hetero.nir", hetero)
run("to-volley", f"{work}/hetero.nir", "-o", f"{work}/hetero.json")
spec = json.load(open(f"{work}/hetero.json"))
pops = {p["name"]: p for p in spec["populations"]}
assert [(k, pops[k]["size"], pops[k]["parameters"]["tau_m"]) for k in ("hidden.0", "hidden.1", "out.0", "out.1")] == \
    [("hidden.0", 2, 20.0), ("hidden.1", 2, 30.0), ("out.0", 1, 20.0), ("out.1", 1, 10.0)], pops.keys()
assert "hidden" not in pops and "out" not in pops
w_out = np.asarray(hetero.nodes["fc2"].weight)  # 2 × 4; out neuron j has tau out.tau[j]; hidden parts (0, 2) and (1, 3)
checked = 0
for proj in spec["projections"]:
    if proj["source"].startswith("hidden.") and proj["target"].startswith("out."):
        src_idx = [0, 2] if proj["source"] == "hidden.0" else [1, 3]
        j = 0 if proj["target"] == "out.0" else 1
        tau = [0.02, 0.01][j]
        c = proj["connectivity"]
        got = np.asarray(proj["weight"], dtype=float)
        want = np.array([w_out[j, src_idx[s]] / tau for s in c["sources"]])
        assert np.allclose(got, want, rtol=1e-12, atol=0) and all(t == 0 for t in c["targets"]), proj
        assert proj["delay"] == 0.1 + 2.0, proj["delay"]
        checked += 1
    if proj["source"] == "input" and proj["target"].startswith("hidden."):
        assert len(proj["connectivity"]["sources"]) > 0
assert checked == 4, checked
results["heterogeneous_split"] = {k: pops[k]["size"] for k in ("hidden.0", "hidden.1", "out.0", "out.1")}
if bin_dir:
    p = subprocess.run([os.path.join(bin_dir, "volley"), "describe", f"{work}/hetero.json"], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr

# 5. Leaky integrators (non-spiking readouts).
li_graph = nir.NIRGraph(
    nodes={"input": nir.Input(input_type={"input": np.array([2])}),
           "fc": nir.Linear(weight=np.array([[0.5, 0.0], [0.0, 0.5]])),
           "li": nir.LI(tau=np.full(2, 0.01), r=np.full(2, 1.0), v_leak=np.zeros(2)),
           "output": nir.Output(output_type={"output": np.array([2])}),
           "fc2": nir.Linear(weight=rng.uniform(-1, 1, (3, 2))),
           "cli": nir.CubaLI(tau_syn=np.full(3, 0.004), tau_mem=np.full(3, 0.02), r=np.ones(3), v_leak=np.full(3, -1.0), w_in=np.ones(3)),
           "output_cli": nir.Output(output_type={"output": np.array([3])})},
    edges=[("input", "fc"), ("fc", "li"), ("li", "output"), ("input", "fc2"), ("fc2", "cli"), ("cli", "output_cli")])
nir.write(f"{work}/li.nir", li_graph)
run("to-volley", f"{work}/li.nir", "-o", f"{work}/li.json")
run("from-volley", f"{work}/li.json", "-o", f"{work}/li_back.nir")
li_back = nir.read(f"{work}/li_back.nir")
for name, fields in (("li", ("tau", "r", "v_leak")), ("cli", ("tau_syn", "tau_mem", "r", "v_leak", "w_in"))):
    a, b = li_graph.nodes[name], li_back.nodes[name]
    assert type(a) is type(b), (name, type(a), type(b))
    for field in fields:
        assert np.allclose(np.asarray(getattr(a, field), float), np.asarray(getattr(b, field), float), rtol=1e-12, atol=0), (name, field)
e1, e2 = effective(li_graph), effective(li_back)
for key in (("input", "li"), ("input", "cli")):
    assert np.allclose(e1[key], e2[key], rtol=1e-12, atol=0), key
results["leaky_integrators_round_trip"] = "parameters and effective weights equal"
if bin_dir:
    spec = json.load(open(f"{work}/li.json"))
    spec["recording"] = {"spikes": "all", "potentials": [{"population": "li", "neurons": [0, 1], "interval_ms": 0.5}]}
    spec["run"] = {"duration_ms": 5}
    for p in spec["populations"]:
        if p["name"] == "input":
            p["source"]["trains_ms"] = [[1.0], []]
    json.dump(spec, open(f"{work}/li_run.json", "w"))
    p = subprocess.run([os.path.join(bin_dir, "volley"), "run", f"{work}/li_run.json", "--potentials", f"{work}/li_v.csv"], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    rows = [line.split(",") for line in open(f"{work}/li_v.csv").read().splitlines()[1:]]
    v = {(int(n), round(float(t), 6)): float(x) for _, n, t, x in rows}
    expected = 1.0 * 0.5 / 0.01 * np.exp(-(4.0 - 1.1) / 10.0)  # r·W/tau, then decay over 2.9 ms with tau 10 ms
    assert abs(v[(0, 4.0)] - expected) < 1e-9 * expected and v[(1, 4.0)] == 0, (v[(0, 4.0)], expected)
    results["li_potential_mv"] = v[(0, 4.0)]
    samples = {"format": "volley-samples-1", "population": "input", "readout": "li", "duration_ms": 5,
               "samples": [{"label": 0, "trains_ms": [[1.0, 2.0], [1.5]]}, {"label": 1, "trains_ms": [[0.5], [2.0, 3.0]]},
                           {"label": 1, "trains_ms": [[1.0], [3.0]]}]}
    json.dump(samples, open(f"{work}/li_samples.json", "w"))
    decided = {}
    for decision in ("final-potential", "spike-count"):
        p = subprocess.run([os.path.join(bin_dir, "volley"), "run", f"{work}/li.json", "--samples", f"{work}/li_samples.json", "--decision", decision],
                           capture_output=True, text=True)
        assert p.returncode == 0, p.stderr
        decided[decision] = json.loads(p.stdout.strip().splitlines()[-1])
    assert decided["final-potential"]["accuracy"] == 1 and decided["final-potential"]["decision"] == "final-potential", decided
    assert decided["spike-count"]["undecided"] == 1, decided
    results["li_samples_accuracy"] = decided["final-potential"]["accuracy"]
print("nir bridge ok:", results)
print(json.dumps(results))
