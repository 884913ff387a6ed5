#!/usr/bin/env python3
"""Converts NIR graphs (the Neuromorphic Intermediate Representation, Pedersen et al. 2024) to and
from Volley network files (docs/network-files.md); the mapping is documented in docs/nir.md.

    python nir_volley.py to-volley MODEL.nir -o network.json [--time-scale 1000] [--input-dt S] [--delay MS]
    python nir_volley.py from-volley network.json -o MODEL.nir [--time-scale 1000] [--delay MS]

NIR neurons → Volley models: LIF → lif_delta, IF → lif_delta with tau_m = inf, CubaLIF → lif_exp;
the non-spiking LI → lif_delta and CubaLI → lif_exp with the largest finite threshold (read out by
potential: volley run --samples … --decision final-potential).
Input → a spike-train source (set its trains per sample), Output → recorded. Linear, Affine, Scale,
Delay and Flatten nodes between two neuron (or input) nodes compose into one projection; a lone
Conv2d, SumPool2d or AvgPool2d becomes a convolution or pooling projection.

Units: NIR time constants are read in the file's time unit and multiplied by --time-scale to get
ms (default 1000: seconds, as snnTorch, Norse and Rockpool write them); potentials map 1:1 to mV.
Input spikes are Dirac impulses (NIR's continuous-time reading), so one spike through weight W
makes v jump by r·W/tau (LIF, LI), r·W (IF), or the current R·I jump by r·w_in·W/tau_syn (CubaLIF, CubaLI);
--input-dt DT multiplies the jumps by DT (a spike as a one-step pulse of height 1: the reading
of discrete-time libraries that export with time step DT). NIR edges take no time, Volley's
synapses need a delay > 0: every synapse gets --delay ms (default 0.1) plus any NIR Delay.
A node whose neurons differ in their parameters becomes one population per group of equal
parameters ("name.0", "name.1", … in order of first appearance), its projections split to match.
Errors (unsupported node, a bias Volley cannot express, …) exit 1 with one line naming the node.
"""
import argparse, json, sys

import numpy as np
import nir

NEURONS = (nir.LIF, nir.IF, nir.CubaLIF, nir.LI, nir.CubaLI)
# The threshold of a non-spiking (leaky-integrator) population: the largest finite double, which
# no potential reaches (Volley's thresholds must be finite).
NEVER = sys.float_info.max
TRANSFORMS = (nir.Linear, nir.Affine, nir.Scale, nir.Delay, nir.Flatten)
STRUCTURED = (nir.Conv2d, nir.SumPool2d, nir.AvgPool2d)


class BridgeError(Exception):
    pass


# The parameters of each NIR neuron node, per neuron.
PARAMETERS = {nir.LIF: ("tau", "r", "v_leak", "v_threshold", "v_reset"), nir.IF: ("r", "v_threshold", "v_reset"),
              nir.CubaLIF: ("tau_syn", "tau_mem", "r", "v_leak", "v_threshold", "v_reset", "w_in"),
              nir.LI: ("tau", "r", "v_leak"), nir.CubaLI: ("tau_syn", "tau_mem", "r", "v_leak", "w_in")}


def parts_of(name, node, n):
    """The neurons of a node grouped by equal parameters, in order of first appearance: one index
    array per group (one group for a homogeneous node). Each group becomes one Volley population."""
    columns = []
    for field in PARAMETERS[type(node)]:
        a = np.asarray(getattr(node, field), dtype=float).ravel()
        if a.size not in (1, n):
            raise BridgeError(f"node '{name}': {field} has {a.size} values for {n} neurons")
        columns.append(np.broadcast_to(a, (n,)))
    groups = {}
    for i, key in enumerate(zip(*columns)):
        groups.setdefault(key, []).append(i)
    return [np.asarray(g) for g in groups.values()]


