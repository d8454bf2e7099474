"""Benchmark: the key table of the per-source stage (`declared.key_table`), which every worker holds
whole, with this checkout's code and with a git revision's (default origin/main), on the same scans.

    nice .venv/bin/python benchmarks/key_table.py CORPUS/documents [--baseline-ref origin/main]

It scans the corpus once (in this process, from the files), builds the table with each code in a
new process from the pickled scans, and prints for each: its keys, its pickled size (what a Dask
worker receives), the memory the table takes once unpickled (tracemalloc, as a worker holds it) and
the seconds to build it; then the ratios. Both tables must map the same keys to the same classes.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import subprocess
import sys
import tempfile
from pathlib import Path

import worktree

REPO = Path(__file__).resolve().parent.parent

MEASURE = """
import json, pickle, sys, time, tracemalloc
from policykg.build import units
from policykg.encoding import declared
scans = pickle.loads(open(sys.argv[1], "rb").read())
onto = units.Context.get().onto
t = time.perf_counter()
known, _ = declared.key_table(onto, scans)
seconds = time.perf_counter() - t
data = pickle.dumps(known, protocol=pickle.HIGHEST_PROTOCOL)
open(sys.argv[2], "wb").write(data)
del known
tracemalloc.start()
again = pickle.loads(data)
held = tracemalloc.get_traced_memory()[0]
tracemalloc.stop()
print(json.dumps({"keys": len(again), "pickled_mb": round(len(data) / 2**20, 1), "held_mb": round(held / 2**20, 1),
                  "build_s": round(seconds, 2)}))
"""


def measure(root: Path, scans: Path, out: Path) -> dict:
    env = os.environ | {"PYTHONPATH": str(root)}
    r = subprocess.run([sys.executable, "-c", MEASURE, str(scans), str(out)], cwd=root, env=env,
                       capture_output=True, text=True)
    if r.returncode:
        sys.exit(f"the key table failed ({root}):\n{r.stderr}")
    return json.loads(r.stdout)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("documents", type=Path)
    ap.add_argument("--baseline-ref", default="origin/main")
    args = ap.parse_args()
    sys.path.insert(0, str(REPO))
    from policykg.build import units
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        context = units.Context.get().digest
        scans = [units.scan(str(f), context, str(tmp / "cache")) for f in units.document_paths([args.documents])]
        for sc in scans:
            sc.path = Path(sc.path)
        (tmp / "scans.pickle").write_bytes(pickle.dumps(scans, protocol=pickle.HIGHEST_PROTOCOL))
        del scans
        got = {}
        with worktree.checkout(args.baseline_ref, tmp / "baseline") as base:
            for name, root in (("baseline", base), ("ours", REPO)):
                got[name] = measure(root, tmp / "scans.pickle", tmp / f"{name}.pickle")
                print(json.dumps({"corpus": str(args.documents), "code": name, **got[name]}), flush=True)
        a, b = (pickle.loads((tmp / f"{n}.pickle").read_bytes()) for n in ("baseline", "ours"))
        same = a.keys() == b.keys() and all(set(a[k]) == set(b[k]) for k in a)
        del a, b
        print(json.dumps({"same_table": same,
                          "held_ratio": round(got["baseline"]["held_mb"] / got["ours"]["held_mb"], 2),
                          "pickled_ratio": round(got["baseline"]["pickled_mb"] / got["ours"]["pickled_mb"], 2)}))


if __name__ == "__main__":
    main()
