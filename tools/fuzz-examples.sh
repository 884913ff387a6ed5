#!/usr/bin/env bash
# Fuzzes every flag of every example executable.
#
#   tools/fuzz-examples.sh BIN_DIR [BUDGET_SECONDS]     e.g. tools/fuzz-examples.sh .build/release 240
#
# Each example's flags are read from its --help. Every flag gets generated values on top of a small
# valid base configuration (the example's --quick, shrunk): NaN, ±inf, 0, negative, huge, tiny,
# empty, wrong type (text, lists, paths), a directory, an unwritable path, a missing directory, a
# FIFO, and garbage, empty, truncated or wrong-shape data files (CSV, IDX, JSON); plus structural
# cases (missing value, repeated flag, unknown flag, stray argument, --flag=value) and seeded
# random combinations of two flags. Every case runs with a time limit, in a scratch directory.
#
# The contract, per case: exit 0 with a JSON object on the last stdout line, or a non-zero exit
# with exactly one line on stderr, "<program>: error: …", naming one of the case's flags — never a
# signal, a backtrace, or a run past the time limit. Cases run in a seeded order, two at a time,
# until all have run or the budget is spent (at least 1 000 are required). Failures are listed on
# stderr; the last stdout line is
#   {"fuzz_cases": N, "crashes": 0, "hangs": 0, "unclear_errors": 0, ...}
# and the exit status is non-zero if any case broke the contract or fewer than 1 000 ran.
# Needs python3 (standard library only).
set -euo pipefail
if [ $# -lt 1 ] || [ "$1" = "--help" ] || [ "$1" = "-h" ]; then
  sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'
  [ $# -ge 1 ] && exit 0 || exit 2
fi
root=$(cd "$(dirname "$0")/.." && pwd)
exec python3 - "$root" "$@" <<'PY'
import concurrent.futures, json, os, random, re, shutil, signal, struct, subprocess, sys, tempfile, time

root, bin_dir = sys.argv[1], os.path.abspath(sys.argv[2])
budget = float(sys.argv[3]) if len(sys.argv) > 3 else 240.0
time_limit = 30.0          # seconds per case
minimum_cases = 1000
fixtures = os.path.join(root, "Tests/VolleyTests/Fixtures")

# Small valid configurations, so that the cases that are accepted finish in about a second.
bases = {
    "cuba": ["--quick", "--neurons", "400", "--duration", "100"],
    "stdp-window": ["--quick", "--range", "20"],
    "xor-spikeprop": ["--quick", "--seeds", "1", "--epochs", "20"],
    "iris-spikeprop": ["--quick", "--data", f"{fixtures}/iris_excerpt.csv", "--epochs", "3"],
    "wbcd-spikeprop": ["--quick", "--data", f"{fixtures}/wdbc_excerpt.csv", "--epochs", "2"],
    "mnist-stdp": ["--quick", "--data", f"{fixtures}/mnist-excerpt", "--neurons", "4", "--train-samples", "8",
                   "--assign-samples", "8", "--test-samples", "8"],
    "mnist-ttfs": ["--quick", "--data", f"{fixtures}/mnist-excerpt", "--train-samples", "40", "--test-samples", "20",
                   "--hidden", "8", "--epochs", "1", "--verify-engine", "4"],
    "mnist-stbp": ["--quick", "--data", f"{fixtures}/mnist-excerpt", "--train-samples", "40", "--test-samples", "20",
                   "--hidden", "8", "--epochs", "1", "--steps", "4", "--eval-exact", "4"],
    "convert-ann": ["--quick", "--data", f"{fixtures}/mnist-excerpt", "--train-samples", "40", "--test-samples", "20",
                    "--hidden", "8", "--epochs", "1", "--steps", "5", "--engine-samples", "4"],
    "adaptive-neurons": ["--quick", "--duration", "60"],
    "coba": ["--quick", "--neurons", "200", "--duration", "50"],
    "eprop": ["--quick", "--iterations", "2", "--test", "8"],
    "eventprop": ["--quick", "--epochs", "1", "--train-samples", "40", "--verify-samples", "4"],
    "nmnist-stbp": ["--quick", "--mnist", f"{fixtures}/mnist-excerpt", "--train-samples", "10", "--test-samples", "5",
                    "--hidden", "4", "--epochs", "1", "--eval-exact", "2"],
}
# The `volley` command, once per subcommand: "volley run" runs `volley run ARGS…`.
network = os.path.join(root, "examples/networks/balanced-ei.json")
bases["volley run"] = [network, "--duration", "100"]
bases["volley describe"] = [network]
bases["volley export"] = [network, "--nest", "--out", "nest-export"]
def command(name): return [os.path.join(bin_dir, name.split()[0])] + name.split()[1:]
examples_dir = os.path.join(root, "examples")
executables = {d for d in os.listdir(examples_dir) if os.path.isfile(os.path.join(examples_dir, d, "main.swift"))}
unfuzzed = sorted(executables - set(bases))
if unfuzzed: sys.exit(f"fuzz: no base configuration for {unfuzzed}: add one to tools/fuzz-examples.sh")

scratch = tempfile.mkdtemp(prefix="volley-fuzz-")
def path(name): return os.path.join(scratch, name)
def write(name, data):
    with open(path(name), "wb") as f: f.write(data)
    return path(name)

rng = random.Random(20261202)
os.makedirs(path("a-directory"))
os.mkfifo(path("fifo"))
garbage = bytes(rng.randrange(256) for _ in range(3000))
write("garbage.bin", garbage)
write("empty", b"")
iris = open(f"{fixtures}/iris_excerpt.csv", "rb").read()
write("truncated.csv", iris[: len(iris) // 3 + 7])
write("text.csv", b"a,b,label\nx,y,z\n1,2\n")
write("one-class.csv", b"a,b,label\n1,2,0\n3,4,0\n5,6,0\n")
write("nan.csv", b"a,b,label\n1,nan,0\n3,4,1\n")
write("huge-label.csv", b"a,b,label\n1,2,0\n3,4,99999999\n")
write("garbage.json", b"{\"format\": ")
write("wrong.json", b"{\"format\": \"something else\"}")
write("array.json", b"[1, 2, 3]")
write("nan.json", b"{\"format\": \"volley-ttfs-1\", \"layer_sizes\": [784, 10], \"threshold\": 1, \"delay\": 1, \"weights\": [[NaN]]}")
good_network = json.load(open(os.path.join(root, "examples/networks/balanced-ei.json")))
def network_variant(name, change):
    n = json.loads(json.dumps(good_network)); change(n)
    return write(name, json.dumps(n).encode())
network_variant("nan-network.json", lambda n: n["projections"][0].update(weight=float("nan")))
network_variant("huge-network.json", lambda n: n["populations"][1].update(size=4000000000) or n["projections"][2].update(connectivity={"rule": "all_to_all"}))
network_variant("dense-network.json", lambda n: n["populations"][1].update(size=3000000) or n["projections"][2].update(connectivity={"rule": "all_to_all"}))
network_variant("negative-delay-network.json", lambda n: n["projections"][1].update(delay=-1))
network_variant("unknown-model-network.json", lambda n: n["populations"][1].update(model="hodgkin_huxley"))
network_variant("missing-field-network.json", lambda n: n.pop("populations"))
def idx_dir(name, images, rows, cols, labels=None, truncate=False, junk=False):
    d = path(name); os.makedirs(d)
    for split, n in (("train", images), ("t10k", images)):
        img = struct.pack(">HBBIII", 0, 8, 3, n, rows, cols) + bytes(n * rows * cols)
        lab = struct.pack(">HBBI", 0, 8, 1, n) + bytes(labels if labels is not None else [k % 10 for k in range(n)])
        if truncate: img, lab = img[: len(img) // 2], lab[:6]
        if junk: img, lab = garbage, garbage[:100]
        open(os.path.join(d, f"{split}-images-idx3-ubyte"), "wb").write(img)
        open(os.path.join(d, f"{split}-labels-idx1-ubyte"), "wb").write(lab)
    return d
idx_dir("idx-10x10", 50, 10, 10)
idx_dir("idx-0x0", 50, 0, 0)
idx_dir("idx-empty", 0, 28, 28)
idx_dir("idx-truncated", 50, 28, 28, truncate=True)
idx_dir("idx-garbage", 50, 28, 28, junk=True)
idx_dir("idx-bad-labels", 20, 28, 28, labels=[200] * 20)

numbers = ["nan", "NaN", "-nan", "inf", "-inf", "infinity", "0", "-0", "-1", "-0.5", "0.5", "1", "3", "1e308",
           "-1e308", "1e-308", "5e-324", "1e15", "9223372036854775807", "-9223372036854775808",
           "18446744073709551616", "99999999999999999999999"]
texts = ["", " ", "abc", "1,2", ",", "10,,20", "0x1F", "1_000", "1e", "--quick", "٣", "1 2", "true"]
paths = [path(n) for n in ("a-directory", "fifo", "garbage.bin", "empty", "truncated.csv", "text.csv",
         "one-class.csv", "nan.csv", "huge-label.csv", "garbage.json", "wrong.json", "array.json", "nan.json",
         "nan-network.json", "huge-network.json", "dense-network.json", "negative-delay-network.json",
         "unknown-model-network.json", "missing-field-network.json",
         "idx-10x10", "idx-0x0", "idx-empty", "idx-truncated", "idx-garbage", "idx-bad-labels")]
paths += ["/proc/volley-fuzz/out.json", "/proc/version", path("missing/dir/out.svg"), "/nonexistent/file",
          path("a-directory") + "/", "relative-output.svg"]

def flags_of(name):
    out = subprocess.run(command(name) + ["--help"], capture_output=True, text=True, timeout=30).stdout
    flags = []
    for line in out.splitlines():
        m = re.match(r"^\s+--([a-z0-9-]+)(?: (\S+))?\s{2,}", line)
        if m and m.group(1) != "help": flags.append((m.group(1), m.group(2)))
    return flags

def with_flag(base, flag, value):
    """base with --flag set to value (replacing a value the base gives), or added."""
    args = list(base)
    if "--" + flag in args:
        k = args.index("--" + flag)
        if value is None: return args
        args[k + 1] = value
        return args
    return args + (["--" + flag] if value is None else ["--" + flag, value])

cases = []
for name, base in bases.items():
    flags = flags_of(name)
    if not flags: sys.exit(f"fuzz: no flags found in {name} --help")
    cases.append((name, base))
    for flag, value_name in flags:
        if value_name is None:
            cases.append((name, with_flag(base, flag, None)))
            cases.append((name, base + [f"--{flag}=1"]))
            continue
        for v in numbers + texts + paths:
            cases.append((name, with_flag(base, flag, v)))
        cases.append((name, base + ["--" + flag]))                       # missing value
        cases.append((name, with_flag(base, flag, "1") + ["--" + flag, "2"]))  # repeated
        cases.append((name, [a for a in base if a != "--" + flag] + [f"--{flag}=2"]))
    for extra in (["--no-such-flag"], ["stray"], ["-x"], ["--"], ["---quick"], ["--=3"], ["-h", "--quick"]):
        cases.append((name, base + extra))
    if name.startswith("volley "):  # the network file itself: every bad path and bad file
        for v in paths + [""]:
            cases.append((name, [v] + base[1:]))
    value_flags = [f for f in flags if f[1] is not None]
    for _ in range(40):  # seeded random pairs of flags and values
        args = list(base)
        for flag, _ in rng.sample(value_flags, 2):
            args = with_flag(args, flag, rng.choice(numbers + texts + paths))
        cases.append((name, args))
rng.shuffle(cases)

work = path("work"); os.makedirs(work)
def run(case):
    name, args = case
    start = time.time()
    cwd = tempfile.mkdtemp(dir=work)  # relative output paths land here, removed afterwards
    try:
        p = subprocess.run(command(name) + args, capture_output=True, text=True, cwd=cwd,
                           stdin=subprocess.DEVNULL, timeout=time_limit, errors="replace")
    except subprocess.TimeoutExpired:
        return case, "hang", f"no exit within {time_limit:.0f} s", time.time() - start
    finally:
        shutil.rmtree(cwd, ignore_errors=True)
    out, err, rc = p.stdout.strip().splitlines(), p.stderr.strip(), p.returncode
    if rc < 0 or rc >= 128:
        return case, "crash", f"signal/status {rc}: {err[-300:]}", time.time() - start
    if re.search(r"Fatal error|Stack dump|Current stack trace|backtrace|Illegal instruction|Segmentation", err):
        return case, "crash", err[-300:], time.time() - start
    if rc == 0:
        if "-h" in args or "--help" in args:
            ok = bool(out) and out[0].startswith(name + ":")
            return case, ("ok" if ok else "unclear"), "help text" if ok else "help without usage", time.time() - start
        try:
            ok = isinstance(json.loads(out[-1]), dict)
        except (ValueError, IndexError):
            ok = False
        return case, ("ok" if ok else "unclear"), "" if ok else "exit 0 without a JSON object on the last line", time.time() - start
    if re.search(r"NSCocoaErrorDomain|Error Domain=|The operation could not be completed", err):
        return case, "unclear", f"Foundation's wording: {err[:300]!r}", time.time() - start
    lines = err.splitlines()
    named = any(("--" + a[2:].split("=")[0]) in err for a in args if a.startswith("--") and len(a) > 2) or "unexpected argument" in err
    if name.startswith("volley "):  # its errors may name the network file instead of a flag
        named = named or args[0] in err or "network file" in err
    program = name.split()[0]
    if len(lines) == 1 and lines[0].startswith(f"{program}: error: ") and named:
        return case, "refused", "", time.time() - start
    return case, "unclear", f"exit {rc}, stderr: {err[:300]!r}", time.time() - start

results, deadline = [], time.time() + budget
t0 = time.time()
with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
    pending = iter(cases)
    running = set()
    def submit():
        if time.time() > deadline: return False
        c = next(pending, None)
        if c is None: return False
        running.add(pool.submit(run, c)); return True
    for _ in range(2): submit()
    while running:
        done, _ = concurrent.futures.wait(running, return_when=concurrent.futures.FIRST_COMPLETED)
        for f in done:
            running.remove(f); results.append(f.result()); submit()
shutil.rmtree(scratch, ignore_errors=True)

count = {k: sum(1 for r in results if r[1] == k) for k in ("ok", "refused", "crash", "hang", "unclear")}
for (name, args), kind, detail, _ in results:
    if kind in ("crash", "hang", "unclear"):
        print(f"fuzz {kind}: {name} {' '.join(repr(a) if (not a or ' ' in a) else a for a in args)}\n    {detail}", file=sys.stderr)
if os.environ.get("FUZZ_LIST_ACCEPTED"):  # for reviewing what was accepted
    for (name, args), kind, _, _ in results:
        if kind == "ok": print("accepted:", name, " ".join(a for a in args if a not in bases[name] or a.startswith("--")), file=sys.stderr)
per_example = {n: sum(1 for r in results if r[0][0] == n) for n in bases}
summary = {"fuzz_cases": len(results), "crashes": count["crash"], "hangs": count["hang"],
           "unclear_errors": count["unclear"], "accepted": count["ok"], "refused": count["refused"],
           "generated_cases": len(cases), "cases_per_example": per_example,
           "longest_case_seconds": round(max((r[3] for r in results), default=0), 2),
           "wall_seconds": round(time.time() - t0, 1), "time_limit_seconds": time_limit}
print(json.dumps(summary))
bad = count["crash"] + count["hang"] + count["unclear"]
sys.exit(1 if bad or len(results) < minimum_cases else 0)
PY
