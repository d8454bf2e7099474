"""`policykg viz` (network pages) and `policykg stats` (network analytics): thin adapters over policykg.viz."""

from __future__ import annotations

from policykg.cli.options import add_build_option

import sys


def cmd_viz(args) -> int:
    from pathlib import Path

    from policykg import paths
    from policykg.store import load as dataset
    from policykg.viz import pages
    store = dataset.load(args.build)
    out = Path(args.out) if args.out else paths.build_dir(args.build) / "viz"
    if args.focus is not None:
        path = pages.write_focus(store, args.focus, args.depth, out)
        print(path)
        return 0
    written = pages.write_all(store, out, matrix=not args.no_matrix)
    for name in sorted(written):
        print(written[name])
    return 0


def cmd_stats(args) -> int:
    from policykg.store import load as dataset
    from policykg.viz import analytics
    st = analytics.stats(dataset.load(args.build), top=args.top)
    if args.format == "json":
        import json
        print(json.dumps(st, ensure_ascii=False, indent=2, sort_keys=True))
    else:
        sys.stdout.write(analytics.as_markdown(st, escape=False))
    return 0


def add(sub) -> None:
    v = sub.add_parser("viz", help="interactive network pages, GraphML and the measure × sector picture",
                       description="Write self-contained network pages (overview; measure → instrument → agency; "
                                   "sector co-targeting; policy lineage), GraphML files, the measure × sector "
                                   "matrix (PNG, SVG) and stats.md from the built graph. With --focus, write one "
                                   "page centred on an entity instead.")
    v.add_argument("--out", help="output directory (default: BUILD/viz)")
    add_build_option(v)
    v.add_argument("--focus", metavar="ENTITY",
                   help="centre a page on ENTITY: an IRI, a key such as sector/automobiles, or an exact zh or en label")
    v.add_argument("--depth", type=int, default=1, help="with --focus: how many links away to show (default: 1)")
    v.add_argument("--no-matrix", action="store_true", help="skip the matrix picture (saves loading matplotlib)")
    v.set_defaults(func=cmd_viz)

    s = sub.add_parser("stats", help="network analytics: most-used instruments, most-targeted sectors, central nodes",
                       description="Most-used instruments and most-targeted sectors (counted in measures), and the "
                                   "most central measures and agencies by degree and betweenness in the overview graph.")
    add_build_option(s)
    s.add_argument("--top", type=int, default=10, help="rows per table (default: 10)")
    s.add_argument("--format", choices=("table", "json"), default="table", help="output format (default: table)")
    s.set_defaults(func=cmd_stats)
