"""Reading a file a user names: bounded in size, UTF-8, and every failure one InputError line."""

from __future__ import annotations

from pathlib import Path

from policykg.errors import InputError


def read_text(path: Path | str, max_bytes: int, what: str) -> str:
    """A UTF-8 text file of at most `max_bytes`; InputError for folders, broken links, size and encoding.

    `what` names the kind of file in the messages, e.g. "an encoding file", "a query file"."""
    path = Path(path)
    try:
        if path.is_dir():
            raise InputError("is a folder, not a file", path=path, fix=f"give {what}")
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(f"the file has {size} bytes (at most {max_bytes})", path=path,
                             fix=f"split it: {what} is read whole into memory")
        data = path.read_bytes()
    except FileNotFoundError:
        what_is = "a broken symbolic link" if path.is_symlink() else "no such file"
        raise InputError(what_is, path=path, fix=f"give the path of {what}") from None
    except OSError as e:
        raise InputError(f"cannot read the file: {(e.strerror or str(e)).lower()}", path=path,
                         fix="check that it is a readable file") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        raise InputError(f"not UTF-8 text ({e.reason} at byte {e.start})", path=path, line=line,
                         fix="save the file as UTF-8") from None
