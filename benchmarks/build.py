"""Benchmark: cold `policykg build` wall time and its stages; HermiT separately.

Prints medians over a few runs, and the goal (under 2 s excluding HermiT on a 2-core machine).
As a same-run baseline it also times what the build's serialization would cost with rdflib
(parse the N-Quads, write TriG), since these machines are too noisy for absolute numbers alone.

    .venv/bin/python benchmarks/build.py [--runs 3]
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def cold_build(out: Path) -> tuple[float, dict[str, float]]:
    t = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "policykg", "build", "--quiet", "--out", str(out)],
                            cwd=REPO, capture_output=True, text=True)
    wall = time.perf_counter() - t
    if result.returncode not in (0, 1):
        sys.exit(f"build failed: {result.stderr.strip()}")
    stages = {k: float(v) for k, v in re.findall(r"(\w+) ([\d.]+)s", result.stdout.split("[", 1)[1])}
    return wall, stages


def rdflib_serialize(nq: Path) -> float:
    import rdflib
    t = time.perf_counter()
    ds = rdflib.Dataset()
    ds.parse(nq, format="nquads")
    ds.serialize(format="trig")
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    walls, stage_runs = [], []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "build"
        for _ in range(args.runs):
            wall, stages = cold_build(out)
            walls.append(wall)
            stage_runs.append(stages)
        quads = sum(1 for _ in open(out / "kg.nq", encoding="utf-8"))
        rdflib_s = statistics.median(rdflib_serialize(out / "kg.nq") for _ in range(args.runs))
    from policykg.build import pipeline as build
    from policykg.validate import validate
    ds = build.compile_dataset()
    t = time.perf_counter()
    validate.hermit_report(ds.store)
    hermit = time.perf_counter() - t

    wall = statistics.median(walls)
    print(f"dataset: {quads} quads")
    print(f"cold `policykg build` (process start to exit), median of {args.runs}: {wall:.2f} s "
          f"(goal < 2 s: {'met' if wall < 2 else 'NOT met'})")
    print("stages (median s):")
    for name in stage_runs[0]:
        print(f"  {name:<12} {statistics.median(s[name] for s in stage_runs):.3f}")
    ser = statistics.median(s.get("serialize", 0) for s in stage_runs)
    print(f"serialization: pyoxigraph {ser:.3f} s (all four formats) vs rdflib {rdflib_s:.3f} s (TriG only): "
          f"ratio {rdflib_s / ser if ser else float('inf'):.1f}x")
    print(f"HermiT OWL 2 DL check (separate, `policykg validate`): {hermit:.2f} s")


if __name__ == "__main__":
    main()
