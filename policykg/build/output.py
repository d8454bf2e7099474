"""Safe output folders: a build replaces only what it built, atomically, and cleans up after crashes.

    with output.staging(Path("build"), force=False) as tmp:
        write_everything_into(tmp)          # raise to abandon: the old build stays as it was

Rules (docs/reliability.md):
- the output folder must be new, empty, or one that `policykg build` wrote (it holds the marker
  file `.policykg-build` listing what the build put at its top level); anything else is refused,
  and `--force` keeps the refused folder as a sibling `NAME.replaced-TIME` instead: nothing that
  the build did not write is ever deleted;
- the new build is written into a hidden sibling `.NAME.tmp-PID`, then swapped in with one atomic
  exchange of the two folders (Linux renameat2 RENAME_EXCHANGE; elsewhere two renames, undone at
  the next start if a crash fell between them): at every instant either the old complete build or
  the new one is in place;
- one build at a time per parent folder (a lock on that folder, released when the build ends or
  dies, so nothing is left behind); the next build
  removes the hidden folders that killed builds left, and only those that carry the marker.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import json
import os
import shutil
import time
import uuid
from pathlib import Path
from typing import Iterator

from policykg.errors import InputError, display_path

MARKER = ".policykg-build"
# Folders other commands write into a build, which a rebuild carries over: the extracted tier that
# 'policykg ingest --into-graph' adds (docs/ingest.md).
KEPT = ("extracted",)
FORMAT = "policykg-build/1"
FIX = "give --out a new or empty folder, or --force to set this one aside as {kept} and build anew"


def read_marker(folder: Path) -> dict | None:
    """The marker of a folder `policykg build` wrote, or None."""
    try:
        data = json.loads((Path(folder) / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) and data.get("format") == FORMAT else None


def build_id(folder: Path) -> str | None:
    """The id of the complete build in `folder` (changes with every build), or None."""
    m = read_marker(folder)
    return m.get("id") if m and m.get("complete") else None


# ------------------------------------------------------------------------------------ checks

def target(out) -> Path:
    """The output folder for `--out OUT`, or InputError saying why it cannot be one."""
    raw = os.fspath(out) if out is not None else ""
    if not raw.strip():
        raise InputError("--out is empty", fix="give --out a folder name, e.g. --out build")
    path = Path(os.path.abspath(raw))
    cwd = Path.cwd().resolve()
    real = path.resolve()
    if real == cwd or real in cwd.parents:
        what = "is the current folder" if real == cwd else "holds the current folder"
        raise InputError(f"{what}, which a build would replace", path=raw,
                         fix="give --out a subfolder, e.g. --out build")
    for parent in reversed(path.parents):
        if parent.exists() and not parent.is_dir():
            raise InputError(f"{_shown(parent)} is a file, not a folder", path=raw,
                             fix="give --out a path under a folder")
    if path.is_symlink():
        raise InputError("is a symbolic link", path=raw, fix="give --out the folder it points to, or a new one")
    if path.exists() and not path.is_dir():
        raise InputError("is a file, not a folder", path=raw, fix="give --out a folder (a new one is made)")
    return path


def _foreign_entries(folder: Path) -> list[str] | None:
    """Top-level names in `folder` that a build did not write; None when it is not a build at all."""
    names = sorted(os.listdir(folder))
    if not names:
        return []
    m = read_marker(folder)
    if not m or not m.get("complete"):
        return None
    ours = set(m.get("entries", [])) | {MARKER} | set(KEPT)
    return [n for n in names if n not in ours]


def check(path: Path, force: bool = False) -> str | None:
    """Whether a build may replace `path`: None when it may, else 'replace' (with --force) or an error."""
    if not path.exists():
        return None
    foreign = _foreign_entries(path)
    if foreign == []:
        return None
    if force:
        return "replace"
    if foreign is None:
        what = "folder is not empty and was not written by 'policykg build'"
    else:
        shown = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "")
        what = f"holds files that 'policykg build' did not write ({shown})"
    raise InputError(what, path=path, fix=FIX.format(kept=path.name + ".replaced-<time>"))


def _shown(path: Path) -> str:
    return display_path(path)


def _kept_name(path: Path) -> Path:
    return path.with_name(f"{path.name}.replaced-{time.strftime('%Y%m%dT%H%M%S')}")


# ------------------------------------------------------------------------------------ staging

@contextlib.contextmanager
def staging(out, force: bool = False) -> Iterator[Path]:
    """A fresh hidden folder to write a build into; swapped in for `out` when the block ends.

    Raises InputError before anything is written when `out` cannot take a build (see `check`),
    when another build writes to it, or when its folder cannot be written. On an exception in
    the block, the hidden folder is removed and `out` is left as it was.
    """
    path = target(out)
    parent = path.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        lock = os.open(parent, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as e:
        raise _os_error(e, parent) from None
    try:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise InputError("another 'policykg build' is writing in this folder", path=parent,
                             fix="wait for it to finish, or give --out a folder elsewhere") from None
        recover(path)
        mode = check(path, force)
        tmp = parent / f".{path.name}.tmp-{os.getpid()}"
        try:
            tmp.mkdir()
            _write_marker(tmp, complete=False)
        except OSError as e:
            _remove_ours(tmp)
            raise _os_error(e, parent) from None
        try:
            yield tmp
        except BaseException:
            _remove_ours(tmp)
            raise
        try:
            if mode is None:
                _carry_over(path, tmp)
            _write_marker(tmp, complete=True)
            _swap(tmp, path, keep_old=mode == "replace")
        except OSError as e:
            _remove_ours(tmp)
            raise _os_error(e, parent) from None
    finally:
        os.close(lock)                    # closing releases the lock


def _carry_over(old: Path, new: Path) -> None:
    """Copy the KEPT folders of the build being replaced into the new one."""
    for name in KEPT:
        src = old / name
        if src.is_dir() and not src.is_symlink() and not (new / name).exists():
            shutil.copytree(src, new / name, symlinks=True)


def _write_marker(folder: Path, complete: bool) -> None:
    entries = sorted(n for n in os.listdir(folder) if n != MARKER)
    data = {"format": FORMAT, "made_by": "policykg build", "complete": complete,
            "id": uuid.uuid4().hex, "entries": entries}
    tmp = folder / (MARKER + ".tmp")
    tmp.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, folder / MARKER)


_libc = None


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two folders (Linux renameat2); False where the system cannot."""
    global _libc
    try:
        if _libc is None:
            _libc = ctypes.CDLL(None, use_errno=True)
        fn = _libc.renameat2
    except (OSError, AttributeError):
        return False
    if fn(-100, os.fsencode(a), -100, os.fsencode(b), 2) == 0:     # AT_FDCWD, RENAME_EXCHANGE
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _swap(tmp: Path, path: Path, keep_old: bool) -> None:
    if not path.exists():
        os.rename(tmp, path)
        return
    if keep_old:                          # --force on a folder we did not write: keep it, renamed
        kept = _kept_name(path)
        os.rename(path, kept)
        try:
            os.rename(tmp, path)
        except OSError:
            os.rename(kept, path)
            raise
        return
    if _exchange(tmp, path):              # the old build is now at tmp
        _remove_ours(tmp)
        return
    old = path.parent / f".{path.name}.old-{os.getpid()}"
    os.rename(path, old)                  # a crash here is undone by recover()
    os.rename(tmp, path)
    _remove_ours(old)


