"""What the command modules share: exit codes, the --build option and progress messages."""

from __future__ import annotations

import sys

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT = 0, 1, 2


def add_build_option(p, what: str = "the build directory") -> None:
    """--build DIR, found as every command and the API find it (policykg.paths.build_dir)."""
    p.add_argument("--build", metavar="DIR", default=None,
                   help=f"{what} (default: $POLICYKG_BUILD, else ./build)")


def progress(args):
    """A progress printer for long work (stderr), or None with --quiet."""
    if getattr(args, "quiet", False):
        return None
    return lambda msg: print(f"… {msg}", file=sys.stderr, flush=True)
