"""`policykg`: one subcommand per stage, each a thin adapter over a function of the policykg package.

Exit codes: 0 success, 1 validation findings, 2 bad input or usage.
Library functions never print or exit; this module turns their results and exceptions into
output lines and exit codes. Heavy modules are imported inside the commands that need them, so
that a quick command (such as `policykg query`) starts fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from policykg.cli.options import EXIT_FINDINGS, EXIT_INPUT, EXIT_OK  # noqa: F401  (re-exported)
from policykg.errors import InputError


# One module per command (or pair of related commands), each defining `add(subparsers)`. Command
# modules import heavy libraries inside their command functions only, so that parsing stays fast.
MODULES = ["build", "validate", "locate", "query", "search", "show", "export", "serve", "viz", "link", "ingest"]


# ---------------------------------------------------------------------------- parser

def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="policykg", description="A knowledge graph of Chinese industrial policy.")
    p.add_argument("--version", action="version", version=_version())
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    for name in MODULES:
        importlib.import_module(f"policykg.cli.{name}").add(sub)
    return p


def _version() -> str:
    from policykg import __version__
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
        from policykg.terminal import one_line
        for line in e.message.splitlines():
            print(f"error: {one_line(line)}", file=sys.stderr)
        return EXIT_INPUT
    except OSError as e:                       # a file or folder the user named, that no check foresaw
        where = f"{e.filename}: " if e.filename else ""
        from policykg.terminal import one_line
        print("error: " + one_line(f"{where}{(e.strerror or str(e)).lower()}; check the path and its permissions"),
              file=sys.stderr)
        return EXIT_INPUT
    except MemoryError:
        print("error: out of memory; give a smaller input (see docs/reliability.md for the limits)", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
