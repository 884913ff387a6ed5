"""Turns benchmarks/run.sh's JSON lines into the peer table of docs/benchmarks.md (between the
markers <!-- NAME:begin --> and <!-- NAME:end -->, NAME = peers unless given).
Usage: summarize.py RAW.jsonl DOC.md [NAME] [COMMAND]"""
import json, statistics, sys, platform, datetime

raw, doc = sys.argv[1], sys.argv[2]
marker = sys.argv[3] if len(sys.argv) > 3 else "peers"
command = sys.argv[4] if len(sys.argv) > 4 else None
rows, probe, scaling, versions = {}, None, None, {}
for line in open(raw):
    d = json.loads(line)
    if d.get("label") == "probe":
        if d.get("probe") == "thread-scaling":
            scaling = d
        else:
            probe = d
        continue
    r = d["result"]
    rows.setdefault(d["label"], {}).setdefault(d["sim"], []).append(r)
    versions[d["sim"]] = r.get("simulator", "volley")

names = {"volley-event": "Volley event-driven", "volley-event-native": "Volley event-driven native build (VOLLEY_NATIVE=1)", "volley-stepped": "Volley time-stepped (dt 0.1 ms)",
         "volley-stepped-native": "Volley time-stepped native build (dt 0.1 ms, VOLLEY_NATIVE=1)",
         "volley-event-2t": "Volley event-driven, 2 threads",
         "volley-event-native-2t": "Volley event-driven native build, 2 threads (VOLLEY_NATIVE=1)",
         "volley-stepped-2t": "Volley time-stepped, 2 threads (dt 0.1 ms)",
         "volley-stepped-native-2t": "Volley time-stepped native build, 2 threads (dt 0.1 ms, VOLLEY_NATIVE=1)",
         "brian2-standalone": "Brian2 cpp_standalone", "brian2-standalone-2t": "Brian2 cpp_standalone, 2 OpenMP threads",
         "brian2-runtime": "Brian2 runtime (Cython)",
         "nest": "NEST iaf_psc_exp", "nest-2t": "NEST iaf_psc_exp, 2 threads",
         "nest-ps": "NEST iaf_psc_exp_ps (precise)", "nest-ps-2t": "NEST iaf_psc_exp_ps (precise), 2 threads"}
coba_names = {"volley-event": "Volley event-driven (Dormand–Prince, tolerance 1e-11)",
              "volley-stepped": "Volley time-stepped (dt 0.1 ms, Dormand–Prince per step)",
              "volley-stepped-euler": "Volley time-stepped (dt 0.1 ms, forward Euler)",
              "brian2-standalone": "Brian2 cpp_standalone (forward Euler)", "nest": "NEST iaf_cond_exp"}
name_of = lambda label, s: (coba_names if label.startswith("COBA") else names)[s]
med = lambda xs: statistics.median(xs)
out = []
reps = max(len(v) for sims in rows.values() for v in sims.values())
out.append(f"Measured {datetime.date.today().isoformat()} with `{command or f'benchmarks/run.sh {reps}'}` "
           f"(median of {reps} alternating runs, seed 1, one thread each unless named; peers: "
           + ", ".join(sorted({v for k, v in versions.items() if not k.startswith('volley')})) + ").")
fewer = [f"{name_of(label, s)} at {label}: {len(rs)}" for label, sims in rows.items() for s, rs in sims.items() if len(rs) < reps]
if fewer:
    out[-1] = out[-1][:-2] + f"; fewer runs: {', '.join(fewer)})."
