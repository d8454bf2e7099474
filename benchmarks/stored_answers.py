"""Benchmark: the answers a build stores (`#+ answer: stored`), computed with this checkout's query
texts and with a git revision's (default origin/main), on the same store in the same run.

    nice .venv/bin/python benchmarks/stored_answers.py BUILD [--baseline-ref origin/main] [NAME ...]

For each named query (default: every `answer: stored` query with a required parameter whose text
differs between the two), it computes the answer for every value the build stores one for with the
build's own step (`policykg.query.stored._compute`: the value written into the text, else
substituted, serialized by the engine into a scratch file), once with each text; the two alternate in order from one value to the next, so neither always runs on a
warmer cache. It prints, per query, the values, the rows, how many answers differ in any byte
(they must not: a rewrite of a query changes its speed, not its answer), the seconds each way and
the ratio; then the totals. A query that is new or has no answer to store is skipped and named.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def baseline_text(ref: str, name: str) -> str | None:
    """The query's text at the git revision, or None where it has no such file."""
    got = subprocess.run(["git", "-C", str(REPO), "show", f"{ref}:queries/{name}.rq"], capture_output=True, text=True)
    return got.stdout if got.returncode == 0 else None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("build", type=Path)
    ap.add_argument("names", nargs="*")
    ap.add_argument("--baseline-ref", default="origin/main")
    args = ap.parse_intermixed_args()

    import pyoxigraph as ox

    from policykg.query import catalogue, stored
    store = ox.Store.read_only(str(args.build / "store"))
    queries = catalogue.catalogue()
    names = args.names or [n for n, q in sorted(queries.items())
                           if q.answer == "stored" and any(p.required for p in q.params)
                           and baseline_text(args.baseline_ref, n) not in (None, (REPO / "queries" / f"{n}.rq").read_text())]
    scratch = Path(tempfile.mkdtemp(prefix="stored-answers-")) / "answer.tsv"

    def answer(q, subs: dict) -> tuple[str, int, float]:
        """The answer's SHA-256 and rows, and the seconds the build's step took (the file is read a block at a time)."""
        _, seconds = stored._compute(store, q, subs, scratch)
        digest, lines = hashlib.sha256(), 0
        with open(scratch, "rb") as f:
            while block := f.read(1 << 20):
                digest.update(block)
                lines += block.count(b"\n")
        scratch.unlink()
        return digest.hexdigest(), lines - 1, seconds

    print(f"store {args.build / 'store'}; baseline: the query texts at {args.baseline_ref}", flush=True)
    totals, differ = {"baseline": 0.0, "now": 0.0}, 0
    for name in names:
        q, old = queries.get(name), baseline_text(args.baseline_ref, name)
        subs_list = stored.bindings(store, q) if q is not None and q.answer == "stored" else None
        if old is None or not subs_list:
            print(f"{name}: skipped ({'no text at ' + args.baseline_ref if old is None else 'no stored answers'})")
            continue
        sides = {"baseline": dataclasses.replace(q, text=catalogue.parse(q.path, old).text), "now": q}
        seconds, rows, changed = {"baseline": 0.0, "now": 0.0}, 0, 0
        for i, subs in enumerate(subs_list):
            got = {}
            for side in sorted(sides, reverse=bool(i % 2)):
                digest, n, spent = answer(sides[side], subs)
                got[side] = digest, n
                seconds[side] += spent
            rows += got["now"][1]
            changed += got["baseline"] != got["now"]
        differ += changed
        for side in totals:
            totals[side] += seconds[side]
        print(f"{name:36} {len(subs_list):5} values {rows:9,} rows  {changed} differ  baseline {seconds['baseline']:8.1f} s"
              f"  now {seconds['now']:8.1f} s  {seconds['baseline'] / max(seconds['now'], 1e-9):5.2f}x", flush=True)
    scratch.parent.rmdir()
    print(f"{'total':36} baseline {totals['baseline']:.1f} s, now {totals['now']:.1f} s "
          f"({totals['baseline'] / max(totals['now'], 1e-9):.2f}x); answers that differ: {differ}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
