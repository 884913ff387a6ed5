#!/usr/bin/env python3
"""A model trained in another NIR-speaking library, run in Volley's exact engine (docs/nir.md).

    tools/nir/setup-foreign.sh        # snnTorch and PyTorch into tools/nir/.venv (large: PyTorch)
    tools/nir/.venv/bin/python tools/nir/foreign/snntorch_wdbc.py --data ../shared/datasets/uci/breast_cancer_wdbc.csv --out wdbc-nir

Trains an snnTorch classifier on UCI WDBC (30 features → 32 Leaky → 2 Leaky, β = 0.9, reset to
zero, 50 steps), with a deterministic rate code (feature x ∈ [0, 1], scaled on the training
split, spikes at the steps k where ⌊(k+1)x⌋ > ⌊kx⌋: ⌊50x⌋ spikes) and cross-entropy on the output
spike counts (Adam). The split is seeded: 60 % training, 20 % validation (chooses the epoch),
20 % test. Writes DIR/model.nir (snnTorch's export_to_nir), DIR/test-samples.json (the test
split's spike trains at k·0.1 ms: snnTorch's export assumes Δt = 1e-4 s) and DIR/snntorch.json
(accuracies in snnTorch). The last stdout line is that JSON.
"""
import argparse, csv, json, os, sys
import numpy as np
import torch
import snntorch as snn
import snntorch.utils
from snntorch.export_nir import export_to_nir
import nir

ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
ap.add_argument("--data", required=True, help="breast_cancer_wdbc.csv (30 features, then the label 0/1)")
ap.add_argument("--out", required=True, help="directory to write (created)")
ap.add_argument("--seed", type=int, default=1)
ap.add_argument("--epochs", type=int, default=60)
ap.add_argument("--hidden", type=int, default=32)
ap.add_argument("--steps", type=int, default=50)
ap.add_argument("--lr", type=float, default=2e-3)
args = ap.parse_args()

rows = list(csv.reader(open(args.data)))
if not rows[0][0].replace(".", "").replace("-", "").isdigit():
    rows = rows[1:]
x = np.array([[float(v) for v in r[:-1]] for r in rows])
y = np.array([int(float(r[-1])) for r in rows])
rng = np.random.default_rng(args.seed)
order = rng.permutation(len(y))
n_train, n_val = int(0.6 * len(y)), int(0.2 * len(y))
train, val, test = order[:n_train], order[n_train:n_train + n_val], order[n_train + n_val:]
lo, hi = x[train].min(0), x[train].max(0)
x = np.clip((x - lo) / np.where(hi > lo, hi - lo, 1), 0, 1)


def encode(features, steps):
    """(steps, n, features) of 0/1: spikes at the steps k where floor((k+1)x) > floor(kx)."""
    k = np.arange(steps + 1)[:, None, None]
    counts = np.floor(k * features[None] * 1.0 + 1e-12)
    return (counts[1:] > counts[:-1]).astype(np.float32)


torch.manual_seed(args.seed)
net = torch.nn.Sequential(
    torch.nn.Linear(x.shape[1], args.hidden, bias=False),
    # β and the threshold per neuron (fixed), so the NIR export carries shaped parameters.
    snn.Leaky(beta=torch.full((args.hidden,), 0.9), threshold=torch.ones(args.hidden), reset_mechanism="zero", init_hidden=True),
    torch.nn.Linear(args.hidden, 2, bias=False),
    snn.Leaky(beta=torch.full((2,), 0.9), threshold=torch.ones(2), reset_mechanism="zero", init_hidden=True, output=True),
)


def counts(indices):
    snn.utils.reset(net)
    spikes = torch.tensor(encode(x[indices], args.steps))
    total = 0
    for k in range(args.steps):
        out, _ = net(spikes[k])
        total = total + out
    return total


def accuracy(indices):
    with torch.no_grad():
        c = counts(indices).numpy()
    # The most active output neuron; ties (and silence) to the lower index, as volley run does.
    return float(np.mean(np.argmax(c, axis=1) == y[indices]))


opt = torch.optim.Adam(net.parameters(), lr=args.lr)
loss_fn = torch.nn.CrossEntropyLoss()
best, best_state, best_epoch = -1.0, None, 0
for epoch in range(1, args.epochs + 1):
    perm = rng.permutation(train)
    for b in range(0, len(perm), 32):
        batch = perm[b:b + 32]
        opt.zero_grad()
        loss = loss_fn(counts(batch), torch.tensor(y[batch]))
        loss.backward()
        opt.step()
    v = accuracy(val)
    if v > best:
        best, best_epoch = v, epoch
        best_state = {k: t.clone() for k, t in net.state_dict().items()}
    if epoch % 10 == 0:
        print(f"epoch {epoch}: loss {loss.item():.4f}, train accuracy {accuracy(train):.4f}, validation {v:.4f}", flush=True)
net.load_state_dict(best_state)
with torch.no_grad():
    test_predictions = np.argmax(counts(test).numpy(), axis=1).tolist()
result = {"library": "snntorch", "snntorch_version": snn.__version__, "seed": args.seed, "best_epoch": best_epoch,
          "validation_accuracy": best, "test_accuracy": accuracy(test), "test_samples": len(test), "steps": args.steps,
          "test_predictions": test_predictions}

os.makedirs(args.out, exist_ok=True)
snn.utils.reset(net)
graph = export_to_nir(net, torch.zeros(1, x.shape[1]), ignore_dims=[0])
nir.write(os.path.join(args.out, "model.nir"), graph)
readout = [name for name, node in graph.nodes.items() if isinstance(node, nir.LIF) and any(a == name and isinstance(graph.nodes[b], nir.Output) for a, b in graph.edges)]
input_name = [name for name, node in graph.nodes.items() if isinstance(node, nir.Input)][0]
dt_ms = 0.1
spikes = encode(x[test], args.steps)
samples = [{"label": int(y[i]), "trains_ms": [[round(k * dt_ms, 10) for k in np.nonzero(spikes[:, s, f])[0]] for f in range(x.shape[1])]}
           for s, i in enumerate(test)]
json.dump({"format": "volley-samples-1", "population": input_name, "readout": readout[0],
           "duration_ms": args.steps * dt_ms + 0.5, "samples": samples}, open(os.path.join(args.out, "test-samples.json"), "w"))
json.dump(result, open(os.path.join(args.out, "snntorch.json"), "w"))
print(json.dumps({k: v for k, v in result.items() if k != "test_predictions"}))
