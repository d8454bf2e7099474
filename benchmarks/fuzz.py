"""Long fuzz run: the properties of tests/test_fuzz.py with many more examples and a fresh seed.

Not a test (it runs for minutes). Usage, from the repository, after `policykg build`:

    nice .venv/bin/python benchmarks/fuzz.py [--examples 2000] [--seed N] [--build build]

It prints, for mutated encodings and for query parameters, how many inputs succeeded, how many
ended in one clean error (with the most frequent first words of the messages), the median time per
input, and any input that broke the property (a traceback, a hang or a blow-up), then exits 1 if
there was one.
"""

from __future__ import annotations

import argparse
import collections
import random
import statistics
import sys
import time
import traceback
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--examples", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--build", default=str(REPO / "build"))
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(2**32)
    from hypothesis import HealthCheck, given, seed as hseed, settings

    import fuzzing
    from policykg.errors import InputError
    from policykg.model import ontology
    from policykg.query import engine as query
    from policykg.query.bounds import LimitError

    onto = ontology.load()
    store = query.store(args.build)
    names = sorted(query.catalogue())
    print(f"seed {seed}, {args.examples} examples per property, limits {fuzzing.LIMIT_S} s / {fuzzing.LIMIT_MB} MB")
    broken = []

    def run(label, strategy, one):
        outcomes, times = collections.Counter(), []

        @settings(max_examples=args.examples, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        @hseed(seed)
        @given(case=strategy)
        def prop(case):
            t = time.perf_counter()
            try:
                out = one(case)
                outcomes["ok" if out == "ok" else "error: " + " ".join(out.split(":")[-1].split()[:3])] += 1
            except (LimitError, InputError) as e:
                outcomes["LIMIT"] += 1
                broken.append((label, repr(case)[:300], e.message))
            except Exception:                           # noqa: BLE001 - the property failed: record it
                broken.append((label, repr(case)[:300], traceback.format_exc(limit=3)))
            times.append(time.perf_counter() - t)
        prop()
        ok = outcomes.pop("ok", 0)
        print(f"\n{label}: {sum(outcomes.values()) + ok} inputs, {ok} succeeded, {sum(outcomes.values())} clean errors, "
              f"median {statistics.median(times) * 1000:.0f} ms per input")
        for what, n in outcomes.most_common(8):
            print(f"  {n:6}  {what}")

    run("mutated encodings", fuzzing.encodings(), lambda c: fuzzing.bounded(fuzzing.read_mutated, onto, *c))
    run("query parameters", fuzzing.query_calls(names), lambda c: fuzzing.run_query(store, *c))
    for label, case, what in broken[:20]:
        print(f"\nBROKEN ({label}): {case}\n{what}")
    print(f"\n{len(broken)} inputs broke the property")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
