"""`policykg link`: relations between policies (a thin adapter over policykg.link; see docs/links.md)."""

from __future__ import annotations

from policykg.cli.options import add_build_option

import sys
from pathlib import Path


def add(sub) -> None:
    p = sub.add_parser(
        "link", help="relations between policies: shared entities, similarity and lineage",
        description="Compute links between the policy documents and measures of the built graph: shared sectors, "
                    "instruments, programs, regions, agencies and enterprise categories, a similarity score, and "
                    "lineage (a later document that continues a measure of an earlier one). Without --with, the "
                    "links are written into the build as the named graph https://w3id.org/policykg/graph/links. "
                    "With --with FILE, the policy encoded in FILE (the format of kg/documents/*.yaml) is compared "
                    "with everything in the graph and the build is left as it is.")
    p.add_argument("--with", dest="with_file", metavar="FILE",
                   help="an encoding of another policy: report how it relates to the graph")
    p.add_argument("--out", metavar="FILE.csv", help="also write the links as CSV to this file ('-' for stdout)")
    add_build_option(p)
    p.add_argument("--min-score", type=float, default=None,
                   help="smallest similarity for a 'related' link, 0 to 1 (default: 0.15)")
    p.add_argument("--type", dest="types", action="append", metavar="TYPE",
                   help="only links of this type (repeatable): continues, related, shares-sector, shares-instrument, "
                        "shares-program, shares-region, shares-agency, shares-enterprise")
    p.add_argument("--limit", type=int, default=20, help="rows to print (default: 20; 0 for all)")
    p.set_defaults(func=cmd_link)


def cmd_link(args) -> int:
    from policykg import paths
    from policykg.link import build as linkbuild, compute as link
    from policykg.errors import InputError
    min_score = link.DEFAULT_MIN_SCORE if args.min_score is None else args.min_score
    if not 0 <= min_score <= 1:
        raise InputError(f"--min-score {args.min_score} is outside 0 to 1", fix="give a number such as 0.15")
    for t in args.types or []:
        if t not in link.LINK_TYPES:
            from policykg.errors import did_you_mean
            raise InputError(f"unknown link type '{t}'{did_you_mean(t, link.LINK_TYPES)}",
                             fix="use one of " + ", ".join(link.LINK_TYPES))
    if args.with_file:
        links, store, own = linkbuild.relate(Path(args.with_file), args.build, min_score=min_score)
        what = f"{len(own)} documents and measures of {args.with_file}"
    else:
        links, store = linkbuild.write_build(args.build, min_score=min_score)
        what = f"the graph; wrote the links graph into {paths.build_dir(args.build)}/"
    if args.types:
        links = [l for l in links if l.type in args.types]
    if args.out:
        text = link.to_csv(links, store)
        if args.out == "-":
            sys.stdout.write(text)
            return 0
        try:
            Path(args.out).write_text(text, encoding="utf-8-sig")      # with a BOM: Excel reads Chinese
        except OSError as e:
            raise InputError(f"cannot write the CSV: {(e.strerror or str(e)).lower()}", path=args.out,
                             fix="give --out a file in an existing folder you can write") from None
    counts = ", ".join(f"{n} {t}" for t, n in link.counts(links).items() if n)
    print(f"{len(links)} links for {what}" + (f" ({counts})" if counts else ""))
    shown = links if args.limit == 0 else links[:args.limit]
    for l in shown:
        print(f"{l.type:18} {l.score:.3f}  {link.key(l.source)} → {link.key(l.target)}: {l.explanation}")
    if len(shown) < len(links):
        print(f"… {len(links) - len(shown)} more (--limit 0 shows all, --out FILE.csv writes all)")
    return 0
