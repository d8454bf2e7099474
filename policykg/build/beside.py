"""Stages that run beside the build, each in a process of its own, while the build goes on.

Three stages of a full build read what is final and write files nothing else in the build reads:
- the dumps but kg.nq (kg.trig, kg.ttl, kg.jsonld): converted from kg.nq and the sources' cached
  parts (`policykg.store.dumps.write_converted`), once kg.nq is written; they never open the store;
- the flat tables (export/) and the name index (index/names.sqlite): each read from a checkpoint of
  the store of its own, taken once the union is in it (`Store.backup`: hard links to its immutable
  files), while the build adds the statistics graph to its own store. Neither needs that graph:
  the tables leave it out, and the index lists the entities that have a name, which none of its
  nodes has (their types and counts are not named entities).
Each runs in a new Python process (`python -m policykg.build.beside STAGE ARGS.json`: nothing of the
build's open store is inherited, and nothing depends on how the caller started Python), so a
machine with two cores works on them while the build counts the statistics and writes the report
and the stored answers; the files are the same bytes as when the stages run in turn (the name
index: the same rows; tests/test_beside.py compares both on the real graph).

`Beside.wait` waits for them before the build is swapped into place; a stage that failed fails
the build with its error, as it would have in turn, and the staging folder goes with everything in
it. If the build fails first, `Beside.stop` kills them. Each stage reports its seconds and its
process's peak RSS, which the build prints and counts.

Costs: the memory of each process adds to the build's (the flat tables hold their caches: 334 MB
at 1,000 policies); the checkpoints hold the store's files as they were after the union, so the
files that compaction replaces while the statistics graph is written stay on disk until the last
of the two processes is done (at most the size of the store once, 1.9 GB at 1,000 policies: both
checkpoints link the same files). `MIN_QUADS`: a smaller build runs the stages in turn, since
starting a process costs more than they take there.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from policykg.errors import InputError

MIN_QUADS = 1_000_000
CHECKPOINT = ".export-store"         # in the staging folder; removed before the swap
NAMES_CHECKPOINT = ".names-store"    # the name index's: its process removes it when done
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])


def wanted(quads: int, beside: bool | None) -> bool:
    """Whether a build of `quads` runs these stages beside it (`beside`: the caller's choice; None:
    `POLICYKG_BESIDE` when it is 0 or 1, else from `MIN_QUADS`)."""
    if beside is None and os.environ.get("POLICYKG_BESIDE") in ("0", "1"):
        return os.environ["POLICYKG_BESIDE"] == "1"
    return quads >= MIN_QUADS if beside is None else beside


class Beside:
    def __init__(self, folder: Path):
        self.folder = folder              # the staging folder: the stages' arguments and messages go here
        self._jobs: list[tuple[str, subprocess.Popen, Path, Path]] = []

    def start(self, name: str, args: dict) -> None:
        """Run stage `name` (one of STAGES) with `args` (JSON) in a new process."""
        given = self.folder / f".beside-{name}.json"
        given.write_text(json.dumps(args, ensure_ascii=False), encoding="utf-8")
        said = self.folder / f".beside-{name}.out"
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [_PACKAGE_ROOT, os.environ.get("PYTHONPATH")]))}
        with open(said, "wb") as out:
            p = subprocess.Popen([sys.executable, "-m", "policykg.build.beside", name, str(given)],
                                 stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, env=env)
        self._jobs.append((name, p, given, said))

    def wait(self) -> dict[str, dict]:
        """Wait for every stage; {name: {"seconds", "peak_kb"}}. Raises a stage's error (the others
        are stopped first): an InputError as it was raised, anything else as RuntimeError."""
        done = {}
        try:
            for name, p, given, said in self._jobs:
                rc = p.wait()
                text = said.read_text(encoding="utf-8", errors="replace")
                last = text.strip().splitlines()[-1] if text.strip() else ""
                if rc == 0:
                    done[name] = json.loads(last)
                elif rc == 2 and last.startswith("error: "):
                    raise InputError(last[len("error: "):])
                else:
                    raise RuntimeError(f"the {name} stage beside the build failed (exit {rc}"
                                       f"{', perhaps out of memory' if rc < 0 else ''}): {text.strip()[-2000:]}")
                given.unlink(missing_ok=True)
                said.unlink(missing_ok=True)
        except BaseException:
            self.stop()
            raise
        self._jobs.clear()
        return done

    def stop(self) -> None:
        """Kill the stages still running (the build failed)."""
        for _, p, given, said in self._jobs:
            if p.poll() is None:
                p.kill()
            p.wait()
            given.unlink(missing_ok=True)
            said.unlink(missing_ok=True)
        self._jobs.clear()


def export_tables(checkpoint: str, out: str) -> None:
    """The flat tables (CSV) and their codebook, from the store's checkpoint, which is then removed."""
    from policykg.export import write as export
    _from_checkpoint(checkpoint, lambda store: export.export(store, Path(out), ("csv",)))


def name_index(checkpoint: str, out: str) -> None:
    """The name index (index/names.sqlite in the build folder `out`), from the store's checkpoint,
    which is then removed."""
    from policykg.query import index_file
    _from_checkpoint(checkpoint, lambda store: index_file.write(store, Path(out)))


def _from_checkpoint(checkpoint: str, write) -> None:
    """`write(store)` on the checkpoint opened read-only; the checkpoint is removed after, whatever happens."""
    import gc

    import pyoxigraph as ox
    store = ox.Store.read_only(checkpoint)
    try:
        write(store)
    finally:
        del store
        gc.collect()
        shutil.rmtree(checkpoint, ignore_errors=True)


def converted_dumps(out: str, parts: list, tail: int) -> None:
    """kg.trig, kg.ttl and kg.jsonld from kg.nq (policykg.store.dumps.write_converted); `parts`
    as (N-Quads file, JSON-LD fragment file or None), or (N-Quads text, None)."""
    from policykg.store import dumps
    given = [(p.encode("utf-8") if kind == "bytes" else Path(p), Path(f) if f else None) for kind, p, f in parts]
    dumps.write_converted(Path(out), given, tail)


def dumps_args(out: Path, parts: list[tuple], tail: int) -> dict:
    """The arguments of `converted_dumps` as JSON (N-Quads given as bytes are UTF-8 text)."""
    return {"out": str(out), "tail": tail,
            "parts": [("bytes", p.decode("utf-8"), None) if isinstance(p, bytes) else ("path", str(p), f and str(f))
                      for p, f in parts]}


STAGES = {"dumps": converted_dumps, "export": export_tables, "names": name_index}


def main(argv: list[str]) -> int:
    name, given = argv
    args = json.loads(Path(given).read_text(encoding="utf-8"))
    t = time.perf_counter()
    try:
        STAGES[name](**args)
    except InputError as e:
        print(f"error: {e.message}", flush=True)
        return 2
    print(json.dumps({"seconds": round(time.perf_counter() - t, 2), "peak_kb": _peak_kb()}), flush=True)
    return 0


def _peak_kb() -> int:
    """This process's peak RSS (VmHWM: getrusage's counts what the build held when it forked this
    process, since it survives exec)."""
    with open("/proc/self/status", encoding="ascii") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
