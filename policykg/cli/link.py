"""`policykg link`: relations between policies (a thin adapter over policykg.link; see docs/links.md)."""

from __future__ import annotations

from policykg.cli.options import add_build_option

import os
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
    p.add_argument("--k", "-k", type=int, default=None, metavar="K",
                   help="links each document or measure keeps: its K most similar units, and for a later document "
                        "its K best lineage links besides the continuations its source states (default: 10)")
    p.add_argument("--type", dest="types", action="append", metavar="TYPE",
                   help="only links of this type (repeatable): continues, related, shares-sector, shares-instrument, "
                        "shares-program, shares-region, shares-agency, shares-enterprise")
    p.add_argument("--limit", type=int, default=20, help="rows to print (default: 20; 0 for all)")
    p.set_defaults(func=cmd_link)


def cmd_link(args) -> int:
    from policykg import paths
    from policykg.link import build as linkbuild, compute as link, output
    from policykg.errors import InputError
    min_score = link.DEFAULT_MIN_SCORE if args.min_score is None else args.min_score
    if not 0 <= min_score <= 1:
        raise InputError(f"--min-score {args.min_score} is outside 0 to 1", fix="give a number such as 0.15")
    k = link.DEFAULT_K if args.k is None else args.k
    if k < 1:
        raise InputError(f"--k {args.k} is less than 1", fix="give a whole number such as 10")
    for t in args.types or []:
        if t not in link.LINK_TYPES:
            from policykg.errors import did_you_mean
            raise InputError(f"unknown link type '{t}'{did_you_mean(t, link.LINK_TYPES)}",
                             fix="use one of " + ", ".join(link.LINK_TYPES))
    types = set(args.types or link.LINK_TYPES)
    shown: list = []                                    # the strongest links, for the terminal
    counts = dict.fromkeys(link.LINK_TYPES, 0)
    out = part = None
    if args.out:
        part = None if args.out == "-" else Path(args.out).with_name(Path(args.out).name + ".part")
        try:
            out = sys.stdout if part is None else open(part, "w", encoding="utf-8-sig", newline="")   # a BOM: Excel reads Chinese
        except OSError as e:
            raise InputError(f"cannot write the CSV: {(e.strerror or str(e)).lower()}", path=args.out,
                             fix="give --out a file in an existing folder you can write") from None
    rows = None

    def sink(l, store) -> None:
        nonlocal rows
        if l.type not in types:
            return
        counts[l.type] += 1
        if out is not None:
            rows = rows or output.CsvWriter(out, store)
            rows.write(l)
        shown.append(l)
        if args.limit and len(shown) > 4 * args.limit:
            shown.sort(key=link.order)
            del shown[args.limit:]

    try:
        if args.with_file:
            links, store, own = linkbuild.relate(Path(args.with_file), args.build, min_score=min_score, k=k)
            for l in links:
                sink(l, store)
            what = f"{len(own)} documents and measures of {args.with_file}"
        else:
            linkbuild.write_build(args.build, min_score=min_score, k=k, sink=sink)
            what = f"the graph; wrote the links graph into {paths.build_dir(args.build)}/"
        if out is not None and rows is None:
            output.CsvWriter(out, None)                 # the header alone
    except BaseException:
        if part is not None:                            # nothing half-written
            out.close()
            part.unlink(missing_ok=True)
        raise
    if part is not None:
        out.close()
        os.replace(part, args.out)
    if args.out == "-":
        return 0
    total = sum(counts.values())
    summary = ", ".join(f"{n} {t}" for t, n in counts.items() if n)
    print(f"{total} links for {what}" + (f" ({summary})" if summary else ""))
    shown.sort(key=link.order)
    if args.limit:
        del shown[args.limit:]
    for l in shown:
        print(f"{l.type:18} {l.score:.3f}  {output.key(l.source)} → {output.key(l.target)}: {l.explanation}")
    if len(shown) < total:
        print(f"… {total - len(shown)} more (--limit 0 shows all, --out FILE.csv writes all)")
    return 0
