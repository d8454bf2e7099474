"""Helpers for the query tests: the parameters each catalogue query runs with, result normalisation,
and the expected-answer files in queries/expected/.

Regenerate the expected answers after a change to the data or the queries, then check the diff
row by row against the sources and say in queries/expected/README.md where each file was checked
(an answer recorded from the program's own output and not checked is no test):

    .venv/bin/policykg build && .venv/bin/python tests/helpers_query.py
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EXPECTED = REPO / "queries" / "expected"


def example_params(q) -> dict:
    """The header examples of the required parameters (optional ones stay unbound)."""
    return {p.name: p.example for p in q.params if p.required}


def normalise(csv_text: str) -> list[tuple]:
    """Rows of a SPARQL CSV result as sorted tuples; '; '-joined lists are sorted inside a cell."""
    rows = list(csv.reader(io.StringIO(csv_text)))
    if not rows:
        return []
    head, body = rows[0], rows[1:]
    out = []
    for row in body:
        out.append(tuple("; ".join(sorted(c.split("; "))) if "; " in c else c for c in row))
    return [tuple(head)] + sorted(out)


def expected_file(name: str) -> Path:
    return EXPECTED / f"{name}.csv"


def regenerate(build_dir: Path | str = REPO / "build") -> list[Path]:
    from policykg.store import load as dataset
    from policykg.query import catalogue, engine as query
    st = dataset.load(build_dir)
    EXPECTED.mkdir(parents=True, exist_ok=True)
    written = []
    for q in catalogue.catalogue().values():
        res = query.run(q.name, store=st, **example_params(q))
        rows = normalise(res.format("csv"))
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows(rows)
        expected_file(q.name).write_text(buf.getvalue(), encoding="utf-8")
        written.append(expected_file(q.name))
    return written


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    files = regenerate(sys.argv[1] if len(sys.argv) > 1 else REPO / "build")
    sys.stderr.write(f"wrote {len(files)} expected answers into {EXPECTED}\n")


def scaled_params(q, st) -> dict:
    """`example_params`, with each entity the build does not hold replaced by one of the same class
    and key shape (`doc/X/measure/N` for `doc/miit-2022-160/measure/2`): a synthetic corpus
    (benchmarks/corpus.py) has its own documents."""
    import re
    import pyoxigraph as ox
    from policykg.model.namespaces import PID, RDF
    from policykg.query.resolve import as_iri, holds, resolve
    params = example_params(q)
    for p in q.params:
        if p.name not in params or p.type != "iri":
            continue
        iri = as_iri(params[p.name])
        if iri is None:             # a label: the resolver finds it or says what is wrong
            resolve(st, params[p.name], p.cls)
            continue
        if holds(st, iri, p.cls):  # a key the build holds (an unknown one would cost the resolver's suggestions)
            continue
        segs = params[p.name].split("/")
        shape = re.compile("^" + re.escape(PID) + "/".join(re.escape(s) if i % 2 == 0 else "[^/]+"
                                                          for i, s in enumerate(segs)) + "$")
        # Streamed and matched here, stopping at the first match: the same REGEX filter with
        # LIMIT 1 in SPARQL took 106 s on a 10,000-policy store (80M quads), which the
        # benchmark counted against the query.
        typed = st.quads_for_pattern(None, ox.NamedNode(RDF + "type"), ox.NamedNode(p.cls)) if p.cls else \
            st.quads_for_pattern(None, None, None)
        params[p.name] = next((x.subject.value for x in typed
                               if isinstance(x.subject, ox.NamedNode) and shape.match(x.subject.value)),
                              params[p.name])
    return params
