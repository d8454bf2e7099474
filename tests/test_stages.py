"""A folder that `benchmarks/stages.py --until STAGE` leaves is recorded as a build
(`pipeline.record`): it opens with `policykg.open()` and `policykg query`, holds report.json like a
build's, and a later `policykg build --documents ...` adds to it."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import policykg
from policykg.build import output, pipeline
from policykg.model.namespaces import PID

REPO = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("corpus", REPO / "benchmarks" / "corpus.py")
corpus = sys.modules["corpus"] = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(corpus)
pytestmark = pytest.mark.slow


def _issuers(docs: Path, n: int) -> list[str]:
    """The agencies that synthetic policy `n`'s encoding lists as its issuers."""
    enc = yaml.safe_load((docs / f"synth-{n:06d}.yaml").read_text(encoding="utf-8"))
    issued = enc["entities"][f"doc/synth-{n:06d}"]["facts"]["issuedBy"]
    return sorted(PID + f["v"] for f in (issued if isinstance(issued, list) else [issued]))


def test_a_folder_stopped_after_the_store_opens_queries_and_takes_an_add(tmp_path, capsys):
    corpus.write(6, tmp_path / "all")
    docs = tmp_path / "docs"
    docs.mkdir()
    for f in (tmp_path / "all" / "documents").glob("*.yaml"):
        if f.name != "synth-000005.yaml":
            shutil.copy(f, docs / f.name)
    shutil.copytree(tmp_path / "all" / "texts", tmp_path / "texts")
    out = tmp_path / "out"
    run = subprocess.run([sys.executable, str(REPO / "benchmarks" / "stages.py"), str(docs), str(out), "--until", "store"],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    assert [json.loads(l)["stage"] for l in run.stdout.splitlines()] == ["ontology", "encodings", "store", "record"]
    assert output.build_id(out) is not None
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["validation"]["checks_run"] == []         # the checks were left out, and it says so
    kg = policykg.open(out)
    assert report["quads"] == len(kg.store)
    rows = kg.query("document-issuers", doc="doc/synth-000002")
    assert sorted(rows.column("agency")) == _issuers(docs, 2)

    from policykg.cli import main
    assert main(["query", "document-issuers", "--build", str(out), "--param", "doc=doc/synth-000003", "--format", "csv"]) == 0
    assert sorted(l.split(",")[0] for l in capsys.readouterr().out.splitlines()[1:]) == _issuers(docs, 3)

    shutil.copy(tmp_path / "all" / "documents" / "synth-000005.yaml", docs)
    ds = pipeline.build(out, [docs], with_links=False, with_pages=False)
    assert ds.counts["path"] == "add"
    ds.store = None
    kg = policykg.open(out)
    assert sorted(kg.query("document-issuers", doc="doc/synth-000005").column("agency")) == _issuers(docs, 5)
    assert sorted(kg.query("document-issuers", doc="doc/synth-000002").column("agency")) == _issuers(docs, 2)
