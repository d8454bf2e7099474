"""The code of another git revision beside this checkout, for a benchmark's baseline in the same run."""

from __future__ import annotations

import contextlib
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


@contextlib.contextmanager
def checkout(ref: str, where: Path):
    """A detached git worktree of `ref` at `where` (which must not exist), removed afterwards."""
    subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", str(where), ref], check=True,
                   capture_output=True)
    try:
        yield where
    finally:
        subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(where)], capture_output=True)