def uniform_of(node_name, field, value, idx=None):
    a = np.asarray(value, dtype=float).ravel()
    if idx is not None and a.size > 1:
        a = a[idx]
    if a.size == 0:
        raise BridgeError(f"node '{node_name}': {field} is empty")
    if not np.all(a == a[0]):
        raise BridgeError(f"node '{node_name}': {field} differs between neurons of one group")
    if not np.isfinite(a[0]) and not (field == "tau" and a[0] == np.inf):
        raise BridgeError(f"node '{node_name}': {field} = {a[0]} is not finite")
    return float(a[0])


def size_of(node):
    shape = node.output_type.get("output") if hasattr(node, "output_type") else None
    if shape is None:
        raise BridgeError(f"node {node!r}: its output shape is unknown (write the graph with shapes)")
    return int(np.prod(shape))


def model_of(name, node, scale, idx=None):
    """The Volley model, parameters and the factor turning a NIR weight into a Volley weight, for
    the neurons `idx` of the node (all by default), whose parameters must be equal."""
    def uniform(node_name, field, value):
        return uniform_of(node_name, field, value, idx)
    if isinstance(node, nir.LIF):
        tau, r = uniform(name, "tau", node.tau), uniform(name, "r", node.r)
        params = {"tau_m": tau * scale, "v_rest": uniform(name, "v_leak", node.v_leak), "v_reset": uniform(name, "v_reset", node.v_reset),
                  "v_threshold": uniform(name, "v_threshold", node.v_threshold), "t_ref": 0, "bias": 0, "reset": "value"}
        return "lif_delta", params, r / tau, r
    if isinstance(node, nir.IF):
        r = uniform(name, "r", node.r)
        params = {"tau_m": "inf", "v_rest": 0, "v_reset": uniform(name, "v_reset", node.v_reset),
                  "v_threshold": uniform(name, "v_threshold", node.v_threshold), "t_ref": 0, "bias": 0, "reset": "value"}
        return "lif_delta", params, r, None
    if isinstance(node, nir.CubaLIF):
        tau_syn, r, w_in = uniform(name, "tau_syn", node.tau_syn), uniform(name, "r", node.r), uniform(name, "w_in", node.w_in)
        params = {"tau_m": uniform(name, "tau_mem", node.tau_mem) * scale, "tau_syn_exc": tau_syn * scale, "tau_syn_inh": tau_syn * scale,
                  "v_rest": uniform(name, "v_leak", node.v_leak), "v_reset": uniform(name, "v_reset", node.v_reset),
                  "v_threshold": uniform(name, "v_threshold", node.v_threshold), "t_ref": 0, "bias": 0, "reset": "value"}
        return "lif_exp", params, r * w_in / tau_syn, None
    if isinstance(node, nir.LI):
        tau, r, v_leak = uniform(name, "tau", node.tau), uniform(name, "r", node.r), uniform(name, "v_leak", node.v_leak)
        params = {"tau_m": tau * scale, "v_rest": v_leak, "v_reset": v_leak, "v_threshold": NEVER, "t_ref": 0, "bias": 0, "reset": "value"}
        return "lif_delta", params, r / tau, r
    if isinstance(node, nir.CubaLI):
        tau_syn, r, w_in = uniform(name, "tau_syn", node.tau_syn), uniform(name, "r", node.r), uniform(name, "w_in", node.w_in)
        v_leak = uniform(name, "v_leak", node.v_leak)
        params = {"tau_m": uniform(name, "tau_mem", node.tau_mem) * scale, "tau_syn_exc": tau_syn * scale, "tau_syn_inh": tau_syn * scale,
                  "v_rest": v_leak, "v_reset": v_leak, "v_threshold": NEVER, "t_ref": 0, "bias": 0, "reset": "value"}
        return "lif_exp", params, r * w_in / tau_syn, None
    if isinstance(node, nir.Threshold):
        raise BridgeError(f"node '{name}': Threshold (a stateless Heaviside of its input, one value per time step) has no continuous-time Volley model; "
                          "a leaky integrator followed by a Threshold is a LIF without reset only on a grid")
    raise BridgeError(f"node '{name}': {type(node).__name__} has no Volley model (converted: LIF, IF, CubaLIF, LI, CubaLI)")


