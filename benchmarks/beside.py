"""A full build with two stages beside it (policykg.build.beside) against the same build with every
stage in turn, in the same run and with the same code.

Give a folder of encodings (e.g. CORPUS/documents from `corpus.py N`). Each side is
`python -m policykg build --documents DIR --out OUT --no-pages --full`, from process start to exit,
in a fresh output folder, with `POLICYKG_BESIDE=0` (in turn: the baseline) or `=1` (beside); the
sides alternate `--repeat` times. Printed for each: wall time, the build process's peak RSS, the
peaks of the processes beside it (from the build's line) and their sum with the build's (an upper
bound of what the machine held at once: they need not peak together), and the build's stages.
The two builds' dumps and flat tables are compared byte for byte.

    python benchmarks/beside.py CORPUS/documents WORK [--repeat 1]
"""

from __future__ import annotations

import argparse
import filecmp
import os
import re
import shutil
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import scale  # noqa: E402  (the runner of benchmarks/scale.py)

COMPARED = ["kg.nq", "kg.trig", "kg.ttl", "kg.jsonld"]


def one(docs: Path, out: Path, beside: bool) -> dict:
    shutil.rmtree(out, ignore_errors=True)
    code = scale.Code(sys.executable)
    env = {**code.env, "POLICYKG_BESIDE": "1" if beside else "0"}
    wall, rss, text, rc = scale.run(code.cli("build", "--documents", str(docs), "--out", str(out), "--no-pages",
                                             "--full", "-q"), env, None, code.root)
    if rc not in (0, 1):
        raise SystemExit(f"the build failed ({rc}): {text[-2000:]}")
    line = [x for x in text.splitlines() if x.startswith("built")][-1]
    peaks = {k: int(v) for k, v in re.findall(r"(\w+) (\d+) MB", line.split("peak RSS beside:")[1])} if beside else {}
    side = "beside" if beside else "in turn"
    print(f"{side}: {wall:.1f} s, build peak {rss} MB, beside {peaks or '-'}: {line}", flush=True)
    return {"wall": wall, "rss": rss, "beside": peaks, "sum": rss + sum(peaks.values())}


def same_files(a: Path, b: Path) -> bool:
    names = COMPARED + [f"export/{p.name}" for p in sorted((a / "export").iterdir())]
    return all(filecmp.cmp(a / n, b / n, shallow=False) for n in names)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("documents", type=Path)
    ap.add_argument("work", type=Path)
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    print(f"load average before: {os.getloadavg()}", flush=True)
    runs = {False: [], True: []}
    for _ in range(args.repeat):
        for beside in (False, True):
            runs[beside].append(one(args.documents, args.work / ("beside" if beside else "turn"), beside))
    print(f"load average after: {os.getloadavg()}")
    same = same_files(args.work / "turn", args.work / "beside")
    t0, t1 = (statistics.median(r["wall"] for r in runs[b]) for b in (False, True))
    print(scale.fmt_row(["in turn (s, median)", "beside (s, median)", "ratio", "peak in turn (MB)",
                         "peak of the build beside (MB)", "sum with the processes beside (MB)", "same bytes"]))
    print(scale.fmt_row([f"{t0:.1f}", f"{t1:.1f}", f"{t0 / t1:.2f}x", max(r["rss"] for r in runs[False]),
                         max(r["rss"] for r in runs[True]), max(r["sum"] for r in runs[True]), same]))
    if not same:
        raise SystemExit("the dumps or tables differ between the two ways")


if __name__ == "__main__":
    main()
