"""`policykg validate`: zero-row checks, SHACL shapes and OWL 2 DL consistency (HermiT)."""

from __future__ import annotations

from policykg.cli.options import EXIT_FINDINGS, EXIT_OK, progress


def cmd_validate(args) -> int:
    from policykg.build import pipeline
    report = pipeline.validate(shacl=not args.no_shacl, hermit=not args.no_hermit, progress=progress(args))
    for f in report.findings:
        print(f.line())
    print(f"{len(report.checks_run)} checks, {len(report.errors)} errors, "
          f"{len(report.findings) - len(report.errors)} warnings")
    return EXIT_OK if report.ok else EXIT_FINDINGS


def add(sub) -> None:
    v = sub.add_parser("validate", help="SHACL shapes, zero-row checks and the HermiT OWL 2 DL reasoner",
                       description="Validate the knowledge graph: zero-row SPARQL checks, SHACL shapes (pySHACL) "
                                   "and OWL 2 DL consistency with HermiT. Exit 1 when there are errors.")
    v.add_argument("--no-shacl", action="store_true", help="skip the SHACL shapes")
    v.add_argument("--no-hermit", action="store_true", help="skip the HermiT reasoner (needs Java)")
    v.add_argument("-q", "--quiet", action="store_true", help="no progress messages")
    v.set_defaults(func=cmd_validate)
