"""Pages that cost about their rows: a catalogue query's key part paged first, its labels after.

A query whose header says `#+ page: keys` has this shape (docs/queries.md, "Pages of rows"):

    SELECT [DISTINCT] ?a ?a_en ?b ... WHERE {
      { SELECT ... }                      # the key part: every row of the answer, without labels
      OPTIONAL { ?a skos:prefLabel ?a_en FILTER(LANG(?a_en) = "en") }    # lookups per row, then
      BIND(...)                           # only OPTIONAL, LATERAL and BIND
    }
    ORDER BY <variables of the key part>

What follows the key part only adds columns to each of its rows (it never drops or repeats one),
and the ORDER BY orders the key rows completely. A page of the answer is then the same page of
the key part with its lookups: `page_text` sorts the key rows, keeps the page's and looks up
their labels only; `count_text` counts the key rows, without any lookup. The columns the key
part computes (`(expression AS ?var)`) must be functions of its plain variables (sort keys,
aggregates of a group): the count leaves them out. A query of another shape
is paged by reading its whole answer (results.from_pyoxigraph).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from policykg.errors import InputError
from policykg.query.catalogue import _LEX


@dataclass(frozen=True)
class Keyed:
    text: str
    prologue: str           # PREFIX and BASE lines
    key: str                # the key sub-select, with its braces
    before: str             # the text from the top-level SELECT to the key part
    after: str              # the lookups after the key part, to the end of the WHERE group
    order: str              # the ORDER BY list
    counted: str            # the key part with only its plain variables projected (no expression made)


_WORD = re.compile(r"\b(SELECT|WHERE|ORDER\s+BY|GROUP\s+BY|HAVING|LIMIT|OFFSET|VALUES|OPTIONAL|LATERAL|BIND)\b",
                   re.IGNORECASE)


def _close(code: str, at: int, open_: str = "{", close: str = "}") -> int:
    """The index of the bracket closing the one at `at`."""
    depth = 0
    for i in range(at, len(code)):
        if code[i] == open_:
            depth += 1
        elif code[i] == close:
            depth -= 1
            if depth == 0:
                return i
    raise ValueError("unbalanced brackets")


def split(text: str) -> Keyed:
    """The parts of a `page: keys` query; InputError where the text has another shape."""
    code = _LEX.sub(lambda m: " " * len(m.group(0)), text)     # strings, IRIs, comments blanked in place
    try:
        return _split(text, code)
    except ValueError as e:
        raise InputError(f"the query cannot be paged by its keys: {e}",
                         fix="write it as SELECT … WHERE { { SELECT <keys> … } OPTIONAL {…} … } ORDER BY <keys> "
                             "(docs/queries.md), or drop its '#+ page: keys' line") from None


def _split(text: str, code: str) -> Keyed:
    select = re.search(r"\bSELECT\b", code, re.IGNORECASE)
    if select is None:
        raise ValueError("no SELECT")
    where = code.index("{", select.end())
    end = _close(code, where)
    inner = re.match(r"\s*\{\s*SELECT\b", code[where + 1:], re.IGNORECASE)
    if inner is None:
        raise ValueError("its WHERE group does not begin with a sub-select")
    key_start = where + 1 + inner.start() + inner.group(0).index("{")
    key_end = _close(code, key_start) + 1
    rest = code[key_end:end]
    at = 0
    while at < len(rest):
        m = re.compile(r"\s*(\.\s*)?").match(rest, at)
        at = m.end()
        if at >= len(rest):
            break
        m = re.compile(r"(OPTIONAL|LATERAL)\s*\{|BIND\s*\(", re.IGNORECASE).match(rest, at)
        if m is None:
            raise ValueError(f"after the key part only OPTIONAL, LATERAL and BIND may follow, not "
                             f"'{text[key_end + at:key_end + at + 30].split()[0]}'")
        at = _close(rest, m.end() - 1, *("{}" if m.group(0).endswith("{") else "()")) + 1
    tail = code[end + 1:]
    order = re.fullmatch(r"\s*ORDER\s+BY\b(.*?)\s*", tail, re.IGNORECASE | re.S)
    if order is None or _WORD.search(order.group(1)):
        raise ValueError("it must end with an ORDER BY and nothing after it")
    order_text = text[end + 1 + order.start(1):end + 1 + order.end(1)].strip()
    projection = re.match(r"\{\s*SELECT\s+((DISTINCT|REDUCED)\s+)?(.*?)(\bWHERE\b|\{)", code[key_start:key_end],
                          re.IGNORECASE | re.S)
    key_vars = set(re.findall(r"[?$](\w+)", projection.group(3)))
    plain = _plain(code[key_start + projection.start(3):key_start + projection.end(3)])
    counted = (text[key_start:key_start + projection.start(3)] + (plain or projection.group(3)) + " "
               + text[key_start + projection.end(3):key_end])
    wanted = set(re.findall(r"[?$](\w+)", order.group(1)))
    if not wanted or not wanted <= key_vars:
        raise ValueError("its ORDER BY must name only variables that the key sub-select projects"
                         + (f" (not ?{', ?'.join(sorted(wanted - key_vars))})" if wanted - key_vars else ""))
    return Keyed(text, text[:select.start()], text[key_start:key_end], text[select.start():key_start],
                 text[key_end:end], order_text, counted)


def _plain(projection: str) -> str:
    """The plain variables of a projection, without its `(expression AS ?var)` items."""
    out, depth = [], 0
    for m in re.finditer(r"[()]|[?$]\w+", projection):
        if m.group(0) == "(":
            depth += 1
        elif m.group(0) == ")":
            depth -= 1
        elif depth == 0:
            out.append(m.group(0))
    return " ".join(out)


def page_text(k: Keyed, limit: int | None, offset: int) -> str:
    """The query for rows offset+1 … offset+limit: the key rows sorted and cut first, looked up after."""
    cut = (f" LIMIT {int(limit)}" if limit is not None else "") + (f" OFFSET {int(offset)}" if offset else "")
    return (f"{k.prologue}{k.before}{{ SELECT * WHERE {{ {k.key} }}\n  ORDER BY {k.order}{cut} }}"
            f"{k.after}}}\nORDER BY {k.order}\n")


def count_text(k: Keyed) -> str:
    """The query that counts the answer's rows: its key rows, without the lookups and without the
    columns the key part computes (`(expression AS ?var)`: sort keys, aggregates), which are
    functions of its plain variables and so change no count."""
    return f"{k.prologue}SELECT (COUNT(*) AS ?total) WHERE {{ {k.counted} }}\n"