def _remove_ours(folder: Path) -> None:
    """Remove a staging or old folder, only if it carries our marker (or is empty)."""
    try:
        if not folder.is_dir() or folder.is_symlink():
            return
        if (folder / MARKER).is_file() or (folder / (MARKER + ".tmp")).is_file():
            shutil.rmtree(folder, ignore_errors=True)
        else:
            folder.rmdir()
    except OSError:
        pass


def leftovers(path: Path) -> list[Path]:
    """Hidden staging and old folders of `path` that builds left (carrying our marker)."""
    found = []
    for kind in ("tmp", "old"):
        for p in path.parent.glob(f".{path.name}.{kind}-*"):
            if p.is_dir() and not p.is_symlink() and (p / MARKER).is_file():
                found.append(p)
    return sorted(found)


def recover(path: Path) -> list[Path]:
    """Undo an interrupted swap and remove what killed builds left; call with the lock held.

    Returns the folders removed or restored."""
    done = []
    if not path.exists():
        olds = [p for p in leftovers(path) if ".old-" in p.name and build_id(p)]
        if olds:
            newest = max(olds, key=lambda p: p.stat().st_mtime)
            os.rename(newest, path)
            done.append(newest)
    for p in leftovers(path):
        _remove_ours(p)
        done.append(p)
    return done


def _os_error(e: OSError, where: Path) -> InputError:
    reason = (e.strerror or str(e)).lower()
    if e.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return InputError(f"cannot write here: {reason}", path=where, fix="give --out a folder you can write")
    return InputError(f"cannot write here: {reason}", path=where, fix="give --out another folder")
