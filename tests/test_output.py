"""Safe output folders: a build replaces only a folder it wrote, atomically, and never deletes what it
did not write. The refusals are checked through the command line (they come before any work)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from policykg.build import output
from policykg.errors import InputError

POLICYKG = [sys.executable, "-m", "policykg"]
REPO = Path(__file__).resolve().parent.parent
FORCE_FIX = "give --out a new or empty folder, or --force to set this one aside as {}.replaced-<time> and build anew"


def snapshot(root: Path) -> dict[str, str]:
    """Every path under root with a digest of its content (folders as 'dir'), to compare before/after."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for d in dirnames:
            out[os.path.relpath(os.path.join(dirpath, d), root)] = "dir"
        for f in filenames:
            p = os.path.join(dirpath, f)
            if os.path.islink(p):
                out[os.path.relpath(p, root)] = "link to " + os.readlink(p)
            else:
                out[os.path.relpath(p, root)] = hashlib.sha256(Path(p).read_bytes()).hexdigest()
    return out


def cli(args, cwd, **kw):
    env = dict(os.environ, PYTHONPATH=str(REPO))
    env.pop("POLICYKG_BUILD", None)
    return subprocess.run(POLICYKG + args, cwd=cwd, capture_output=True, text=True, env=env, timeout=120, **kw)


@pytest.fixture
def project(tmp_path):
    """A folder with someone's files in it: nothing here may change."""
    (tmp_path / "thesis").mkdir()
    (tmp_path / "thesis" / "thesis.txt").write_text("chapter 1\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("notes\n", encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("out, message", [
    ("thesis", "error: thesis: folder is not empty and was not written by 'policykg build'; " + FORCE_FIX.format("thesis")),
    ("", "error: --out is empty; give --out a folder name, e.g. --out build"),
    (".", "error: .: is the current folder, which a build would replace; give --out a subfolder, e.g. --out build"),
    ("PWD", "error: .: is the current folder, which a build would replace; give --out a subfolder, e.g. --out build"),
    ("..", "error: ..: holds the current folder, which a build would replace; give --out a subfolder, e.g. --out build"),
    ("notes.txt", "error: notes.txt: is a file, not a folder; give --out a folder (a new one is made)"),
    ("notes.txt/build", "error: notes.txt/build: notes.txt is a file, not a folder; give --out a path under a folder"),
])
def test_build_refuses_an_output_it_may_not_replace(project, out, message):
    before = snapshot(project)
    cwd = project / "thesis" if out == ".." else project
    r = cli(["build", "-q", "--out", str(project) if out == "PWD" else out], cwd=cwd)
    assert (r.returncode, r.stderr, r.stdout) == (2, message + "\n", "")
    assert snapshot(project) == before


def read_only(folder: Path, args: list[str]) -> tuple[list[str], str]:
    """A command run with `folder` read-only, and the reason the system gives: a read-only bind mount
    in a private mount namespace when root (root writes through permissions), else chmod."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        return args, "permission denied"
    if subprocess.run(["unshare", "-m", "true"], capture_output=True).returncode != 0:
        pytest.skip("root without mount namespaces: cannot make a read-only folder")
    script = 'mount --bind "$0" "$0" && mount -o remount,ro,bind "$0" && exec "$@"'
    return ["unshare", "-m", "sh", "-c", script, str(folder)] + args, "read-only file system"


def test_build_refuses_a_read_only_folder(project):
    ro = project / "ro"
    ro.mkdir()
    before = snapshot(project)
    cmd, reason = read_only(ro, POLICYKG + ["build", "-q", "--out", "ro/build"])
    env = dict(os.environ, PYTHONPATH=str(REPO))
    r = subprocess.run(cmd, cwd=project, capture_output=True, text=True, env=env, timeout=120)
    assert (r.returncode, r.stderr) == (2, f"error: ro: cannot write here: {reason}; give --out a folder you can write\n")
    assert snapshot(project) == before


def test_staging_writes_marker_and_swaps_in(tmp_path):
    out = tmp_path / "build"
    with output.staging(out) as tmp:
        assert tmp.parent == tmp_path and re.fullmatch(rf"\.build\.tmp-{os.getpid()}-[0-9a-f]{{8}}", tmp.name)
        (tmp / "kg.nq").write_text("one\n")
    marker = json.loads((out / output.MARKER).read_text())
    assert (marker["complete"], marker["entries"]) == (True, ["kg.nq"])
    first = marker["id"]
    with output.staging(out) as tmp:                    # a folder we built is replaced
        (tmp / "kg.nq").write_text("two\n")
    assert (out / "kg.nq").read_text() == "two\n"
    assert output.build_id(out) not in (None, first)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build"]


def test_staging_into_an_empty_folder(tmp_path):
    (tmp_path / "out").mkdir()
    with output.staging(tmp_path / "out") as tmp:
        (tmp / "kg.nq").write_text("x\n")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [output.MARKER, "kg.nq"]


def test_a_file_added_to_a_build_is_not_deleted(tmp_path):
    out = tmp_path / "build"
    with output.staging(out) as tmp:
        (tmp / "kg.nq").write_text("one\n")
    (out / "mine.txt").write_text("keep me\n")
    with pytest.raises(InputError) as e:
        with output.staging(out):
            pass
    assert e.value.message == (f"{out}: holds files that 'policykg build' did not write (mine.txt); "
                               + FORCE_FIX.format("build"))
    assert (out / "mine.txt").read_text() == "keep me\n"


def test_a_rebuild_carries_over_the_extracted_tier_ingest_wrote(tmp_path):
    out = tmp_path / "build"
    with output.staging(out) as tmp:
        (tmp / "kg.nq").write_text("one\n")
    (out / "extracted").mkdir()                     # as 'policykg ingest --into-graph' writes it
    (out / "extracted" / "doc.nq").write_text("extracted\n")
    with output.staging(out) as tmp:
        (tmp / "kg.nq").write_text("two\n")
    assert (out / "kg.nq").read_text() == "two\n"
    assert (out / "extracted" / "doc.nq").read_text() == "extracted\n"
    assert json.loads((out / output.MARKER).read_text())["entries"] == ["extracted", "kg.nq"]


def test_force_sets_the_folder_aside_and_deletes_nothing(project):
    with output.staging(project / "thesis", force=True) as tmp:
        (tmp / "kg.nq").write_text("x\n")
    kept = [p for p in project.iterdir() if p.name.startswith("thesis.replaced-")]
    assert len(kept) == 1 and (kept[0] / "thesis.txt").read_text() == "chapter 1\n"
    assert (project / "thesis" / "kg.nq").read_text() == "x\n"


def test_failure_in_the_block_keeps_the_old_build(tmp_path):
    out = tmp_path / "build"
    with output.staging(out) as tmp:
        (tmp / "kg.nq").write_text("old\n")
    before = snapshot(tmp_path)
    with pytest.raises(RuntimeError):
        with output.staging(out) as tmp:
            (tmp / "kg.nq").write_text("half")
            raise RuntimeError("boom")
    assert snapshot(tmp_path) == before


KILLED = textwrap.dedent("""
    import os, sys, time
    from pathlib import Path
    from policykg.build import output
    with output.staging(Path(sys.argv[1])) as tmp:
        (tmp / "kg.nq").write_text("half")
        print("writing", flush=True)
        time.sleep(60)
