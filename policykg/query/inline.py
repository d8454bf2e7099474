"""Bound parameters written into a catalogue query's text as the terms the engine printed.

The engine plans a query better when it sees a parameter's value than when the value arrives as a
substitution (a property path from a bound IRI, for one, starts there instead of enumerating every
node). `inline(text, subs)` gives the text with each bound `?_name` written in, or None where that
is not possible (the caller then binds by substitution, policykg.query.engine).
"""

from __future__ import annotations

import re
from functools import lru_cache

import pyoxigraph as ox

from policykg.query.catalogue import _LEX


_IRI_TERM = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')
_CLAUSE = re.compile(r"\b(SELECT|WHERE|GROUP\s+BY|ORDER\s+BY|HAVING|LIMIT|OFFSET|VALUES)\b|[{}()]", re.IGNORECASE)


def inline(text: str, subs: dict) -> str | None:
    return _inline(text, tuple(sorted((var.value, term) for var, term in subs.items())))


@lru_cache(maxsize=1024)
def _inline(text: str, subs: tuple) -> str | None:
    """The query with each bound parameter written in as its term, or None where that is not possible.

    The engine plans a query better when it sees a parameter's value than when the value arrives as
    a substitution (a property path from a bound IRI, for one, starts there instead of enumerating
    every node). A value is only written in as a term the engine itself printed from a checked
    NamedNode or Literal (never text from the user), so it cannot change the query's structure. In
    a SELECT, GROUP BY or ORDER BY list the parameter is dropped (its column is hidden anyway)."""
    terms = {}
    for var, term in subs:
        t = str(term)
        if isinstance(term, ox.NamedNode) and not _IRI_TERM.fullmatch(t) or "\n" in t:
            return None
        terms[var] = t
    if not terms:
        return text
    code = _LEX.sub(lambda m: " " * len(m.group(0)), text)          # strings, IRIs, comments blanked
    params = re.compile(r"[?$](" + "|".join(map(re.escape, terms)) + r")(?![\w])")
    if re.search(r"BIND\s*\(\s*" + params.pattern, code, re.IGNORECASE):
        return None     # measure-profile gave other rows with the term written in a BIND (pyoxigraph 0.5): substitute
    marks = [(m.start(), m.group(0)) for m in _CLAUSE.finditer(code)]
    out, last, clause, depth, at = [], 0, "", 0, 0
    for m in params.finditer(code):
        while at < len(marks) and marks[at][0] < m.start():
            word = " ".join(marks[at][1].upper().split())
            if word == "(":
                depth += 1
            elif word == ")":
                depth -= 1
            else:
                clause, depth = word, 0
            at += 1
        drop = depth == 0 and clause in ("SELECT", "GROUP BY", "ORDER BY")
        out += [text[last:m.start()], "" if drop else terms[m.group(1)]]
        last = m.end()
    out.append(text[last:])
    result = "".join(out)
    code = _LEX.sub(lambda m: " " * len(m.group(0)), result)
    if re.search(r"\bSELECT\s+(DISTINCT\s+|REDUCED\s+)?WHERE\b", code, re.IGNORECASE):
        return None                                                 # nothing left to project
    for kw in ("GROUP", "ORDER"):                                   # a list left empty
        for m in reversed(list(re.finditer(kw + r"\s+BY\s*(?=(GROUP|HAVING|ORDER|LIMIT|OFFSET|VALUES)\b|[}]|$)",
                                           code, re.IGNORECASE))):
            result = result[:m.start()] + " " * (m.end() - m.start()) + result[m.end():]
    return result
