"""Docs and generated code stay true: README commands, CLI help, the closed namespace."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from policykg import cli
from policykg.model import termgen

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text(encoding="utf-8")


def quick_start() -> list[str]:
    block = README.split("## Quick start", 1)[1].split("```", 2)[1]
    return [line for line in block.splitlines()[1:] if line.strip()]


def test_quick_start_has_exactly_the_two_commands():
    setup_run, setup_test = quick_start()
    assert setup_run.endswith("policykg build")
    assert setup_test.endswith("python -m pytest")
    assert "pip install -e '.[test]'" in setup_test


def test_ci_runs_the_readme_test_command():
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert 'bash -c "$test_command"' in ci
    out = subprocess.run(["awk", r'/^## Quick start/{q=1} q&&/^```/{n++; next} q&&n==1{print}', "README.md"],
                         cwd=REPO, capture_output=True, text=True, check=True).stdout.splitlines()
    assert out[1] == quick_start()[1]


def test_terms_module_is_generated_from_the_current_ontology():
    assert (REPO / "policykg" / "model" / "terms.py").read_text(encoding="utf-8") == termgen.render(), \
        "policykg/model/terms.py is stale: run python -m policykg.model.termgen"


def _subcommands():
    parser = cli.parser()
    action = next(a for a in parser._actions if a.dest == "command")
    return action.choices


def test_every_subcommand_has_help_and_is_in_the_readme():
    commands = _subcommands()
    assert {"build", "validate", "locate"} <= set(commands)
    for name, sub in commands.items():
        assert sub.description, f"policykg {name} has no description"
        assert f"`policykg {name}" in README, f"README does not document policykg {name}"


def test_exit_codes_are_documented():
    for code, meaning in (("0", "success"), ("1", "validation findings"), ("2", "bad input or usage")):
        assert re.search(rf"\| {code} \| {meaning}", README)


@pytest.mark.slow
def test_readme_main_command_works_in_a_fresh_clone(tmp_path):
    """The first Quick start command, run as written in a fresh clone of this checkout's HEAD."""
    if subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True).returncode != 0:
        pytest.skip("not a git checkout")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(REPO), str(clone)], check=True)
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    result = subprocess.run(["bash", "-c", quick_start()[0]], cwd=clone, env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr[-2000:]
    assert (clone / "build" / "kg.trig").stat().st_size > 0
    assert "built build/" in result.stdout
    # The Python API on the same install, as the README shows it: the issuers are MIIT, NDRC and SASAC.
    code = ("import policykg; kg = policykg.open(); "
            "print(kg.query('document-issuers', doc='doc/miit-2022-160').to_pandas()['agency_en'].tolist())")
    api = subprocess.run([clone / ".venv" / "bin" / "python", "-c", code], cwd=clone, env=env,
                         capture_output=True, text=True, timeout=120)
    assert api.stdout.strip() == str(["Ministry of Industry and Information Technology",
                                      "National Development and Reform Commission",
                                      "State-owned Assets Supervision and Administration Commission of the State Council"])


def test_bad_command_line_exits_2():
    result = subprocess.run([sys.executable, "-m", "policykg", "build", "--no-such-option"], capture_output=True, text=True)
    assert result.returncode == 2


@pytest.mark.slow
def test_plain_wheel_install_builds_and_queries_outside_the_checkout(tmp_path):
    """`pip install .` (not editable) carries the ontology, vocabularies, encodings and queries."""
    wheels, venv, out = tmp_path / "wheels", tmp_path / "venv", tmp_path / "build"
    pip = [sys.executable, "-m", "pip", "-q"]
    subprocess.run(pip + ["wheel", "--no-deps", "-w", str(wheels), str(REPO)], check=True, capture_output=True)
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    subprocess.run(pip + ["install", "--no-deps", "--ignore-installed", "--prefix", str(venv), *map(str, wheels.glob("*.whl"))],
                   check=True, capture_output=True)
    deps = subprocess.run([sys.executable, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    env = {**os.environ, "PYTHONPATH": f"{site}:{deps}"}     # the wheel first, this venv's dependencies after it
    kg = [str(python), "-m", "policykg"]
    where = subprocess.run([python, "-c", "import policykg.paths as p; print(p.ONTOLOGY_DIR, p.DOCUMENTS_DIR)"],
                           cwd=tmp_path, env=env, capture_output=True, text=True, check=True).stdout.split()
    assert where == [str(venv / "share" / "policykg" / "ontology"), str(venv / "share" / "policykg" / "kg" / "documents")]
    assert subprocess.run([python, "-c", "import kg"], cwd=tmp_path, env=env, capture_output=True).returncode == 1
    subprocess.run(kg + ["build", "-q", "--out", str(out)], cwd=tmp_path, env=env, check=True, capture_output=True)
    issuers = subprocess.run(kg + ["query", "--build", str(out), "document-issuers", "--param", "doc=doc/miit-2022-160",
                                   "--format", "csv"], cwd=tmp_path, env=env, capture_output=True, text=True, check=True)
    assert [line.split(",")[0].rsplit("/", 1)[-1] for line in issuers.stdout.splitlines()[1:]] == ["miit", "ndrc", "sasac"]
