"""`policykg build`: compile the ontology, vocabularies and encodings into build/ (the main job)."""

from __future__ import annotations

import sys
import time

from policykg.cli.options import EXIT_FINDINGS, EXIT_OK, progress


def cmd_build(args) -> int:
    from policykg.build import pipeline
    from policykg import paths
    out = args.out if args.out is not None else paths.build_dir()     # --out '' is an error, not the default
    t = time.perf_counter()
    ds = pipeline.build(out, with_pages=not args.no_pages, force=args.force, progress=progress(args))
    for f in ds.report.findings:
        print(f.line(), file=sys.stderr)
    stages = ", ".join(f"{k} {v:.2f}s" for k, v in ds.timings.items())
    print(f"built {out}/ ({len(ds.store)} quads, {len(ds.encodings)} sources) in "
          f"{time.perf_counter() - t:.2f}s [{stages}]")
    return EXIT_OK if ds.report.ok else EXIT_FINDINGS


def add(sub) -> None:
    b = sub.add_parser("build", help="compile ontology and encodings into build/ (the main job)",
                       description="Compile the ontology, vocabularies and source encodings into an RDF dataset "
                                   "and write build/: kg.trig, kg.nq, kg.ttl, kg.jsonld, ontology.html, pages and report.")
    b.add_argument("--out", default=None, help="output directory (default: $POLICYKG_BUILD, else ./build)")
    b.add_argument("--force", action="store_true",
                   help="build even into a folder that 'policykg build' did not write: that folder is kept, "
                        "renamed OUT.replaced-TIME (nothing is deleted)")
    b.add_argument("--no-pages", action="store_true", help="skip the HTML pages (ontology reference and network views)")
    b.add_argument("-q", "--quiet", action="store_true", help="no progress messages")
    b.set_defaults(func=cmd_build)
