"""Property-based mutations of real inputs, shared by tests/test_fuzz.py (bounded, fixed seed) and
benchmarks/fuzz.py (long runs): the real encodings of kg/documents/ and the parameters of the real
catalogue queries. The property: each input ends in success or in InputError (one line per problem,
no control characters, no traceback), within a time and memory bound."""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

from hypothesis import strategies as st

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "kg" / "documents"
ENCODINGS = sorted(DOCS.glob("*.yaml"))
# What YAML and our format care about, control characters, wide characters and long digit runs.
PIECES = [":", " ", "\n", "  ", "- ", "{", "}", "[", "]", ",", "&a ", "*a", "!!python/object ", "|", ">", "'", '"',
          "#", "\t", "\x00", "\x07", "\x1b[31m", "\\e", "\u202e", "\u009b", "v:", "at:", "inferred:", "type:",
          "label:", "facts:", "0-", "9" * 40, "9" * 5000, "-1", "2022-13-45", "sector/steel", "doc/miit-2022-160",
          "pkg:", "工信部", "\ufeff", "~", "null", "true", "1e999"]
LIMIT_S, LIMIT_MB = 30, 1024


def mutation():
    """(kind, position fraction, piece, count): one edit of a text."""
    return st.tuples(st.sampled_from(["insert", "replace", "delete-line", "duplicate-line", "indent", "dedent"]),
                     st.floats(0, 1, allow_nan=False), st.one_of(st.sampled_from(PIECES), st.text(max_size=8)),
                     st.integers(1, 40))


def mutate(text: str, edits) -> str:
    for kind, where, piece, n in edits:
        lines = text.split("\n")
        i = min(int(where * len(text)), len(text))
        li = min(int(where * len(lines)), len(lines) - 1)
        if kind == "insert":
            text = text[:i] + piece + text[i:]
        elif kind == "replace":
            text = text[:i] + piece + text[i + n:]
        elif kind == "delete-line":
            text = "\n".join(lines[:li] + lines[li + 1:])
        elif kind == "duplicate-line":
            text = "\n".join(lines[:li + 1] + lines[li:])
        elif kind == "indent":
            text = "\n".join(lines[:li] + [" " * (n % 5) + lines[li]] + lines[li + 1:])
        else:
            text = "\n".join(lines[:li] + [lines[li].lstrip()] + lines[li + 1:])
    return text


def encodings():
    """(file name, mutated text) of one real encoding."""
    return st.tuples(st.sampled_from(ENCODINGS), st.lists(mutation(), min_size=1, max_size=4)).map(
        lambda t: (t[0].name, mutate(t[0].read_text(encoding="utf-8"), t[1])))


MESSAGE = re.compile(r"^[^\n\x00-\x08\x0b-\x1f]+$")


def check_error(e) -> None:
    """An InputError's lines: each one line, no raw control character, with a 'what'."""
    for line in e.message.splitlines():
        assert MESSAGE.match(line) or "\x1b" not in line, line


def read_mutated(onto, name: str, text: str) -> str:
    """Read all encodings with one replaced by `text` (and compile them); 'ok' or the error message."""
    from policykg.encoding import compile as compiler, reader
    from policykg.errors import InputError
    folder = Path(tempfile.mkdtemp(prefix="policykg-fuzz-"))
    try:
        for f in ENCODINGS:
            shutil.copy(f, folder / f.name)
        (folder / name).write_text(text, encoding="utf-8", errors="surrogatepass")
        try:
            encs = reader.read_all(onto, sorted(folder.glob("*.yaml")))
            compiler.compile_all(encs)
            return "ok"
        except InputError as e:
            return e.message
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def bounded(fn, *args):
    """fn(*args) in a worker with a time and memory limit: a hang or a blow-up fails the property."""
    from policykg.query import bounds
    return bounds.run(lambda: fn(*args), bounds.Limits(timeout_s=LIMIT_S, memory_mb=LIMIT_MB, max_rows=None))


# ------------------------------------------------------------------------------------ parameters

VALUES = st.one_of(st.sampled_from(PIECES), st.text(max_size=30),
                   st.sampled_from(["http://x/a b>", "<http://example.org/>", "sector/automobiles", "汽车", "2023-01-01",
                                    "2022-02-30", "+7", "9" * 4400, "pid:", "urn:x", "https://", ""]))


def query_calls(names):
    """(query name, {parameter: value}) with values that are often wrong."""
    return st.tuples(st.sampled_from(names), st.dictionaries(st.sampled_from(["sector", "doc", "from", "to", "agency",
                                                                              "instrument", "region", "n", "x", "lang"]),
                                                             VALUES, max_size=3))


def run_query(store, name: str, params: dict) -> str:
    from policykg.errors import InputError
    from policykg.query import engine as query
    from policykg.query.bounds import Limits
    try:
        res = query.run(name, store=store, limits=Limits(timeout_s=LIMIT_S, memory_mb=LIMIT_MB), **params)
        res.format("table")
        return "ok"
    except InputError as e:
        return e.message
