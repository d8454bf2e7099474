"""Adding one policy to a built corpus: today's code against a baseline revision, in the same run.

Give a corpus folder (documents/ and texts/, e.g. from `corpus.py N`) and its build, made with
`policykg build --documents CORPUS/documents --out BUILD` (links on, as the default build). Each
side works on its own copy of the build and of the corpus:
- baseline: the baseline revision adds policy N to the build (1 timed command);
- today's code: adds policy N to the build (the first add after a build made by older code, which
  must read every unit once to keep its key table and link index), then adds policy N + 1 (the
  steady state, the figure the goal is about).
Each command is `python -m policykg build --documents DIR --out BUILD` from process start to exit
(its own `[stage ...]` line is printed as well). Peak RSS is the child's. The baseline's add and
today's steady-state add run `--repeat` times each, alternating, each on a fresh copy (hard links
but for the files an add writes into), and their medians are compared.

With `--queries`, after the first add of each side, cold `policykg query` processes on the
added-to build, each timed from process start to exit: the issuers of the added policy by its
document number (a name that only the added policy has: the name index must know it), then
`measures-by-sector` with a sector by its label, a page of 3, then the same call again and another
page of it (the first call after an add keeps the answer, policykg.query.kept: both sides run the
same three calls, and the figures show what each call costs).

    python benchmarks/add.py CORPUS BUILD N [--repeat 3] [--baseline-ref origin/main] [--work DIR] [--queries]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import shutil
import statistics
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


def copy_build(src: Path, dst: Path) -> None:
    """A copy of a build by hard links, with real copies of the files an add writes into."""
    shutil.rmtree(dst, ignore_errors=True)
    subprocess.run(["cp", "-al", str(src), str(dst)], check=True)
    for f in list((dst / "cache").glob("*.sqlite")) + [dst / "cache" / "state.json", dst / "report.json"]:
        if f.is_file():
            f.unlink()
            shutil.copy2(src / f.relative_to(dst), f)


def prepare(name: str, src_corpus: Path, extra: Path, numbers: list[int], work: Path) -> Path:
    where = work / name
    shutil.rmtree(where, ignore_errors=True)
    where.mkdir(parents=True)
    for part in ("documents", "texts"):
        shutil.copytree(src_corpus / part, where / part)
    for i in numbers:
        shutil.copy(extra / "texts" / f"synth-{i:06d}.txt", where / "texts")
    return where


def add_one(name: str, code: scale.Code, where: Path, build: Path, extra: Path, i: int) -> dict:
    stem = f"synth-{i:06d}"
    shutil.copy(extra / "documents" / f"{stem}.yaml", where / "documents")
    wall, rss, text, rc = scale.run(code.cli("build", "--documents", str(where / "documents"), "--out", str(build),
                                             "-q"), code.env, 900, code.root)
    if rc not in (0, 1):
        raise SystemExit(f"{name}: build failed ({rc}): {text[-2000:]}")
    line = [x for x in text.splitlines() if x.startswith(("added to", "built"))]
    out = {"policy": stem, "wall": wall, "rss": rss, "line": line[-1] if line else text[-300:]}
    print(f"{name} {stem}: {wall:.2f} s, {rss} MB: {out['line']}", flush=True)
    if not out["line"].startswith("added to"):
        raise SystemExit(f"{name}: the add took the full path")
    return out


def cold_queries(name: str, code: scale.Code, build: Path, extra: Path, i: int) -> list[dict]:
    """Two cold queries by name on `build` after policy `i` was added (see the module's docstring)."""
    text = (extra / "documents" / f"synth-{i:06d}.yaml").read_text(encoding="utf-8")
    number = re.search(r"合成发〔\d+〕\d+号", text)[0]
    out = []
    listing = ["measures-by-sector", "-p", "sector=汽车", "--limit", "3"]
    for args in (["document-issuers", "-p", f"doc={number}"], listing, listing, [*listing, "--offset", "100"]):
        wall, rss, shown, rc = scale.run(code.cli("query", *args, "--build", str(build)), code.env, 900, code.root)
        rows = [x for x in shown.splitlines() if x.strip()]
        print(f"{name}: query {' '.join(args)}: {wall:.2f} s, {rss} MB, exit {rc}; {rows[-1] if rows else ''}", flush=True)
        if rc != 0:
            raise SystemExit(f"{name}: the query failed: {shown[-1000:]}")
        out.append({"query": " ".join(args[:1] + args[3:]), "wall": wall, "rss": rss})
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", type=Path)
    ap.add_argument("build", type=Path)
    ap.add_argument("n", type=int, help="the corpus's number of policies (policies N and N+1 are added)")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each side (their medians are compared)")
    ap.add_argument("--baseline-ref", default="origin/main")
    ap.add_argument("--work", type=Path, help="folder for the copies (default: a temporary one, removed)")
    ap.add_argument("--queries", action="store_true", help="time two cold queries by name after each side's first add")
    args = ap.parse_args()
    work = Path(args.work or tempfile.mkdtemp(prefix="policykg-add-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        extra = work / "extra"
        corpus.write(args.n + 2, extra, start=args.n)
        print(f"load average before: {os.getloadavg()}", flush=True)
        old = scale.baseline_code(args.baseline_ref, work / "baseline-code")
        new = scale.Code(sys.executable)
        base_dir = prepare("baseline", args.corpus, extra, [args.n], work)
        new_dir = prepare("today", args.corpus, extra, [args.n, args.n + 1], work)
        copy_build(args.build, new_dir / "primed")
        first = add_one("today, first add after an older build", new, new_dir, new_dir / "primed", extra, args.n)
        base, steady, queried = [], [], {}
        for run in range(args.repeat):
            if old:
                copy_build(args.build, base_dir / "build")
                base.append(add_one("baseline", old, base_dir, base_dir / "build", extra, args.n))
                if args.queries and run == 0:
                    queried["baseline"] = cold_queries("baseline", old, base_dir / "build", extra, args.n)
                (base_dir / "documents" / f"synth-{args.n:06d}.yaml").unlink()
            copy_build(new_dir / "primed", new_dir / "build")
            steady.append(add_one("today", new, new_dir, new_dir / "build", extra, args.n + 1))
            if args.queries and run == 0:
                queried["today"] = cold_queries("today", new, new_dir / "build", extra, args.n + 1)
            (new_dir / "documents" / f"synth-{args.n + 1:06d}.yaml").unlink()
        print(f"load average after: {os.getloadavg()}")
        b = statistics.median(x["wall"] for x in base) if base else float("nan")
        t = statistics.median(x["wall"] for x in steady)
        print(scale.fmt_row(["policies", "baseline add one (s, median)", "first add after an older build (s)",
                             "add one (s, median)", "ratio", "add one peak RSS (MB)"]))
        print(scale.fmt_row([args.n, f"{b:.2f}", f"{first['wall']:.2f}", f"{t:.2f}", f"{b / t:.1f}x",
                             max(x["rss"] for x in steady)]))
        if queried:
            print(scale.fmt_row(["after the add, cold", *queried]))
            for k, q in enumerate(next(iter(queried.values()))):
                print(scale.fmt_row([q["query"], *(f"{side[k]['wall']:.2f} s" for side in queried.values())]))
    finally:
        subprocess.run(["git", "-C", str(scale.REPO), "worktree", "remove", "--force", str(work / "baseline-code")],
                       capture_output=True)
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
