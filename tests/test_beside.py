"""Stages run beside the build (policykg.build.beside): the dumps but kg.nq, the flat tables and the
name index, each in a process of its own, write the same bytes as in turn (the same schema and rows,
for the name index's SQLite file); a stage that fails fails the build,
and a build that fails stops them."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from policykg.build import beside, pipeline

FILES = ["kg.trig", "kg.nq", "kg.ttl", "kg.jsonld", "report.md", "report.json", "ontology.html"]


def _tables(build: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((build / "export").iterdir())}


def _rows(db_file: Path) -> list[str]:
    """The file's schema and rows, sorted (a row's place among its table's follows the order of a set
    of names, which differs from one process to the next)."""
    db = sqlite3.connect(f"file:{db_file}?mode=ro", uri=True)
    try:
        return sorted(db.iterdump())
    finally:
        db.close()


def test_the_stages_beside_write_the_bytes_of_the_stages_in_turn(build_dir, tmp_path):
    ds = pipeline.build(tmp_path / "b", beside=True)
    got = ds.counts["beside"]
    assert set(got) == {"dumps", "export", "names"} and all(v["seconds"] > 0 and v["peak_kb"] > 0 for v in got.values())
    assert {"dumps (beside)", "export (beside)", "names (beside)", "wait"} <= set(ds.timings) and "index" not in ds.timings
    for name in FILES:
        assert (tmp_path / "b" / name).read_bytes() == (build_dir / name).read_bytes(), name
    tables = _tables(tmp_path / "b")
    assert tables == _tables(build_dir) and {"measures.csv", "links.csv", "codebook.md"} <= set(tables)
    assert "工信部联运行〔2022〕160号".encode("utf-8") in tables["measures.csv"]
    names = _rows(tmp_path / "b" / "index" / "names.sqlite")
    assert names == _rows(build_dir / "index" / "names.sqlite")
    assert any("工业和信息化部" in row and "agency/miit" in row for row in names)    # MIIT by its Chinese name
    left = [p.name for p in (tmp_path / "b").iterdir() if p.name.startswith(".") and p.name != ".policykg-build"]
    assert left == []                                        # no arguments, messages or checkpoint left


def test_a_small_build_runs_them_in_turn():
    assert not beside.wanted(beside.MIN_QUADS - 1, None) and beside.wanted(beside.MIN_QUADS, None)
    assert beside.wanted(10, True) and not beside.wanted(10**9, False)


def test_a_stage_that_fails_raises_its_error_and_leaves_nothing(tmp_path):
    aside = beside.Beside(tmp_path)
    aside.start("export", {"checkpoint": str(tmp_path / "no-such-store"), "out": str(tmp_path / "export")})
    with pytest.raises(RuntimeError, match="the export stage beside the build failed"):
        aside.wait()
    assert list(tmp_path.iterdir()) == []


def test_a_build_that_fails_stops_the_stages_and_keeps_the_earlier_build(build_dir, tmp_path, monkeypatch):
    out = tmp_path / "b"
    shutil.copytree(build_dir, out, symlinks=True)
    before = (out / "kg.nq").read_bytes()
    started = []
    real = beside.Beside.start

    def start(self, name, args):
        real(self, name, args)
        started.append(self._jobs[-1][1])
    monkeypatch.setattr(beside.Beside, "start", start)

    def fail(*_a, **_k):
        raise ValueError("the statistics failed")
    monkeypatch.setattr(pipeline, "_write_indexes", fail)
    with pytest.raises(ValueError, match="the statistics failed"):
        pipeline.build(out, beside=True, full=True)
    assert [p.returncode is not None for p in started] == [True] * 3       # all were started, and are gone
    assert (out / "kg.nq").read_bytes() == before and pipeline.output.build_id(out)
