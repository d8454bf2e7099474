"""`policykg ingest PATH...`: raw policy texts in; draft encodings, mentions files or the extracted tier out."""

from __future__ import annotations

import sys
from pathlib import Path

from policykg.cli.options import EXIT_INPUT, EXIT_OK, add_build_option
from policykg.errors import InputError


def _inputs(paths: list[str]) -> list[Path]:
    from policykg.ingest import read
    out = []
    for p in map(Path, paths):
        if p.is_dir():
            found = sorted(f for f in p.rglob("*") if f.is_file() and not f.name.startswith(".")
                           and f.suffix.lower() in read.TEXT_SUFFIXES | read.HTML_SUFFIXES | {".pdf"})
            if not found:
                raise InputError("no .txt, .html or .pdf files in this folder", path=p, fix="give a folder of texts")
            out.extend(found)
        else:
            out.append(p)
    return out


def cmd_ingest(args) -> int:
    try:
        import ahocorasick, jieba, lxml, pypdf  # noqa: F401,E401
    except ImportError as e:
        raise InputError(f"ingest needs {e.name}, which is not installed",
                         fix="pip install 'policykg[ingest]'") from None
    from policykg import ingest
    from policykg.ingest import dictionary, outputs, tier
    files = _inputs(args.paths)
    if args.mentions and len(files) > 1 and Path(args.mentions).suffix == ".json":
        raise InputError(f"--mentions {args.mentions} names one file but there are {len(files)} documents",
                         fix="give a folder for --mentions when ingesting several documents")
    if args.into_graph:
        tier.check_build(args.build)            # before any draft is written
    d = dictionary.default()
    failed, graphs = 0, []
    for n, f in enumerate(files, 1):
        try:
            ex = ingest.ingest(f, d)
            written = [] if args.no_draft else outputs.write_draft(ex, args.out, force=args.force,
                                                                   version=ingest.VERSION)
            if args.mentions:
                target = Path(args.mentions)
                if len(files) > 1 or target.is_dir():
                    target = target / f"{outputs.draft.slug(f)}.json"
                written.append(outputs.write_mentions(ex, target))
            if args.into_graph:
                graphs.append(tier.write(ex, args.build, version=ingest.VERSION))
                written.append(graphs[-1])
        except InputError as e:
            failed += 1
            print(f"error: {e.message}", file=sys.stderr)
            continue
        if not args.quiet:
            print(f"… [{n}/{len(files)}] {f}: {len(ex.mentions)} mentions, {len(ex.parts)} parts, "
                  f"{len(ex.measures)} measures, {len(ex.relations)} relations, {len(ex.quantities)} quantities, "
                  f"{len(ex.candidates)} candidates → {', '.join(map(str, written)) or 'nothing written'}",
                  file=sys.stderr, flush=True)
    print(f"ingested {len(files) - failed} of {len(files)} documents" + (f" ({failed} failed)" if failed else ""))
    return EXIT_INPUT if failed else EXIT_OK


def add(sub) -> None:
    p = sub.add_parser("ingest", help="extract mentions, structure and relations from raw policy texts",
                       description="Read UTF-8 text, HTML or PDF files (or folders of them); for each document "
                                   "write a draft encoding to review (kg/drafts/<name>.yaml), and on request a "
                                   "mentions file and the extracted tier of the graph. A file that cannot be read "
                                   "gets one error line and the others go on; the exit code is then 2.")
    p.add_argument("paths", nargs="+", metavar="PATH", help="text, HTML or PDF files, or folders of them")
    p.add_argument("--out", metavar="DIR", default=str(Path("kg/drafts")),
                   help="where drafts go (default: kg/drafts)")
    p.add_argument("--force", action="store_true", help="overwrite drafts that exist")
    p.add_argument("--no-draft", action="store_true", help="write no draft (only --mentions or --into-graph)")
    p.add_argument("--mentions", metavar="FILE.json",
                   help="write the mentions as JSON [{type, concept, surface, start, end, confidence, method}] "
                        "(a folder when there are several documents: one <name>.json each)")
    p.add_argument("--into-graph", action="store_true",
                   help="add each document's facts to the extracted tier of the build (one named graph each)")
    add_build_option(p, "the build whose extracted tier --into-graph writes")
    p.add_argument("--quiet", action="store_true", help="no progress lines")
    p.set_defaults(func=cmd_ingest)
