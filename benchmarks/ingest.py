"""Benchmark and evaluation of `policykg ingest`: gold-set scores, round trip on our sources, speed.

Not a test (the figures are measurements). Usage:

    .venv/bin/python benchmarks/ingest.py [--sources ../shared/seeds] [--errors] [--extras FILE]

1. Gold set (tests/gold/): precision, recall and F1 per mention type and language (strict: same
   span and same concept), document numbers, titles, candidate names, links inside distractors.
2. Round trip on the source texts that our curated encodings locate facts in (seeds 000-004): per
   type, how many located curated facts about vocabulary concepts and documents a mention of the
   same concept overlaps (recall), how many drafted relations agree with curated ones, structure
   against the curated parts and measures, and the draft's extra items (written to --extras for a
   check by hand).
3. Speed: linking throughput in MB of UTF-8 text per second on one core, against the bare
   Aho-Corasick scan of the same text measured in the same run (the floor of any dictionary linker).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from policykg import ingest  # noqa: E402
from policykg.ingest import dictionary, evaluate, mentions, roundtrip  # noqa: E402
from policykg.ingest.model import TYPES  # noqa: E402


def gold_table(show_errors: bool) -> None:
    golds = evaluate.load_gold(REPO / "tests" / "gold")
    table, errors = evaluate.score(golds, lambda text: ingest.ingest_text(text))
    langs = ["zh", "en", "mixed", "all"]
    print(f"Gold set: {len(golds)} passages ({', '.join(f'{sum(g.lang == lg for g in golds)} {lg}' for lg in langs[:3])}),"
          f" {sum(len(g.mentions) for g in golds)} mentions, {sum(len(g.distractors) for g in golds)} distractors")
    print(f"{'':12}" + "".join(f"{lg:>22}" for lg in langs))
    print(f"{'':12}" + "".join(f"{'P     R     F1  (n)':>22}" for _ in langs))
    for what in list(TYPES) + ["EL", "number", "title", "candidate"]:
        cells = []
        for lg in langs:
            c = table.get((lg, what))
            n = c.tp + c.fn if c else 0
            cells.append(f"{c.p:5.2f} {c.r:5.2f} {c.f1:5.2f} ({n:>3})" if c and (n or c.fp) else f"{'-':>21}")
        print(f"{what:12}" + "".join(f"{cell:>22}" for cell in cells))
    print(f"{'distractor':12}" + "".join(f"{str(table[(lg, 'distractor')].fp) + ' links':>22}" for lg in langs))
    kinds: dict[str, int] = {}
    for _, kind, _ in errors:
        kinds[kind] = kinds.get(kind, 0) + 1
    print("errors by kind: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))
    held = [g for g in golds if g.set == "held-out"]
    if held:
        ht, herr = evaluate.score(held, lambda text: ingest.ingest_text(text))
        cells = []
        for lg in langs:
            c = ht.get((lg, "EL"))
            cells.append(f"{lg} P {c.p:.2f} R {c.r:.2f} F1 {c.f1:.2f} (n {c.tp + c.fn})" if c else f"{lg} -")
        print(f"held-out passages only ({len(held)}, written after the rules were fixed), EL: " + "; ".join(cells))
    if show_errors:
        for pid, kind, item in errors:
            print(f"  {pid}: {kind}: {item}")


def round_trip(sources: Path, extras: Path | None) -> None:
    result = roundtrip.run(sources)
    print(f"\nRound trip on {len(result.files)} source texts ({', '.join(result.files)}):")
    print(f"{'type':12}{'curated':>9}{'recovered':>11}{'recall':>8}{'draft extra':>13}")
    for t in TYPES:
        g, f = result.recall.get(t, (0, 0))
        print(f"{t:12}{g:>9}{f:>11}{(f / g if g else 1):>8.2f}{result.extra.get(t, 0):>13}")
    g = sum(v[0] for v in result.recall.values())
    f = sum(v[1] for v in result.recall.values())
    print(f"{'all':12}{g:>9}{f:>11}{f / g:>8.2f}{sum(result.extra.values()):>13}")
    g, f = result.relations
    print(f"relations: {f} of {g} located curated relations of parts, measures and actions drafted ({f / g:.2f})")
    print(f"structure (seed 004, Chinese numbering): {result.structure[0]} of {result.structure[1]} curated parts "
          f"and measures found with the exact heading span; {result.structure[2]} sections drafted")
    if extras:
        extras.write_text("\n".join(result.extra_items) + "\n", encoding="utf-8")
        print(f"extra items written to {extras} ({len(result.extra_items)})")


def _speed_on(label: str, base: str) -> None:
    d = dictionary.default()
    text = (base + "\n") * max(1, int(4_000_000 / len(base.encode("utf-8"))))
    size = len(text.encode("utf-8")) / 1e6
    mentions.link(base, d)                                     # warm-up: segmenter and caches
    t = time.perf_counter()
    n_scan = sum(1 for _ in d.automaton.iter(dictionary.fold(text)))
    scan = time.perf_counter() - t
    t = time.perf_counter()
    found = mentions.link(text, d)
    link = time.perf_counter() - t
    print(f"\nSpeed on {label}: {size:.1f} MB ({len(text):,} characters), one core:")
    print(f"  Aho-Corasick scan alone (baseline): {size / scan:7.2f} MB/s  ({n_scan:,} raw matches)")
    print(f"  linking (mentions.link)           : {size / link:7.2f} MB/s  ({len(found):,} mentions); "
          f"{link / scan:.1f}x the baseline's time")


def speed(sources: Path | None) -> None:
    """The text is repeated to about 4 MB; nothing is cached between repeats (no memo of windows)."""
    golds = evaluate.load_gold(REPO / "tests" / "gold")
    if sources:
        _speed_on("the source texts 000-004 (mostly English, 004 bilingual)",
                  "".join(p.read_text(encoding="utf-8") for p in sorted(sources.glob("*.txt"))))
    _speed_on("the Chinese gold passages", "\n".join(g.text for g in golds if g.lang == "zh"))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = REPO.parent / "shared" / "seeds"
    ap.add_argument("--sources", type=Path, default=default if default.is_dir() else None,
                    help="folder of the source texts (default ../shared/seeds)")
    ap.add_argument("--errors", action="store_true", help="list every gold-set error")
    ap.add_argument("--extras", type=Path, help="write the round trip's extra draft items here")
    ap.add_argument("--no-speed", action="store_true")
    args = ap.parse_args()
    gold_table(args.errors)
    if args.sources:
        round_trip(args.sources, args.extras)
    else:
        print("\nRound trip skipped: no source texts (give --sources)")
    if not args.no_speed:
        speed(args.sources)
    return 0


if __name__ == "__main__":
    sys.exit(main())
