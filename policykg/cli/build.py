"""`policykg build`: compile the ontology, vocabularies and encodings into build/ (the main job)."""

from __future__ import annotations

import sys
from pathlib import Path
import time

from policykg.cli.options import EXIT_FINDINGS, EXIT_OK, progress


def cmd_build(args) -> int:
    from policykg.build import pipeline
    from policykg import paths
    out = args.out if args.out is not None else paths.build_dir()     # --out '' is an error, not the default
    t = time.perf_counter()
    documents = None
    if args.documents:
        documents = ([paths.DOCUMENTS_DIR] if args.with_builtin else []) + [Path(d) for d in args.documents]
    client = None
    if args.dask:
        from policykg.build import distributed
        client = distributed.client(args.dask)
    try:
        ds = pipeline.build(out, documents, with_pages=not args.no_pages, with_links=not args.no_links,
                            client=client, force=args.force, progress=progress(args), full=args.full,
                            dumps=args.dumps, with_answers=not args.no_answers)
    finally:
        if client is not None:
            client.close()
            if getattr(client, "cluster", None) is not None:
                client.cluster.close()
    for f in ds.report.findings:
        print(f.line(), file=sys.stderr)
    stages = ", ".join(f"{k} {v:.2f}s" for k, v in ds.timings.items())
    beside = ds.counts.get("beside") or {}
    if beside:                                  # the peak memory of each process beside the build
        stages += "; peak RSS beside: " + ", ".join(f"{k} {v['peak_kb'] // 1024} MB" for k, v in beside.items())
    how = "added to" if ds.counts.get("path") == "add" else "built"
    quads = ds.counts["quads"] if "quads" in ds.counts else len(ds.store)      # len() counts every quad
    print(f"{how} {out}/ ({quads} quads, {ds.counts.get('sources', len(ds.encodings))} sources) in "
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
    b.add_argument("--documents", metavar="DIR", action="append",
                   help="read the encodings (*.yaml) of DIR instead of kg/documents/; repeatable")
    b.add_argument("--with-builtin", action="store_true",
                   help="with --documents: read kg/documents/ too (besides the given folders)")
    b.add_argument("--dask", metavar="ADDRESS",
                   help="run the per-source stage on a Dask cluster: a scheduler address (tcp://host:8786), "
                        "or 'local:N' for a LocalCluster of N worker processes (needs the 'scale' extra)")
    b.add_argument("--full", action="store_true",
                   help="rebuild everything even when OUT holds a build of the same documents plus new ones "
                        "(which is otherwise only added to, see docs/scale.md)")
    b.add_argument("--dumps", action="store_true",
                   help="when adding to a build: write the whole-graph files too (kg.trig, kg.nq, kg.ttl, kg.jsonld, "
                        "export/), from the store; without it an added-to build has none")
    b.add_argument("--no-pages", action="store_true", help="skip the HTML pages (ontology reference and network views)")
    b.add_argument("--no-links", action="store_true", help="skip the links between policies")
    b.add_argument("--no-answers", action="store_true",
                   help="skip storing the answers of the listing queries (faster build; those queries then run on "
                        "the engine: 19 min of a build at 10,000 policies, docs/scale.md)")
    b.add_argument("-q", "--quiet", action="store_true", help="no progress messages")
    b.set_defaults(func=cmd_build)
