"""Benchmark: writing the kept link index (`policykg.link.saved.write`, cache/links.sqlite), the
last step of a full build with links, with this checkout's code and with a git revision's, on the
units of one build.

    nice .venv/bin/python benchmarks/link_index.py --build BUILD [--baseline-ref 9a1e196] [--repeat 1]

It reads the units and actions kept in BUILD/cache/links.sqlite, and writes them into a new file
with each code in turn, each in a new process (alternating, `--repeat` times): the seconds, the
peak RSS the write added (VmHWM after clearing it, over VmRSS before) and a digest of the rows
written (the units and actions by key, every row of the index tables; not the pickled units, whose
sets pickle in hash order). Both codes must write the same rows.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics as stats
import subprocess
import sys
import tempfile
from pathlib import Path

import worktree

REPO = Path(__file__).resolve().parent.parent

ROWS = ("SELECT iri, kind, gen FROM units ORDER BY 1", "SELECT m, gen FROM acts ORDER BY 1",
        "SELECT * FROM owner ORDER BY 1, 2", "SELECT * FROM counts ORDER BY 1, 2",
        "SELECT * FROM post ORDER BY 1, 2", "SELECT * FROM lpost ORDER BY 1, 2, 3")

MEASURE = """
import hashlib, json, pickle, sqlite3, sys, time
from policykg.link import saved
src, out, rows = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
db = sqlite3.connect(f"file:{src}?mode=ro", uri=True)
us = {x: pickle.loads(d) for x, d in db.execute("SELECT iri, data FROM units")}
acts = {m: pickle.loads(d) for m, d in db.execute("SELECT m, data FROM acts")}
db.close()
def status(key):
    return next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith(key)) // 1024
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")
start, t = status("VmRSS:"), time.perf_counter()
saved.write(out, us, acts)
seconds, added = time.perf_counter() - t, status("VmHWM:") - start
h = hashlib.sha256()
db = sqlite3.connect(out)
for q in rows:
    for r in db.execute(q):
        h.update(repr(r).encode())
print(json.dumps({"units": len(us), "seconds": round(seconds, 1), "added_mb": added, "digest": h.hexdigest()}))
"""


def measure(root: Path, src: Path, out: Path) -> dict:
    out.unlink(missing_ok=True)
    r = subprocess.run([sys.executable, "-c", MEASURE, str(src), str(out), json.dumps(ROWS)], cwd=root,
                       env=os.environ | {"PYTHONPATH": str(root)}, capture_output=True, text=True)
    out.unlink(missing_ok=True)
    if r.returncode:
        sys.exit(f"writing the link index failed ({root}):\n{r.stderr}")
    return json.loads(r.stdout)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", required=True, type=Path)
    ap.add_argument("--baseline-ref", default="origin/main")
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    src = args.build / "cache" / "links.sqlite"
    if not src.is_file():
        sys.exit(f"{src}: no link index here; build with links first (policykg build without --no-links)")
    with tempfile.TemporaryDirectory() as tmp:
        got: dict[str, list[dict]] = {"baseline": [], "ours": []}
        with worktree.checkout(args.baseline_ref, Path(tmp) / "baseline") as base:
            for _ in range(args.repeat):
                for name, root in (("baseline", base), ("ours", REPO)):
                    got[name].append(measure(root, src, Path(tmp) / "links.sqlite"))
                    print(json.dumps({"code": name, **got[name][-1], "load": round(os.getloadavg()[0], 2)}), flush=True)
    med = {n: {k: stats.median(r[k] for r in runs) for k in ("seconds", "added_mb")} for n, runs in got.items()}
    print(json.dumps({"median": med, "same_rows": len({r["digest"] for runs in got.values() for r in runs}) == 1,
                      "peak_ratio": round(med["baseline"]["added_mb"] / max(med["ours"]["added_mb"], 1), 2),
                      "time_ratio": round(med["baseline"]["seconds"] / med["ours"]["seconds"], 2)}))


if __name__ == "__main__":
    main()
