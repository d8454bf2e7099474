"""Finding entities by name in a cold process: `policykg search` and the error for an unknown name.

    python benchmarks/find.py --build BUILD [--baseline CHECKOUT [--baseline-build BUILD]] [--repeat N]

Each case runs in a new Python process (start to exit, the build's index file on disk, as a user
runs it) and prints its wall and CPU time (with its child processes), peak memory (of the
process or its largest child) and, with `--baseline DIR` (a checkout of
other code, e.g. `git worktree add /tmp/old origin/main`), the baseline's figures in the same run
and the ratio. Cases: search with a 2-character Chinese text (汽车, read in SQLite without the
trigram index), a 3+-character text (steel), a misspelt English text; a query parameter naming a
document that is not there (the "did you mean" error) and a misspelt label of `show`.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

CASES = {
    "search 汽车": ["search", "汽车", "--limit", "10"],
    "search steel": ["search", "steel", "--limit", "10"],
    "search misspelt": ["search", "automobles industry", "--limit", "10"],
    "unknown document": ["query", "document-dates", "--param", "doc=doc/miit-2022-999"],
    "misspelt label": ["show", "Automobles"],
}

_RUN = """
import json, resource, sys, time
t, c = time.perf_counter(), time.process_time()
from policykg.cli import main
try:
    rc = main(sys.argv[1:])
except SystemExit as e:
    rc = e.code
me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"rc": rc, "wall": time.perf_counter() - t,
                  "cpu": time.process_time() - c + kids.ru_utime + kids.ru_stime,
                  "rss": max(me.ru_maxrss, kids.ru_maxrss) / 1024}), file=sys.stderr)
"""


def run(argv: list[str], build: str, env: dict) -> dict:
    p = subprocess.run([sys.executable, "-c", _RUN, *argv, "--build", build], env=env,
                       capture_output=True, text=True)
    figures = json.loads(p.stderr.strip().splitlines()[-1])
    figures["out"] = (p.stdout.strip().splitlines() or p.stderr.strip().splitlines()[:1] or [""])[:4]
    return figures


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", required=True)
    ap.add_argument("--baseline", help="a checkout of the code to compare with (its folder holds policykg/)")
    ap.add_argument("--baseline-build", help="the build the baseline reads (default: --build), e.g. one whose "
                    "index file is of the baseline's version")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--cases", default=",".join(CASES), help="comma-separated case names")
    args = ap.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f}; build {args.build}")
    sides = [("ours", dict(os.environ), args.build)]
    if args.baseline:
        sides.append(("baseline", {**os.environ, "PYTHONPATH": str(Path(args.baseline).resolve())},
                      args.baseline_build or args.build))
    for name in args.cases.split(","):
        best = {}
        for side, env, build in sides:
            figs = [run(CASES[name], build, env) for _ in range(args.repeat)]
            best[side] = min(figs, key=lambda f: f["wall"])
            f = best[side]
            print(f"{name:18} {side:8} wall {f['wall']:7.2f} s  cpu {f['cpu']:6.2f} s  peak {f['rss']:6.0f} MB"
                  f"  rc {f['rc']}  load {os.getloadavg()[0]:.2f}  | {' / '.join(f['out'])[:160]}")
        if "baseline" in best:
            print(f"{name:18} ratio    baseline/ours {best['baseline']['wall'] / best['ours']['wall']:.0f}x")


if __name__ == "__main__":
    main()
