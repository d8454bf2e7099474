"""The synthetic corpus of the scale benchmarks: checked like real encodings, locators into its texts."""

from __future__ import annotations

import hashlib
import importlib.util
import sys
import threading
from pathlib import Path

import yaml

from policykg.encoding import reader as encoding
from policykg.model import ontology

REPO = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("corpus", REPO / "benchmarks" / "corpus.py")
corpus = sys.modules["corpus"] = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(corpus)


def test_corpus_passes_the_encoding_checker_and_points_into_its_texts(tmp_path):
    files = corpus.write(12, tmp_path)
    assert len(files) == 13                                  # 12 policies and the news report on policy 9
    onto = ontology.load()
    encs = {e.path.name: e for e in encoding.read_all(onto, files)}
    vocab = corpus.Vocab.load()
    checked = 0
    for f in files:
        text_bytes = (tmp_path / "texts" / f"{f.stem}.txt").read_bytes()
        enc = encs[f.name]
        assert enc.sha256 == hashlib.sha256(text_bytes).hexdigest()
        text = text_bytes.decode("utf-8")
        assert enc.chars == len(text)
        raw = yaml.safe_load(f.read_text(encoding="utf-8"))
        for entry in raw["entities"].values():
            for prop, values in (entry.get("facts") or {}).items():
                for v in values if isinstance(values, list) else [values]:
                    if prop == "usesInstrument":             # the locator covers the instrument's Chinese label
                        start, end = map(int, v["at"].split("-"))
                        assert text[start:end] == vocab.zh[v["v"]]
                        checked += 1
    assert checked > 10


def test_same_seed_same_bytes_and_references_point_back(tmp_path):
    a = corpus.write(15, tmp_path / "a")
    b = corpus.write(15, tmp_path / "b")
    assert [p.read_bytes() for p in a] == [p.read_bytes() for p in b]
    c = corpus.write(15, tmp_path / "c", seed=16)
    assert a[5].read_bytes() != c[5].read_bytes()
    for f in a:                                              # references go to earlier policies only
        raw = yaml.safe_load(f.read_text(encoding="utf-8"))
        for key, entry in raw["entities"].items():
            facts = entry.get("facts") or {}
            for prop in ("refersTo", "implements"):
                values = facts.get(prop, [])
                for v in values if isinstance(values, list) else [values]:
                    assert v["v"] < key


_COMPILE = """
import json, sys
from pathlib import Path
from policykg.build import distributed, units
files = [Path(f) for f in json.loads(sys.argv[1])]
done = distributed.compile_units(files, units.Context.get().digest, Path(sys.argv[2]))
print(json.dumps({"processes": distributed.processes(len(files)),
                  "units": [(Path(u.path).name, u.digest, u.graph, u.quads, u.inferred) for u in done]}))
"""


def test_the_per_source_stage_gives_the_same_units_in_one_process_or_several(tmp_path):
    """Without a cluster the per-source stage forks one process per core (from 64 files): the units
    and their cached files are the same as when it runs in the build's own process. Each run is a
    new Python process: the test process runs other threads, and the stage does not fork then."""
    import json
    import os
    import subprocess
    from policykg.build import distributed
    files = corpus.write(60, tmp_path / "corpus")
    assert len(files) >= distributed._PARALLEL_MIN
    results = {}
    for jobs in ("1", "2"):
        cache = tmp_path / f"cache-{jobs}"
        run = subprocess.run([sys.executable, "-c", _COMPILE, json.dumps([str(f) for f in files]), str(cache)],
                             env=os.environ | {distributed.JOBS_ENV: jobs}, capture_output=True, text=True, check=True)
        out = json.loads(run.stdout)
        assert out["processes"] == int(jobs)
        results[jobs] = (out["units"], {f.name: f.read_bytes() for f in cache.iterdir() if f.suffix in (".nq", ".jsonld")})
    assert results["1"] == results["2"]             # N-Quads, inferred N-Quads, JSON-LD fragment of each
    assert len(results["1"][1]) == 3 * len(files) and all(q > 0 for *_, q, _ in results["1"][0])


def test_the_per_source_stage_does_not_fork_a_process_that_runs_threads(monkeypatch):
    """A forked child inherits the locks other threads held at the fork and could wait on them
    forever, so a process with other threads compiles in its own thread."""
    from policykg.build import distributed
    monkeypatch.setenv(distributed.JOBS_ENV, "2")
    stop = threading.Event()
    worker = threading.Thread(target=stop.wait)
    worker.start()
    try:
        assert distributed.processes(200) == 1
    finally:
        stop.set()
        worker.join()
    if threading.active_count() == 1:
        assert distributed.processes(200) == 2
