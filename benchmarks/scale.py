"""Benchmark: the build at scale, on synthetic corpora of N policies (benchmarks/corpus.py).

For each N it prints quads, `build` wall time and stages, peak RSS, adding one policy to the built
corpus (the add path of policykg.build.incremental, against the full rebuild of the same N + 1
policies with `--full`, which reuses the cached units, measured in the same run), and a cold
`policykg query` (process start to exit), and with `--endpoint SECONDS` the endpoint's throughput
(`serve`, no answer cache, 4 clients, 2 workers, every catalogue query in turn by name at
`/catalogue/NAME?…&limit=100`, a client paging the answers: benchmarks/queries.py). As the baseline it runs
the same steps with the code of a git revision (default: origin/main) in the same run, where that
finishes within --baseline-timeout. Goals at 10,000 policies (issue 15): build <= 5 min and
<= 4 GB, adding one policy <= 5 s, cold query <= 0.3 s, endpoint >= 50 queries/s with p99 <= 1 s.

    nice .venv/bin/python benchmarks/scale.py --n 100 1000 [--dask local:2] [--baseline-ref origin/main]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))
import corpus  # noqa: E402

QUERY = ["query", "agencies", "--format", "csv"]


def run(cmd: list[str], env=None, timeout: float | None = None, cwd: Path = REPO) -> tuple[float, int, str, int]:
    """(wall seconds, peak RSS in MB, output, exit code) of a child process; rc -9 when timed out."""
    with tempfile.TemporaryFile("w+") as log:
        t = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=cwd, text=True)
        timer = threading.Timer(timeout, proc.kill) if timeout else None
        if timer:
            timer.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t
        if timer:
            timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
        log.seek(0)
        return wall, usage.ru_maxrss // 1024, log.read(), proc.returncode


class Code:
    """How to run `policykg` with the code of this checkout or of a git revision."""

    def __init__(self, python: str, root: Path = REPO):
        self.python, self.env, self.root = python, dict(os.environ), root
        self.env["PYTHONPATH"] = str(root)         # run from `root`, so its policykg/ is the one imported

    def cli(self, *args) -> list[str]:
        return [self.python, "-m", "policykg", *args]


def build_new(code: Code, docs: Path, out: Path, dask: str | None, links: bool = False, *extra: str) -> dict:
    cmd = code.cli("build", "--documents", str(docs), "--no-pages", "--out", str(out), "-q", *extra)
    if not links:
        cmd.append("--no-links")
    if dask:
        cmd += ["--dask", dask]
    wall, rss, text, rc = run(cmd, code.env, cwd=code.root)
    if rc not in (0, 1):
        raise SystemExit(f"build failed ({rc}): {text[-2000:]}")
    m = re.search(r"\((\d+) quads", text)
    stages = dict(re.findall(r"(\w+) ([\d.]+)s", text.split("[", 1)[1])) if "[" in text else {}
    return {"wall": wall, "rss": rss, "quads": int(m[1]) if m else 0, "stages": stages,
            "path": "add" if text.startswith("added to") or "\nadded to" in text else "full"}


def build_old(code: Code, docs: Path, out: Path, timeout: float, links: bool = False) -> dict:
    """Today's build: the one-pass pipeline of the baseline revision, on the same folder (without
    links unless `links`, to do the same work as the new build)."""
    script = ("import sys, time; from pathlib import Path; from policykg.build import pipeline; "
              + ("" if links else "import policykg.link.compute as L; L.compute = lambda store, **kw: []; "
                                  "L.iter_links = lambda store, **kw: iter(()); ") +
              "t = time.perf_counter(); ds = pipeline.build(Path(sys.argv[1]), documents_dir=Path(sys.argv[2]), "
              "with_pages=False); print('quads', len(ds.store), 'stages', ' '.join(f'{k} {v:.1f}s' for k, v in ds.timings.items()))")
    wall, rss, text, rc = run([code.python, "-c", script, str(out), str(docs)], code.env, timeout, code.root)
    if rc != 0:
        return {"wall": wall, "rss": rss, "failed": "timed out" if rc < 0 else text.strip().splitlines()[-1][:120]}
    m = re.search(r"quads (\d+)", text)
    return {"wall": wall, "rss": rss, "quads": int(m[1]), "stages": dict(re.findall(r"(\w+) ([\d.]+)s", text))}


def cold_query(code: Code, build: Path, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        wall, _, text, rc = run(code.cli(*QUERY, "--build", str(build)), code.env, 600, code.root)
        if rc != 0:
            return float("nan")
        times.append(wall)
    return statistics.median(times)


def endpoint(build: Path, seconds: float) -> dict | None:
    """The endpoint's throughput on `build` (benchmarks/queries.py), every catalogue query by name, a page of 100."""
    import argparse as ap
    import queries
    from policykg.query import catalogue
    opts = ap.Namespace(build=str(build), timeout=30.0, workers=2, clients=4, duration=seconds, endpoint_limit=100)
    return queries.endpoint(opts, list(catalogue.catalogue()), "ours", cache_mb=0, route="catalogue")