""")


def test_leftovers_of_a_killed_build_are_removed_by_the_next(tmp_path):
    out = tmp_path / "build"
    with output.staging(out) as tmp:
        (tmp / "kg.nq").write_text("old\n")
    (tmp_path / ".build.tmp-1").mkdir()                 # not ours (no marker): left alone
    p = subprocess.Popen([sys.executable, "-c", KILLED, str(out)], stdout=subprocess.PIPE, text=True,
                         env=dict(os.environ, PYTHONPATH=str(REPO)))
    assert p.stdout.readline() == "writing\n"
    os.kill(p.pid, signal.SIGKILL)
    p.wait()
    [left] = tmp_path.glob(f".build.tmp-{p.pid}-*")
    assert (left / "kg.nq").read_text() == "half" and (out / "kg.nq").read_text() == "old\n"
    with output.staging(out) as tmp:
        (tmp / "kg.nq").write_text("new\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == [".build.tmp-1", "build"]
    assert (out / "kg.nq").read_text() == "new\n"


def test_a_swap_cut_between_its_two_renames_is_undone(tmp_path):
    """Where the atomic exchange is missing, the swap is two renames; a crash between them leaves the
    old build at .build.old-PID and nothing at build/: the next start puts the old build back."""
    out = tmp_path / "build"
    with output.staging(out) as tmp:
        (tmp / "kg.nq").write_text("old\n")
    os.rename(out, tmp_path / ".build.old-4242")
    (tmp_path / ".build.tmp-4242").mkdir()
    (tmp_path / ".build.tmp-4242" / output.MARKER).write_text("{}")
    assert output.recover(out) == [tmp_path / ".build.old-4242", tmp_path / ".build.tmp-4242"]
    assert (out / "kg.nq").read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build"]


def test_the_swap_is_one_exchange_so_the_build_folder_never_disappears(tmp_path, monkeypatch):
    out = tmp_path / "build"
    with output.staging(out) as tmp:
        (tmp / "kg.nq").write_text("old\n")
    seen = []
    real = output._exchange

    def watch(a, b):
        ok = real(a, b)
        seen.append((ok, (b / "kg.nq").read_text()))
        return ok
    monkeypatch.setattr(output, "_exchange", watch)
    monkeypatch.setattr(os, "rename", lambda *a: pytest.fail("a rename would leave a moment without build/"))
    with output.staging(out) as tmp:
        (tmp / "kg.nq").write_text("new\n")
    assert seen == [(True, "new\n")]


def test_a_second_build_into_the_same_folder_is_refused_while_one_runs(tmp_path):
    out = tmp_path / "build"
    with output.staging(out):
        with pytest.raises(InputError) as e:
            with output.staging(out):
                pass
    assert e.value.message == (f"{tmp_path}: another 'policykg build' is writing in this folder; "
                               "wait for it to finish, or give --out a folder elsewhere")


def test_a_build_from_before_the_marker_is_replaced_but_not_a_lookalike(tmp_path):
    """Builds made before the marker existed hold only generated files, kg.trig saying so in its first line."""
    old = tmp_path / "build"
    (old / "viz").mkdir(parents=True)
    (old / "kg.trig").write_text("# Generated by `policykg build` from ontology/ and kg/documents/. Do not edit\n")
    (old / "report.md").write_text("# report\n")
    with output.staging(old) as tmp:
        (tmp / "kg.trig").write_text("new\n")
    assert sorted(p.name for p in old.iterdir()) == [output.MARKER, "kg.trig"]
    fake = tmp_path / "notes"
    fake.mkdir()
    (fake / "kg.trig").write_text("my own notes\n")
    with pytest.raises(InputError):
        with output.staging(fake):
            pass
    assert (fake / "kg.trig").read_text() == "my own notes\n"
