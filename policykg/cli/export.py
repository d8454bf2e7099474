"""`policykg export`: flat tables with a codebook (adapter over policykg.export.write)."""

from __future__ import annotations

from policykg.cli.options import add_build_option


def cmd_export(args) -> int:
    from policykg.export import write
    from policykg.query import engine as query
    from policykg import paths
    formats = [f.strip() for f in args.format.split(",") if f.strip()]
    tables = [t.strip() for t in args.tables.split(",") if t.strip()] if args.tables else None
    out = args.out or paths.build_dir(args.build) / "export"
    files = write.export(query.store(args.build), out, formats, tables)
    for f in files:
        print(f)
    return 0


def add(sub) -> None:
    s = sub.add_parser("export", help="flat tables (measures and actions, documents, targets, statistics, links) "
                                      "as CSV, XLSX or Parquet, with a codebook",
                       description="Write one row per document, measure and action (with document number, date, "
                                   "part, sectors with GB/T 4754 and ISIC codes, instruments with OECD STIP and GTA "
                                   "classes, agencies, regions with codes, enterprise categories, targets and "
                                   "sources), and tables of documents, targets, statistics and links. CSV files are "
                                   "UTF-8 with a byte-order mark (Excel shows Chinese correctly). codebook.md and "
                                   "datapackage.json (Frictionless) describe every column.")
    s.add_argument("--out", metavar="DIR", help="folder to write into (default: BUILD/export)")
    s.add_argument("--format", "-f", default="csv", metavar="FORMATS",
                   help="comma-separated: csv, xlsx, parquet (default: csv)")
    s.add_argument("--tables", metavar="NAMES", help="comma-separated subset of: measures, documents, targets, "
                                                     "statistics, links (default: all)")
    add_build_option(s)
    s.set_defaults(func=cmd_export)