def to_volley(graph, scale, input_dt, delay):
    nodes, edges = graph.nodes, graph.edges
    out = {}
    for a, b in edges:
        out.setdefault(a, []).append(b)
    populations, projections, order = [], [], []
    # parts[node] = [(population, neuron indices of the node, (factor, r_bias) or None for inputs)]
    parts = {}
    for name, node in nodes.items():
        if isinstance(node, nir.Input):
            n = int(np.prod(node.input_type["input"]))
            populations.append({"name": name, "size": n, "source": {"kind": "spike_trains", "trains_ms": [[] for _ in range(n)]}})
            parts[name] = [(name, np.arange(n), None)]
            order.append(name)
        elif isinstance(node, NEURONS):
            n = size_of(node)
            groups = parts_of(name, node, n)
            parts[name] = []
            for k, idx in enumerate(groups):
                pop = name if len(groups) == 1 else f"{name}.{k}"
                model, params, factor, r_bias = model_of(name, node, scale, idx)
                populations.append({"name": pop, "size": len(idx), "model": model, "parameters": params})
                parts[name].append((pop, idx, (factor, r_bias)))
            order.append(name)
        elif isinstance(node, nir.Threshold):
            model_of(name, node, scale)  # raises with the reason
        elif isinstance(node, (nir.Output,) + TRANSFORMS + STRUCTURED):
            continue
        else:
            raise BridgeError(f"node '{name}': {type(node).__name__} is not converted (converted: Input, Output, Linear, Affine, Scale, Delay, Flatten, LIF, IF, CubaLIF, LI, CubaLI, Conv2d, SumPool2d, AvgPool2d)")
    index = {p["name"]: k for k, p in enumerate(populations)}
    recorded = set()
    for start in order:
        # Follow every path of transform nodes from `start` to the next neuron node.
        stack = [(b, [b]) for b in out.get(start, [])]
        while stack:
            at, path = stack.pop()
            node = nodes[at]
            if isinstance(node, nir.Output):
                recorded.update(pop for pop, _, _ in parts[start])
                continue
            if at in parts:
                chain = [nodes[k] for k in path[:-1]]
                projections += projection(start, at, chain, path[:-1], parts[start], parts[at], scale, input_dt, delay, populations, index)
                continue
            for b in out.get(at, []):
                stack.append((b, path + [b]))
    recording = {"spikes": sorted(recorded) if recorded else "all"}
    return {"format": "volley-network-1", "description": f"converted from NIR by tools/nir/nir_volley.py (time scale {scale} ms per unit, input dt {input_dt}, base delay {delay} ms)",
            "populations": populations, "projections": projections, "recording": recording}


