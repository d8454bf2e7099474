"""The Python API (`policykg.open()`), its doctests, the notebook in docs/, and how the build is found."""

from __future__ import annotations

import ast
import doctest
import os
import subprocess
import sys
from pathlib import Path

import pytest

import policykg
from policykg import api, paths
from policykg.errors import InputError

REPO = Path(__file__).resolve().parent.parent
ISSUERS = ["https://w3id.org/policykg/id/agency/miit", "https://w3id.org/policykg/id/agency/ndrc",
           "https://w3id.org/policykg/id/agency/sasac"]


@pytest.fixture
def in_build(build_dir, monkeypatch):
    monkeypatch.setenv(paths.BUILD_ENV, str(build_dir))
    return build_dir


@pytest.mark.parametrize("module", [policykg, api])
def test_docstring_examples_run(module, in_build):
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    tests = [t for t in finder.find(module, globs={"policykg": policykg}) if t.examples]
    assert tests, "the module has no examples to run"
    for t in tests:
        runner.run(t)
    assert runner.failures == 0


def test_query_gives_the_issuers_of_the_notice_as_a_dataframe(in_build):
    df = policykg.open().query("document-issuers", doc="doc/miit-2022-160").to_pandas()
    assert df["agency"].tolist() == ISSUERS
    assert df["agency_zh"].tolist() == ["工业和信息化部", "国家发展和改革委员会", "国务院国有资产监督管理委员会"]


def test_open_takes_a_build_dir_before_the_environment(build_dir, tmp_path, monkeypatch):
    monkeypatch.setenv(paths.BUILD_ENV, str(tmp_path / "elsewhere"))
    kg = policykg.open(build_dir)
    assert kg.build_dir == build_dir
    assert kg.sparql("ASK { pid:doc\\/miit-2022-160 pkg:issuedBy pid:agency\\/sasac }").boolean is True


def test_without_a_build_the_error_names_the_option_and_the_variable(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(paths.BUILD_ENV, raising=False)
    with pytest.raises(InputError) as e:
        policykg.open()
    assert e.value.message == ("build/kg.nq: no built knowledge graph; run 'policykg build', "
                               "or name a build with --build DIR or $POLICYKG_BUILD")


def test_every_command_finds_the_build_through_the_environment(build_dir, monkeypatch, capsys):
    from policykg.cli import main
    monkeypatch.setenv(paths.BUILD_ENV, str(build_dir))
    monkeypatch.chdir(build_dir.parent)          # no ./build here to fall back on
    assert main(["query", "document-issuers", "--param", "doc=doc/miit-2022-160", "--format", "csv"]) == 0
    assert [l.split(",")[0] for l in capsys.readouterr().out.splitlines()[1:]] == ISSUERS


def test_to_pandas_without_pandas_says_how_to_install_it(in_build, monkeypatch):
    result = policykg.open().query("document-issuers", doc="doc/miit-2022-160")
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ModuleNotFoundError, match=r"pip install 'policykg\[pandas\]'"):
        result.to_pandas()


def test_network_views_and_an_unknown_one(in_build):
    kg = policykg.open()
    lineage = kg.network("lineage")
    # The 2023 automobile plan continues the Notice (kg/documents/referenced-policies.yaml).
    assert ("https://w3id.org/policykg/id/doc/plan-2023-automobiles",
            "https://w3id.org/policykg/id/doc/miit-2022-160") in lineage.edges
    with pytest.raises(InputError, match="unknown view 'overveiw' \\(did you mean 'overview'"):
        kg.network("overveiw")


def test_entity_and_links_are_data(in_build):
    kg = policykg.open()
    view = kg.entity("sector/automobiles")
    assert (view.label_en, view.label_zh) == ("Automobiles", "汽车")
    continues = [r for r in kg.links("doc/plan-2023-automobiles").values() if r["type"] == "continues"]
    # The 2023 auto plan carries forward measures (二) and (四) of the Notice (docs/links.md, seed 002).
    assert sorted(r["to"].rsplit("/", 1)[1] for r in continues) == ["2", "4"]


def test_the_notebook_runs_from_top_to_bottom(in_build, tmp_path, monkeypatch):
    import json
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.read(REPO / "docs" / "api.ipynb", as_version=4)
    assert sum(c.cell_type == "code" for c in nb.cells) >= 8
    spec = tmp_path / "jupyter" / "kernels" / "policykg-test"      # a kernel of this interpreter, not another one
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                                                  "display_name": "policykg tests", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    nbclient.NotebookClient(nb, timeout=300, kernel_name="policykg-test",
                            resources={"metadata": {"path": str(in_build.parent)}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert errors == []


# ---------------------------------------------------------------------------- layout

def _imports(path: Path, module: str, modules) -> set[str]:
    """The policykg modules a module imports (at any depth in the file, lazy imports included)."""
    out = set()
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("policykg")}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[:len(package.split(".")) - node.level + 1] + ([base] if base else []))
            if base.startswith("policykg"):
                subs = {f"{base}.{a.name}" for a in node.names} & set(modules)
                out |= subs if len(subs) == len(node.names) else subs | {base}
    return out


def _modules() -> dict[str, Path]:
    mods = {}
    for p in sorted((REPO / "policykg").rglob("*.py")):
        rel = p.relative_to(REPO).with_suffix("")
        parts = list(rel.parts[:-1]) if rel.name == "__init__" else list(rel.parts)
        mods[".".join(parts)] = p
    return mods


def test_no_import_cycles_between_modules_or_subpackages():
    import networkx as nx
    mods = _modules()
    assert len(mods) > 30
    g, pkgs = nx.DiGraph(), nx.DiGraph()
    for m, p in mods.items():
        for dep in _imports(p, m, mods):
            if dep in mods and dep != m:
                g.add_edge(m, dep)
                a, b = m.split(".")[:2], dep.split(".")[:2]
                if len(a) == 2 and len(b) == 2 and a != b and a[1] not in ("cli", "api") and b[1] not in (
                        "errors", "paths", "__main__"):
                    pkgs.add_edge(a[1], b[1])
    assert list(nx.simple_cycles(g)) == []
    assert list(nx.simple_cycles(pkgs)) == [], "sub-packages must depend on each other one way"


def test_modules_are_small():
    big = {str(p.relative_to(REPO)): n for p in (REPO / "policykg").rglob("*.py")
           if (n := len(p.read_text(encoding="utf-8").splitlines())) > 600}
    assert big == {}


def test_kg_is_no_longer_a_python_package(tmp_path):
    assert not (REPO / "kg" / "__init__.py").exists()
    assert sorted(p.name for p in (REPO / "kg").iterdir()) in (["documents"], ["documents", "drafts"])
    code = "import importlib.util, sys; sys.exit(importlib.util.find_spec('kg') is not None)"
    assert subprocess.run([sys.executable, "-c", code], cwd=tmp_path).returncode == 0
