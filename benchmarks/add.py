"""Adding one policy to a built corpus: today's code against a baseline revision, in the same run.

Give a corpus folder (documents/ and texts/, e.g. from `corpus.py N`) and its build, made with
`policykg build --documents CORPUS/documents --out BUILD` (links on, as the default build). Each
side works on its own copy of the build and of the corpus:
- baseline: the baseline revision adds policy N to the build (1 timed command);
- today's code: adds policy N to the build (the first add after a build made by older code, which
  must read every unit once to keep its key table and link index), then adds policy N + 1 (the
  steady state, the figure the goal is about).
Each command is `python -m policykg build --documents DIR --out BUILD` from process start to exit
(its own `[stage ...]` line is printed as well). Peak RSS is the child's.

    python benchmarks/add.py CORPUS BUILD N [--baseline-ref origin/main] [--work DIR]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import scale  # noqa: E402  (the runner and the baseline checkout of benchmarks/scale.py)

_spec = importlib.util.spec_from_file_location("corpus", HERE / "corpus.py")
corpus = sys.modules["corpus"] = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(corpus)


def side(name: str, code: scale.Code, src_corpus: Path, src_build: Path, extra: Path, numbers: list[int],
         work: Path) -> list[dict]:
    where = work / name
    shutil.rmtree(where, ignore_errors=True)
    where.mkdir(parents=True)
    for part in ("documents", "texts"):
        shutil.copytree(src_corpus / part, where / part)
    subprocess.run(["cp", "-a", str(src_build), str(where / "build")], check=True)
    out = []
    for i in numbers:
        stem = f"synth-{i:06d}"
        shutil.copy(extra / "documents" / f"{stem}.yaml", where / "documents")
        shutil.copy(extra / "texts" / f"{stem}.txt", where / "texts")
        wall, rss, text, rc = scale.run(code.cli("build", "--documents", str(where / "documents"),
                                                 "--out", str(where / "build"), "-q"), code.env, 900, code.root)
        if rc not in (0, 1):
            raise SystemExit(f"{name}: build failed ({rc}): {text[-2000:]}")
        line = [x for x in text.splitlines() if x.startswith(("added to", "built"))]
        out.append({"policy": stem, "wall": wall, "rss": rss, "line": line[-1] if line else text[-300:]})
        print(f"{name} {stem}: {wall:.2f} s, {rss} MB: {out[-1]['line']}", flush=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", type=Path)
    ap.add_argument("build", type=Path)
    ap.add_argument("n", type=int, help="the corpus's number of policies (policies N and N+1 are added)")
    ap.add_argument("--baseline-ref", default="origin/main")
    ap.add_argument("--work", type=Path, help="folder for the copies (default: a temporary one, removed)")
    args = ap.parse_args()
    work = Path(args.work or tempfile.mkdtemp(prefix="policykg-add-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        extra = work / "extra"
        corpus.write(args.n + 2, extra, start=args.n)
        print(f"load average before: {os.getloadavg()}", flush=True)
        old = scale.baseline_code(args.baseline_ref, work / "baseline-code")
        base = side("baseline", old, args.corpus, args.build, extra, [args.n], work) if old else None
        new = side("today", scale.Code(sys.executable), args.corpus, args.build, extra, [args.n, args.n + 1], work)
        print(f"load average after: {os.getloadavg()}")
        print(scale.fmt_row(["policies", "baseline add one (s)", "first add after an older build (s)",
                             "add one (s)", "ratio", "add one RSS (MB)"]))
        b = base[0]["wall"] if base else float("nan")      # noqa: F821 (set above)
        print(scale.fmt_row([args.n, f"{b:.2f}", f"{new[0]['wall']:.2f}", f"{new[1]['wall']:.2f}",
                             f"{b / new[1]['wall']:.1f}x", new[1]["rss"]]))
    finally:
        subprocess.run(["git", "-C", str(scale.REPO), "worktree", "remove", "--force", str(work / "baseline-code")],
                       capture_output=True)
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