out.append("")
out.append("| network | simulator | run (s) | build (s) | compile (s) | mean rate (Hz) | synaptic events | events/s | peak RSS (MB) | Volley event speed-up | Volley event (native) speed-up | Volley stepped speed-up | Volley stepped (native) speed-up |")
out.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
checks = []
thread_checks = []
for label, sims in rows.items():
    t = {s: med([r.get("run_seconds") or r["wall_seconds"] for r in rs]) for s, rs in sims.items()}
    rates = {s: med([r["mean_rate_hz"] for r in rs]) for s, rs in sims.items()}
    for s, rs in sims.items():
        ev = med([r.get("synaptic_events") or 0 for r in rs])
        build = med([r.get("build_seconds") or 0 for r in rs])
        comp = med([r.get("compile_seconds") or 0 for r in rs])
        rss = med([r.get("peak_rss_mb") or 0 for r in rs])
        # Peers are compared with Volley at the same number of threads (suffix -2t: two).
        tail = "-2t" if s.endswith("-2t") else ""
        ratio = lambda v: "%.2f×" % (t[s] / t[v + tail]) if v + tail in t else ""
        if s.startswith("volley"):
            su_e = su_en = su_s = su_n = ""
        else:
            su_e, su_en, su_s, su_n = (ratio(v) for v in ("volley-event", "volley-event-native", "volley-stepped", "volley-stepped-native"))
        events = f"{ev:.4g} | {ev / t[s]:.3g}" if ev else "– | –"
        out.append(f"| {label} | {name_of(label, s)} | {t[s]:.3f} | {build:.2f} | {comp:.1f} | {rates[s]:.3f} | {events} | {f'{rss:.0f}' if rss else '–'} | {su_e} | {su_en} | {su_s} | {su_n} |")
    for s2 in sims:
        if s2.endswith("-2t") and s2[:-3] in t:
            thread_checks.append(f"* {label}: {name_of(label, s2)} runs {t[s2[:-3]] / t[s2]:.2f}× as fast as on one thread.")
    lo, hi = min(rates.values()), max(rates.values())
    checks.append(f"* {label}: mean rates {', '.join('%s %.3f Hz' % (name_of(label, s) if label.startswith('COBA') else names[s].split(' (')[0], r) for s, r in rates.items())}; "
                  f"spread {100 * (hi - lo) / lo:.1f} % — {'within' if hi <= 1.1 * lo else 'NOT within'} 10 %.")
out.append("")
out.append("Speed-up = peer run time / Volley run time at the same number of threads (> 1: Volley faster). Run time is the simulation")
out.append("only: network construction is `build`, Brian2's C++ compilation is `compile`.")
if thread_checks:
    out.append("")
    out.append("Two threads against one (same simulator and build):")
    out.append("")
    out.extend(thread_checks)
out.append("")
out.append("Firing statistics (the networks are the same; the random instances differ per simulator):")
out.append("")
out.extend(checks)
if probe:
    out.append("")
    lat = probe["latency_ns"]
    out.append("Machine probe (`benchmarks/memory-latency.c`): dependent random load "
               + ", ".join(f"{k} {v:.1f} ns" for k, v in lat.items())
               + f"; CSR delivery into an input buffer (out-degree 80) {probe['delivery_ns_per_event_4000']:.2f} ns/event at N = 4000, "
               f"{probe['delivery_ns_per_event_100000']:.2f} ns/event at N = 100 000.")
if scaling and thread_checks:
    out.append("")
    out.append("Machine probe (`benchmarks/thread-scaling.c`, the ceiling for two threads): a stepped LIF update with one fork and one "
               f"join per step and no synapses runs {scaling['speedup_4000']:.2f}× as fast on two threads as on one at N = 4000 "
               f"({scaling['step_us_4000'][0]:.2f} → {scaling['step_us_4000'][1]:.2f} µs per step) and {scaling['speedup_100000']:.2f}× at "
               f"N = 100 000 ({scaling['step_us_100000'][0]:.1f} → {scaling['step_us_100000'][1]:.1f} µs); round trip between the "
               f"threads {scaling['round_trip_ns']:.0f} ns.")
text = open(doc).read()
begin, end = f"<!-- {marker}:begin -->", f"<!-- {marker}:end -->"
i, j = text.index(begin) + len(begin), text.index(end)
open(doc, "w").write(text[:i] + "\n" + "\n".join(out) + "\n" + text[j:])
print("\n".join(out))
