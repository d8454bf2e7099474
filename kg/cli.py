"""`policykg`: one subcommand per stage, each a thin adapter over a function of the kg package.

Exit codes: 0 success, 1 validation findings, 2 bad input or usage.
Library functions never print or exit; this module turns their results and exceptions into
output lines and exit codes. Heavy modules are imported inside the commands that need them, so
that a quick command (such as `policykg query`) starts fast.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from kg.errors import InputError

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT = 0, 1, 2


def _progress(args):
    if getattr(args, "quiet", False):
        return None
    return lambda msg: print(f"… {msg}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------- commands

def cmd_build(args) -> int:
    from kg import build
    t = time.perf_counter()
    ds = build.build(Path(args.out), with_pages=not args.no_pages, progress=_progress(args))
    for f in ds.report.findings:
        print(f.line(), file=sys.stderr)
    stages = ", ".join(f"{k} {v:.2f}s" for k, v in ds.timings.items())
    print(f"built {args.out}/ ({len(ds.store)} quads, {len(ds.encodings)} sources) in "
          f"{time.perf_counter() - t:.2f}s [{stages}]")
    return EXIT_OK if ds.report.ok else EXIT_FINDINGS


def cmd_validate(args) -> int:
    from kg import validate
    report = validate.validate(shacl=not args.no_shacl, hermit=not args.no_hermit, progress=_progress(args))
    for f in report.findings:
        print(f.line())
    print(f"{len(report.checks_run)} checks, {len(report.errors)} errors, "
          f"{len(report.findings) - len(report.errors)} warnings")
    return EXIT_OK if report.ok else EXIT_FINDINGS


def cmd_locate(args) -> int:
    from kg import locate
    for start, end in locate.find(Path(args.file), args.text):
        print(f"{start}-{end}")
    return EXIT_OK


# ---------------------------------------------------------------------------- parser

def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="policykg", description="A knowledge graph of Chinese industrial policy.")
    p.add_argument("--version", action="version", version=_version())
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    b = sub.add_parser("build", help="compile ontology and encodings into build/ (the main job)",
                       description="Compile the ontology, vocabularies and source encodings into an RDF dataset "
                                   "and write build/: kg.trig, kg.nq, kg.ttl, kg.jsonld, ontology.html, pages and report.")
    b.add_argument("--out", default="build", help="output directory (default: build)")
    b.add_argument("--no-pages", action="store_true", help="skip the HTML pages (ontology reference and network views)")
    b.add_argument("-q", "--quiet", action="store_true", help="no progress messages")
    b.set_defaults(func=cmd_build)

    v = sub.add_parser("validate", help="SHACL shapes, zero-row checks and the HermiT OWL 2 DL reasoner",
                       description="Validate the knowledge graph: zero-row SPARQL checks, SHACL shapes (pySHACL) "
                                   "and OWL 2 DL consistency with HermiT. Exit 1 when there are errors.")
    v.add_argument("--no-shacl", action="store_true", help="skip the SHACL shapes")
    v.add_argument("--no-hermit", action="store_true", help="skip the HermiT reasoner (needs Java)")
    v.add_argument("-q", "--quiet", action="store_true", help="no progress messages")
    v.set_defaults(func=cmd_validate)

    lo = sub.add_parser("locate", help="print the character offsets of a passage in a source text",
                        description="Print START-END character offsets (Unicode code points) of every occurrence of "
                                    "TEXT in FILE, for the 'at' locators of an encoding.")
    lo.add_argument("file", help="your copy of the source text")
    lo.add_argument("text", help="the passage to find")
    lo.set_defaults(func=cmd_locate)

    from kg import commands
    for add in commands.adders():
        add(sub)
    return p


def _version() -> str:
    from kg import __version__
    return f"policykg {__version__}"


def main(argv: list[str] | None = None) -> int:
    p = parser()
    args = p.parse_args(argv)
    if not getattr(args, "func", None):
        p.print_help()
        return EXIT_INPUT
    try:
        return args.func(args)
    except InputError as e:
        for line in e.message.splitlines():
            print(f"error: {line}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
