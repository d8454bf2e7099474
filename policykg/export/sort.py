"""Sorting a stream of rows that may not fit in memory: runs of `RUN` rows are sorted and spilled
to temporary files (pickled one by one), then merged (`heapq.merge`).

Bound: `RUN` rows in memory while reading, then one row per run while merging; the runs take
about the rows' pickled size on disk (in the system's temporary folder), deleted when the merge
ends or is abandoned. A stream of at most `RUN` rows is sorted in memory and nothing is written.
"""

from __future__ import annotations

import heapq
import itertools
import pickle
import tempfile

RUN = 100_000


def sort(rows, key, run: int = RUN):
    """The rows sorted by `key` (stable within a run), as a stream."""
    rows = iter(rows)
    first = sorted(itertools.islice(rows, run), key=key)
    if len(first) < run:
        yield from first
        return
    files = [_spill(first)]
    del first
    try:
        while True:
            chunk = sorted(itertools.islice(rows, run), key=key)
            if not chunk:
                break
            files.append(_spill(chunk))
        yield from heapq.merge(*(_read(fh) for fh in files), key=key)
    finally:
        for fh in files:
            fh.close()


def _spill(rows: list):
    fh = tempfile.TemporaryFile(prefix="policykg-sort-")
    pickler = pickle.Pickler(fh, protocol=pickle.HIGHEST_PROTOCOL)
    for r in rows:
        pickler.dump(r)
        pickler.clear_memo()
    fh.seek(0)
    return fh


def _read(fh):
    unpickler = pickle.Unpickler(fh)
    while True:
        try:
            yield unpickler.load()
        except EOFError:
            return
