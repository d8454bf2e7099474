"""Benchmark: the per-source stage of the build (read, check, compile and reason over each encoding,
`distributed.compile_units`) with this checkout's code and with a git revision's (default
origin/main) in the same run, in one process and in two forked ones (`POLICYKG_JOBS`).

    nice .venv/bin/python benchmarks/units.py CORPUS/documents [CORPUS2/documents ...]
        [--baseline-ref origin/main | --no-baseline] [--jobs 1 2] [--dask local:2] [--profile FILE]

Each run is a new Python process on a new unit cache. It prints one JSON line per run: the stage's
wall and CPU seconds (its process and workers; without starting Python and loading the ontology),
the same for the whole process, peak RSS, the load average at the end; then the ratio of the
baseline's stage wall and CPU to ours, and whether both codes made the same units (each
source's N-Quads and JSON-LD bytes, its inferred quads as a set, its counts and entities).
`--profile FILE` profiles our code in one process (cProfile) once more, and writes FILE.

`--dask ADDRESS` runs the stage on a Dask cluster instead (`local:N`: a LocalCluster of N worker
processes, started inside the stage's process and counted in its time) and adds each worker's peak
RSS; `--no-baseline` runs our code alone (for a corpus too large to run twice, such as 100,000
policies through the Dask path).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import worktree

REPO = Path(__file__).resolve().parent.parent

STAGE = """
import cProfile, json, resource, sys, time
from pathlib import Path
from policykg.build import distributed, units


def main():
    files = units.document_paths([Path(sys.argv[1])])
    ctx = units.Context.get()
    def cpu():
        return sum(u.ru_utime + u.ru_stime for u in map(resource.getrusage, (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)))
    def peak_mb():
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    profile = cProfile.Profile() if sys.argv[3] else None
    if profile:
        profile.enable()
    t, c = time.perf_counter(), cpu()
    client = distributed.client(sys.argv[4]) if sys.argv[4] else None
    done = distributed.compile_units(files, ctx.digest, Path(sys.argv[2]), client)
    t, c = time.perf_counter() - t, cpu() - c
    extra = {}
    if client is not None:
        extra["workers_peak_rss_mb"] = sorted(client.run(peak_mb).values())
        extra["workers_cpu_s"] = round(sum(client.run(cpu).values()), 1)
        extra["client_peak_rss_mb"] = peak_mb()
        client.close()
    if profile:
        profile.disable()
        profile.dump_stats(sys.argv[3])
    print(json.dumps({"files": len(files), "quads": sum(u.quads for u in done), "inferred": sum(u.inferred for u in done),
                      "processes": distributed.processes(len(files)) if client is None else sys.argv[4],
                      "stage_s": round(t, 1), "stage_cpu_s": round(c, 1), **extra}))


if __name__ == "__main__":      # Dask's worker processes start by importing this file
    main()
"""


def run(root: Path, docs: Path, cache: Path, jobs: int, profile: str = "", dask: str = "") -> dict:
    env = os.environ | {"PYTHONPATH": str(root), "POLICYKG_JOBS": str(jobs)}
    t = time.perf_counter()
    script = cache.parent / "stage.py"
    script.write_text(STAGE)
    proc = subprocess.Popen([sys.executable, str(script), str(docs), str(cache), profile, dask], cwd=root, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    out, err = proc.stdout.read(), proc.stderr.read()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"the per-source stage failed ({root}):\n{err}")
    return {**json.loads(out), "wall_s": round(wall, 1), "cpu_s": round(usage.ru_utime + usage.ru_stime, 1),
            "peak_rss_mb": usage.ru_maxrss // 1024, "load": [round(x, 2) for x in os.getloadavg()]}


def units_of(cache: Path) -> dict:
    """Each source's unit, by file name: what the dumps and the store take from it (the files as
    digests, so that this process stays small: a process it starts inherits its peak RSS)."""
    out = {}
    for f in cache.glob("*.unit"):
        u = pickle.loads(f.read_bytes())
        body = lambda ext: (cache / f"{u.digest}{ext}").read_bytes()          # noqa: E731
        out[Path(u.path).name] = (hashlib.sha256(body(".nq")).hexdigest(), hashlib.sha256(body(".jsonld")).hexdigest(),
                                  hashlib.sha256(b"\n".join(sorted(body(".inf.nq").splitlines()))).hexdigest(),
                                  u.quads, u.inferred, u.nodes, u.join_nodes, sorted(u.lookups.items()), u.declarations)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("documents", type=Path, nargs="+")
    ap.add_argument("--baseline-ref", default="origin/main")
    ap.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--profile", default="")
    ap.add_argument("--dask", default="", help="a Dask scheduler address or local:N (instead of --jobs)")
    ap.add_argument("--no-baseline", action="store_true", help="run our code alone")
    ap.add_argument("--tmp", type=Path, default=None, help="where the unit caches go (default: the system's)")
    args = ap.parse_args()
    if args.no_baseline:
        with tempfile.TemporaryDirectory(dir=args.tmp) as tmp:
            for docs in args.documents:
                for jobs in ([0] if args.dask else args.jobs):
                    got = run(REPO, docs, Path(tmp) / "cache", jobs, dask=args.dask)
                    print(json.dumps({"corpus": str(docs), "code": "ours", "jobs": jobs or args.dask, **got}), flush=True)
                    shutil.rmtree(Path(tmp) / "cache")
        return
    with tempfile.TemporaryDirectory(dir=args.tmp) as tmp:
        tmp = Path(tmp)
        with worktree.checkout(args.baseline_ref, tmp / "baseline") as base:
            for docs in args.documents:
                for jobs in args.jobs:
                    got = {}
                    for name, root in (("baseline", base), ("ours", REPO)):
                        cache = tmp / f"cache-{name}"
                        got[name] = run(root, docs, cache, jobs, dask=args.dask)
                        print(json.dumps({"corpus": str(docs), "code": name, "jobs": jobs, **got[name]}), flush=True)
                    same = units_of(tmp / "cache-baseline") == units_of(tmp / "cache-ours")
                    print(json.dumps({"corpus": str(docs), "jobs": jobs, "same_units": same,
                                      "wall_ratio": round(got["baseline"]["stage_s"] / got["ours"]["stage_s"], 2),
                                      "cpu_ratio": round(got["baseline"]["stage_cpu_s"] / got["ours"]["stage_cpu_s"], 2)}),
                          flush=True)
                    for name in got:
                        shutil.rmtree(tmp / f"cache-{name}")
            if args.profile:
                print(json.dumps({"profile": args.profile, **run(REPO, args.documents[-1], tmp / "cache-profile", 1,
                                                                 str(Path(args.profile).resolve()))}), flush=True)


if __name__ == "__main__":
    main()
