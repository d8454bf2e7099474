"""The README's "Find your way" commands, run as written (with --build added), and what they print.

Expected answers: ../shared/reference/notice-160.md (Identity: 工信部联运行〔2022〕160号; Structure:
seventeen measures; measure (二) targets the automobile industry, seeds 001-003);
ontology/vocab/sectors.ttl (汽车 is the zh label of sector:automobiles).
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from policykg.cli import main

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def commands() -> list[list[str]]:
    block = README.split("## Find your way", 1)[1].split("```", 2)[1]
    return [shlex.split(line, comments=True)[1:] for line in block.splitlines()[1:] if line.startswith("policykg ")]


def test_the_section_has_the_commands_the_issue_asks_for():
    names = [c[0] for c in commands()]
    assert names == ["search", "search", "show", "show", "query", "query", "sparql", "sparql", "export"]


def run(args, build_dir, tmp_path, capsys):
    extra = ["--out", str(tmp_path / "export")] if args[0] == "export" else []
    assert main(args + ["--build", str(build_dir)] + extra) == 0, args
    return capsys.readouterr().out


@pytest.mark.parametrize("i", range(9))
def test_find_your_way_command(i, build_dir, tmp_path, capsys):
    args = commands()[i]
    out = run(args, build_dir, tmp_path, capsys)
    lines = out.splitlines()
    if args[:2] == ["search", "汽车"]:
        assert lines[2].split()[:2] == ["pid:sector/automobiles", "Sector"]
    elif args[0] == "search":
        assert lines[2].split()[:2] == ["pid:doc/miit-2022-160", "Notice"]
    elif args[0] == "show" and "--lang" in args:
        assert lines[0].startswith("pid:doc/miit-2022-160  工信部等三部门")
        assert lines[1].startswith("  类: pkg:Notice")
    elif args[0] == "show":
        assert lines[0] == "# Measure 2: tap market potential to lift consumption"
    elif args[1] == "document-structure":
        assert len(set(re.findall(r"pid:doc/miit-2022-160/measure/\d+", out))) == 17
    elif args[1] == "measure-profile":
        assert "pid:sector/automobiles" in out
    elif args[0] == "sparql" and "prefLabel" in args[1]:
        assert sorted(lines[2:4]) == ["Automobiles", "汽车"]
    elif args[0] == "sparql":
        assert lines[2] == "工信部联运行〔2022〕160号"
    else:
        names = {p.name for p in (tmp_path / "export").iterdir()}
        assert {"measures.csv", "measures.parquet", "policykg.xlsx", "codebook.md", "datapackage.json"} <= names