def projection(src, dst, chain, names, src_parts, dst_parts, scale, input_dt, delay, populations, index):
    """The projections of one path of transform nodes from node `src` to node `dst`: one per pair
    of their parts (a heterogeneous node is several populations)."""
    n_src = sum(len(idx) for _, idx, _ in src_parts)
    n_dst = sum(len(idx) for _, idx, _ in dst_parts)
    label = "→".join([src] + names + [dst])
    structured = [c for c in chain if isinstance(c, STRUCTURED)]
    if structured:
        rest = [c for c in chain if not isinstance(c, (nir.Flatten,) + STRUCTURED)]
        if len(structured) > 1 or rest:
            raise BridgeError(f"path {label}: a Conv2d or pooling node must be alone between two neuron nodes (Flatten aside)")
        if len(src_parts) > 1 or len(dst_parts) > 1:
            raise BridgeError(f"path {label}: a Conv2d or pooling node between heterogeneous nodes is not converted")
        return [structured_projection(src_parts[0][0], dst_parts[0][0], structured[0], label, n_src, n_dst, dst_parts[0][2][0] * input_dt, delay)]
    matrix = np.eye(n_src)
    bias = np.zeros(n_src)
    src_delay, dst_delay = np.zeros(n_src), None
    for c in chain:
        if isinstance(c, nir.Linear) or isinstance(c, nir.Affine):
            w = np.asarray(c.weight, dtype=float)
            if w.ndim != 2 or w.shape[1] != matrix.shape[0]:
                raise BridgeError(f"path {label}: weight of shape {w.shape} does not take {matrix.shape[0]} inputs")
            matrix, bias = w @ matrix, w @ bias
            if isinstance(c, nir.Affine):
                bias = bias + np.asarray(c.bias, dtype=float)
            if dst_delay is not None:
                raise BridgeError(f"path {label}: a Delay between two weight nodes is not converted")
        elif isinstance(c, nir.Scale):
            s = np.asarray(c.scale, dtype=float).ravel()
            matrix, bias = matrix * s[:, None], bias * s
        elif isinstance(c, nir.Delay):
            d = np.asarray(c.delay, dtype=float).ravel() * scale
            if matrix.shape[0] == n_src and np.array_equal(matrix, np.eye(n_src)):
                src_delay = src_delay + d
            else:
                dst_delay = d if dst_delay is None else dst_delay + d
    if matrix.shape != (n_dst, n_src):
        raise BridgeError(f"path {label}: the weights map {matrix.shape[1]} inputs to {matrix.shape[0]} outputs, but '{dst}' has {n_dst} neurons")
    result = []
    for dst_pop, dst_idx, (factor, r_bias) in dst_parts:
        target = populations[index[dst_pop]]
        b = bias[dst_idx]
        if np.any(b != 0):
            if r_bias is None or not np.all(b == b[0]):
                raise BridgeError(f"path {label}: a bias into a {target['model']} population is not converted (only a uniform bias into LIF, where Volley's bias = r·b)")
            target["parameters"]["bias"] = r_bias * float(b[0])
        for src_pop, src_idx, _ in src_parts:
            block = matrix[np.ix_(dst_idx, src_idx)]
            rows, cols = np.nonzero(block != 0)
            order = np.lexsort((rows, cols))  # by source, then target
            sources, targets = cols[order], rows[order]
            weights = block[targets, sources] * factor * input_dt
            delays = delay + src_delay[src_idx][sources] + (dst_delay[dst_idx][targets] if dst_delay is not None else 0)
            name = label if len(src_parts) == 1 and len(dst_parts) == 1 else f"{label} ({src_pop}→{dst_pop})"
            result.append({"name": name, "source": src_pop, "target": dst_pop,
                           "connectivity": {"rule": "synapses", "sources": sources.tolist(), "targets": targets.tolist()},
                           "weight": weights.tolist(), "delay": float(delays[0]) if len(delays) and np.all(delays == delays[0]) else delays.tolist()})
    return result


def structured_projection(src, dst, node, label, n_src, n_dst, factor, delay):
    if isinstance(node, nir.Conv2d):
        w = np.asarray(node.weight, dtype=float)
        out_c, in_c, kh, kw = w.shape
        stride, padding, dilation = tuple(node.stride), node.padding, tuple(node.dilation)
        if kh != kw or stride[0] != stride[1] or dilation != (1, 1) or node.groups != 1 or isinstance(padding, str) or padding[0] != padding[1]:
            raise BridgeError(f"path {label}: Conv2d needs a square kernel, equal strides and paddings, dilation 1 and groups 1")
        if np.any(np.asarray(node.bias) != 0):
            raise BridgeError(f"path {label}: Conv2d with a bias is not converted")
        h, wd = node.input_shape
        geometry = {"input_channels": in_c, "input_height": int(h), "input_width": int(wd), "output_channels": out_c,
                    "kernel_size": kh, "stride": int(stride[0]), "padding": int(padding[0])}
        return {"name": label, "source": src, "target": dst, "connectivity": {"rule": "convolution", "convolution": geometry},
                "weight": (w.ravel() * factor).tolist(), "delay": delay}
    k, s, p = (np.atleast_1d(np.asarray(x)).astype(int) for x in (node.kernel_size, node.stride, node.padding))
    if k[0] != k[-1] or s[0] != s[-1] or np.any(p != 0):
        raise BridgeError(f"path {label}: pooling needs a square window, equal strides and no padding")
    channels = node.input_type["input"][0] if node.input_type.get("input") is not None else None
    if channels is None:
        raise BridgeError(f"path {label}: pooling needs its input shape (channels, height, width) in the graph")
    c, h, wd = (int(x) for x in node.input_type["input"])
    weight = 1.0 / (k[0] * k[0]) if isinstance(node, nir.AvgPool2d) else 1.0
    return {"name": label, "source": src, "target": dst, "connectivity": {"rule": "pooling", "pooling": {"channels": c, "input_height": h, "input_width": wd, "size": int(k[0]), "stride": int(s[0])}},
            "weight": weight * factor, "delay": delay}


