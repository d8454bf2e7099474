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


def add_limit_options(p, timeout_s: float, memory_mb: int, max_rows: int) -> None:
    """--timeout, --memory and --max-rows: the bounds of a query (policykg.query.bounds)."""
    p.add_argument("--timeout", type=float, default=None, metavar="SECONDS",
                   help=f"stop a query after this many seconds (default: {timeout_s:g})")
    p.add_argument("--memory", type=int, default=None, metavar="MB",
                   help=f"stop a query that needs more memory than this (default: {memory_mb})")
    p.add_argument("--max-rows", type=int, default=None, metavar="N",
                   help=f"refuse a result of more than N rows (default: {max_rows})")


def limits(args):
    """The query bounds given by the options of add_limit_options (defaults where not given)."""
    from policykg.query.bounds import DEFAULT
    return DEFAULT.but(timeout_s=args.timeout, memory_mb=args.memory, max_rows=args.max_rows).check()