def baseline_code(ref: str, where: Path) -> Code | None:
    proc = subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", str(where), ref],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        print(f"no baseline: {proc.stderr.strip()}", file=sys.stderr)
        return None
    return Code(sys.executable, where)


def fmt_row(cells) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, nargs="+", default=[100, 1000])
    ap.add_argument("--dask", help="also build through Dask (e.g. local:2)")
    ap.add_argument("--baseline-ref", default="origin/main", help="git revision of today's code ('' for none)")
    ap.add_argument("--baseline-timeout", type=float, default=900)
    ap.add_argument("--baseline-max-n", type=int, default=1000, help="skip the baseline above this N")
    ap.add_argument("--links", action="store_true", help="include the links stage (on both sides)")
    ap.add_argument("--keep", type=Path, help="keep corpora and builds in this folder")
    ap.add_argument("--endpoint", type=float, default=0, metavar="SECONDS",
                    help="also measure the endpoint's throughput on each build for this long (0: not)")
    args = ap.parse_args()
    work = Path(args.keep or tempfile.mkdtemp(prefix="policykg-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    new = Code(sys.executable)
    old = baseline_code(args.baseline_ref, work / "baseline-code") if args.baseline_ref else None
    rows = []
    try:
        for n in args.n:
            docs = work / f"corpus-{n}"
            if not (docs / "documents").is_dir():
                corpus.write(n, docs)
            out = work / f"build-{n}"
            r = build_new(new, docs / "documents", out, None, args.links)
            q = cold_query(new, out)
            corpus.write(n + 1, docs, start=n)                   # one more policy, then rebuild
            add = build_new(new, docs / "documents", out, None, args.links)
            if add["path"] != "add":
                raise SystemExit(f"adding one policy took the full path: {add}")
            add_full = build_new(new, docs / "documents", out, None, args.links, "--full")   # the same, rebuilt
            (docs / "documents" / f"synth-{n:06d}.yaml").unlink()
            (docs / "texts" / f"synth-{n:06d}.txt").unlink()
            row = {"n": n, "new": r, "query": q, "add": add, "add_full": add_full}
            if args.endpoint > 0:
                row["endpoint"] = endpoint(out, args.endpoint)
            if args.dask:
                row["dask"] = build_new(new, docs / "documents", work / f"build-{n}-dask", args.dask)
            if old and n <= args.baseline_max_n:
                oout = work / f"baseline-{n}"
                row["old"] = build_old(old, docs / "documents", oout, args.baseline_timeout, args.links)
                row["old_query"] = cold_query(old, oout) if "failed" not in row["old"] else float("nan")
            rows.append(row)
            print_row(row)
    finally:
        if old:
            subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(work / "baseline-code")],
                           capture_output=True)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print()
    print(fmt_row(["policies", "quads", "build (s)", "peak RSS (MB)", "add one (s)", "add RSS (MB)",
                   "add one, full rebuild (s)", "add ratio", "cold query (s)",
                   "baseline build (s)", "baseline RSS (MB)", "baseline cold query (s)", "build ratio",
                   "endpoint (queries/s, p99 ms, errors)"]))
    print(fmt_row(["---:"] * 14))
    for row in rows:
        o = row.get("old", {})
        ratio = f"{o['wall'] / row['new']['wall']:.1f}x" if o and "failed" not in o else "—"
        print(fmt_row([row["n"], row["new"]["quads"], f"{row['new']['wall']:.1f}", row["new"]["rss"],
                       f"{row['add']['wall']:.1f}", row["add"]["rss"], f"{row['add_full']['wall']:.1f}",
                       f"{row['add_full']['wall'] / row['add']['wall']:.0f}x", f"{row['query']:.2f}",
                       (f"{o['wall']:.1f}" if "failed" not in o else f"{o['failed']} after {o['wall']:.0f}") if o else "—",
                       o.get("rss", "—"), f"{row.get('old_query', float('nan')):.2f}" if o else "—", ratio,
                       _endpoint_cell(row.get("endpoint"))]))


def _endpoint_cell(e: dict | None) -> str:
    return f"{e['qps']:.1f}, {e['p99']:.0f}, {e['errors']}" if e else "—"


def print_row(row) -> None:
    print(f"N={row['n']}: build {row['new']['wall']:.1f}s {row['new']['rss']} MB {row['new']['quads']} quads "
          f"stages {row['new']['stages']}; add one {row['add']['wall']:.1f}s stages {row['add']['stages']} "
          f"(full rebuild {row['add_full']['wall']:.1f}s stages {row['add_full']['stages']}); "
          f"cold query {row['query']:.2f}s", flush=True)
    if "dask" in row:
        print(f"  dask: {row['dask']['wall']:.1f}s {row['dask']['rss']} MB (scheduler process) stages {row['dask']['stages']}",
              flush=True)
    if "old" in row:
        print(f"  baseline: {row['old']}; cold query {row.get('old_query', float('nan')):.2f}s", flush=True)


if __name__ == "__main__":
    main()