def from_volley(spec, scale, delay):
    pops = {p["name"]: p for p in spec["populations"]}
    nodes, edges = {}, []
    factors, biases = {}, {}
    for p in spec["populations"]:
        name, n = p["name"], p["size"] if "size" in p else len(p["source"]["trains_ms"])
        if "source" in p:
            nodes[name] = nir.Input(input_type={"input": np.array([n])})
            continue
        q = p.get("parameters", {})
        def f(key, default):
            return float(q.get(key, default))
        never = q.get("v_threshold") not in (None, "inf") and float(q["v_threshold"]) >= NEVER
        if p["model"] == "lif_delta" and never and q.get("tau_m") != "inf":
            tau = f("tau_m", 20) / scale
            nodes[name] = nir.LI(tau=np.full(n, tau), r=np.ones(n), v_leak=np.full(n, f("v_rest", -70)))
            factors[name] = 1 / tau
        elif p["model"] == "lif_exp" and never:
            if q.get("tau_syn_exc", 2) != q.get("tau_syn_inh", 2):
                raise BridgeError(f"population '{name}': NIR's CubaLI has one synaptic time constant (tau_syn_exc ≠ tau_syn_inh)")
            tau_syn = f("tau_syn_exc", 2) / scale
            nodes[name] = nir.CubaLI(tau_syn=np.full(n, tau_syn), tau_mem=np.full(n, f("tau_m", 10) / scale), r=np.ones(n),
                                     v_leak=np.full(n, f("v_rest", -70)), w_in=np.ones(n))
            factors[name] = 1 / tau_syn
        elif p["model"] == "lif_delta" and q.get("tau_m") == "inf":
            nodes[name] = nir.IF(r=np.ones(n), v_threshold=np.full(n, f("v_threshold", -55)), v_reset=np.full(n, f("v_reset", -70)))
            factors[name] = 1.0
        elif p["model"] == "lif_delta":
            tau = f("tau_m", 20) / scale
            nodes[name] = nir.LIF(tau=np.full(n, tau), r=np.ones(n), v_leak=np.full(n, f("v_rest", -70)),
                                  v_threshold=np.full(n, f("v_threshold", -55)), v_reset=np.full(n, f("v_reset", -70)))
            factors[name] = 1 / tau
        elif p["model"] == "lif_exp":
            if q.get("tau_syn_exc", 2) != q.get("tau_syn_inh", 2):
                raise BridgeError(f"population '{name}': NIR's CubaLIF has one synaptic time constant (tau_syn_exc ≠ tau_syn_inh)")
            tau_syn = f("tau_syn_exc", 2) / scale
            nodes[name] = nir.CubaLIF(tau_syn=np.full(n, tau_syn), tau_mem=np.full(n, f("tau_m", 10) / scale), r=np.ones(n), v_leak=np.full(n, f("v_rest", -70)),
                                      v_threshold=np.full(n, f("v_threshold", -55)), v_reset=np.full(n, f("v_reset", -70)), w_in=np.ones(n))
            factors[name] = 1 / tau_syn
        else:
            raise BridgeError(f"population '{name}': {p.get('model')} has no NIR equivalent (converted: lif_delta, lif_exp)")
        if (q.get("bias", 0) != 0 and p["model"] != "lif_delta") or q.get("reset", "value") != "value" or q.get("t_ref", 0) != 0:
            raise BridgeError(f"population '{name}': NIR's neurons have no refractory period, reset to a value, and take a bias only as LIF (through an Affine node)")
        if q.get("bias", 0) != 0:
            biases[name] = float(q["bias"])
    for k, proj in enumerate(spec["projections"]):
        src, dst, conn = proj["source"], proj["target"], proj["connectivity"]
        if conn["rule"] != "synapses":
            raise BridgeError(f"projection {k}: rule '{conn['rule']}' is not converted to NIR yet (write explicit synapses)")
        n_src, n_dst = (pops[x].get("size") or len(pops[x]["source"]["trains_ms"]) for x in (src, dst))
        w, d = proj["weight"], proj["delay"]
        count = len(conn["sources"])
        w = np.full(count, float(w)) if not isinstance(w, list) else np.asarray(w, dtype=float)
        d = np.full(count, float(d)) if not isinstance(d, list) else np.asarray(d, dtype=float)
        matrix = np.zeros((n_dst, n_src))
        np.add.at(matrix, (np.asarray(conn["targets"]), np.asarray(conn["sources"])), w / factors[dst])
        linear = f"linear_{k}"
        if dst in biases:  # a LIF's bias b (mV) is r·b of its first incoming Affine node (r = 1)
            nodes[linear] = nir.Affine(weight=matrix, bias=np.full(n_dst, biases.pop(dst)))
        else:
            nodes[linear] = nir.Linear(weight=matrix)
        edges.append((src, linear))
        extra = d - delay
        if np.any(np.abs(extra) > 1e-12):
            per_target = np.zeros(n_dst)
            for j, e in zip(conn["targets"], extra):
                per_target[j] = e
            if not np.allclose(extra, per_target[np.asarray(conn["targets"])], rtol=0, atol=1e-12):
                raise BridgeError(f"projection {k}: delays vary within a target neuron; NIR's Delay is per neuron")
            nodes[f"delay_{k}"] = nir.Delay(delay=per_target / scale)
            edges += [(linear, f"delay_{k}"), (f"delay_{k}", dst)]
        else:
            edges.append((linear, dst))
    if biases:
        raise BridgeError(f"population '{next(iter(biases))}': a bias needs an incoming projection to carry it in NIR")
    for name, p in pops.items():
        if "source" not in p and not any(e[0] == name for e in edges):
            nodes[f"output_{name}"] = nir.Output(output_type={"output": np.array([p["size"]])})
            edges.append((name, f"output_{name}"))
    return nir.NIRGraph(nodes=nodes, edges=edges)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("direction", choices=["to-volley", "from-volley"])
    ap.add_argument("path")
    ap.add_argument("-o", "--out", required=True)
    ap.add_argument("--time-scale", type=float, default=1000.0, help="ms per NIR time unit (default 1000: seconds)")
    ap.add_argument("--input-dt", type=float, default=1.0, help="multiply input impulses by this time step (NIR units; default 1: Dirac impulses)")
    ap.add_argument("--delay", type=float, default=0.1, help="ms added to every synapse (NIR edges take no time)")
    args = ap.parse_args()
    try:
        if not (args.time_scale > 0 and args.input_dt > 0 and args.delay > 0 and np.isfinite([args.time_scale, args.input_dt, args.delay]).all()):
            raise BridgeError("--time-scale, --input-dt and --delay must be finite and > 0")
        if args.direction == "to-volley":
            graph = nir.read(args.path)
            spec = to_volley(graph, args.time_scale, args.input_dt, args.delay)
            with open(args.out, "w") as f:
                json.dump(spec, f, indent=1)
            print(json.dumps({"direction": args.direction, "populations": len(spec["populations"]), "projections": len(spec["projections"]),
                              "synapses": sum(len(p["connectivity"].get("sources", [])) for p in spec["projections"]), "out": args.out}))
        else:
            spec = json.load(open(args.path))
            graph = from_volley(spec, args.time_scale, args.delay)
            nir.write(args.out, graph)
            print(json.dumps({"direction": args.direction, "nodes": len(graph.nodes), "edges": len(graph.edges), "out": args.out}))
    except (BridgeError, OSError, KeyError, ValueError) as e:
        sys.exit(f"nir_volley.py: error: {e}")


if __name__ == "__main__":
    main()
