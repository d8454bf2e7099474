"""Benchmark: the answers a build stores (`#+ answer: stored`), computed with this checkout's query
texts and with a git revision's (default origin/main), on the same store in the same run.

    nice .venv/bin/python benchmarks/stored_answers.py BUILD [--baseline-ref origin/main] [NAME ...]

For each named query (default: every `answer: stored` query with a required parameter whose text
differs between the two), it runs the query for every value the build stores an answer for, as the
build does (`policykg.query.stored`: the value written into the text, else substituted), once with
each text; the two alternate in order from one value to the next, so neither always runs on a
warmer cache. It prints, per query, the values, the rows, how many answers differ in any byte
(they must not: a rewrite of a query changes its speed, not its answer), the seconds each way and
the ratio; then the totals. A query that is new or has no answer to store is skipped and named.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
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
    args = ap.parse_args()

    import pyoxigraph as ox

    from policykg.query import catalogue, stored
    from policykg.query.inline import inline
    from policykg.store import union
    store = ox.Store.read_only(str(args.build / "store"))
    queries = catalogue.catalogue()
    names = args.names or [n for n, q in sorted(queries.items())
                           if q.answer == "stored" and any(p.required for p in q.params)
                           and baseline_text(args.baseline_ref, n) not in (None, (REPO / "queries" / f"{n}.rq").read_text())]
    opts = union.options(store)

    def answer(text: str, subs: dict) -> tuple[bytes, float]:
        t = time.perf_counter()
        written = inline(text, subs)
        run = {**opts} if written is not None else {**opts, "substitutions": subs}
        out = store.query(written if written is not None else text, **run).serialize(format=ox.QueryResultsFormat.TSV)
        return out, time.perf_counter() - t

    print(f"store {args.build / 'store'}; baseline: the query texts at {args.baseline_ref}", flush=True)
    totals, differ = {"baseline": 0.0, "now": 0.0}, 0
    for name in names:
        q, old = queries.get(name), baseline_text(args.baseline_ref, name)
        subs_list = stored.bindings(store, q) if q is not None and q.answer == "stored" else None
        if old is None or not subs_list:
            print(f"{name}: skipped ({'no text at ' + args.baseline_ref if old is None else 'no stored answers'})")
            continue
        old = catalogue.parse(q.path, old).text
        seconds, rows, changed = {"baseline": 0.0, "now": 0.0}, 0, 0
        for i, subs in enumerate(subs_list):
            outs = {}
            for side, text in sorted((("baseline", old), ("now", q.text)), reverse=bool(i % 2)):
                outs[side], spent = answer(text, subs)
                seconds[side] += spent
            rows += outs["now"].count(b"\n") - 1
            changed += outs["baseline"] != outs["now"]
        differ += changed
        for side in totals:
            totals[side] += seconds[side]
        print(f"{name:36} {len(subs_list):5} values {rows:9,} rows  {changed} differ  baseline {seconds['baseline']:8.1f} s"
              f"  now {seconds['now']:8.1f} s  {seconds['baseline'] / max(seconds['now'], 1e-9):5.2f}x", flush=True)
    print(f"{'total':36} baseline {totals['baseline']:.1f} s, now {totals['now']:.1f} s "
          f"({totals['baseline'] / max(totals['now'], 1e-9):.2f}x); answers that differ: {differ}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
