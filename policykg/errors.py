"""Errors a user can fix. The CLI prints them as one line and exits with code 2."""

from __future__ import annotations

import difflib
import os
from pathlib import Path


class InputError(Exception):
    """Bad input: says where (file:line), what, and how to fix it."""

    def __init__(self, what: str, *, path: str | Path | None = None, line: int | None = None,
                 fix: str | None = None):
        self.what, self.path, self.line, self.fix = what, path, line, fix
        super().__init__(self.message)

    @property
    def message(self) -> str:
        where = ""
        if self.path is not None:
            where = f"{display_path(self.path)}:{self.line}: " if self.line else f"{display_path(self.path)}: "
        return f"{where}{self.what}" + (f"; {self.fix}" if self.fix else "")


def display_path(path: str | Path) -> str:
    """A path relative to the working directory when it is below it, else as given."""
    p = Path(os.path.abspath(path))         # not resolve(): a symbolic link is shown by its own name
    try:
        return str(p.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def did_you_mean(word: str, choices, n: int = 1) -> str:
    """' (did you mean 'x'?)' for the closest choice, or '' when nothing is close."""
    close = difflib.get_close_matches(word, list(choices), n=n, cutoff=0.6)
    if not close:
        return ""
    return " (did you mean " + " or ".join(f"'{c}'" for c in close) + "?)"
