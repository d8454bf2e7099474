"""SERVICE clauses found in the parsed query, not in its text.

A SERVICE clause makes the engine fetch a URL. `find()` parses the query with rdflib's SPARQL 1.1
grammar and walks the parse tree for SERVICE patterns, so no spacing, case, comment or string trick
hides one (`?a ?b ?c .SERVICE <...>` is found; `"SERVICE"` in a string is not a clause). This is the
check that explains the refusal; the query worker also runs without any network
(policykg.query.bounds), so a query that this parser cannot read still cannot reach an address.
Where the system cannot cut a worker off the network, a query this parser cannot read is refused.
"""

from __future__ import annotations

import logging
from pathlib import Path

from policykg.errors import InputError

MAX_DEPTH = 200          # parse trees are walked without recursion; this bounds the walk's bookkeeping only


def could_have_service(text: str) -> bool:
    """Whether the text could hold a SERVICE clause at all: the keyword, in any case, or an escape
    (SPARQL reads \\u and \\U escapes anywhere in a query, so one could spell the keyword)."""
    folded = text.casefold()
    return "service" in folded or "\\u" in folded


def find(text: str) -> list[str] | None:
    """The SERVICE targets of a query (IRIs or variables as written), [] when there are none, or None
    when rdflib cannot parse the query (the engine then reports the syntax error)."""
    from rdflib.plugins.sparql import parser
    from rdflib.plugins.sparql.parserutils import CompValue
    log = logging.getLogger("rdflib")
    level = log.level
    log.setLevel(logging.CRITICAL)          # rdflib logs a traceback for literals it cannot convert
    try:
        tree = parser.parseQuery(text)
    except Exception:          # noqa: BLE001 - pyparsing's ParseException and rdflib's own errors
        return None
    finally:
        log.setLevel(level)
    found, stack = [], [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, CompValue):
            if node.name == "ServiceGraphPattern":
                found.append(str(node.get("term")))
            stack.extend(node.values())
        elif isinstance(node, (list, tuple)):
            stack.extend(node)
        elif hasattr(node, "asList") and not isinstance(node, str):
            stack.extend(list(node))
    return found


UNCHECKABLE = ("the query cannot be checked for SERVICE: rdflib's SPARQL 1.1 parser cannot read it, and this system "
               "cannot cut a query off the network")


def refuse(text: str, path: Path | str | None = None) -> None:
    """Raise InputError when the parsed query has a SERVICE clause, or cannot be parsed on a system
    where the worker cannot be cut off the network."""
    from policykg.query import bounds
    if not could_have_service(text) and bounds.can_isolate():
        return          # nothing to find, and the worker is off the network anyway: rdflib's parser takes
                        # 1.6 s to build its grammar in a fresh process (each request of the endpoint is
                        # one) and tens of milliseconds per query after that
    found = find(text)
    if found is None and not bounds.can_isolate():
        raise InputError(UNCHECKABLE, path=path, fix="write it in plain SPARQL 1.1, or pass --allow-service if you trust it")
    if found:
        raise InputError(f"the query has a SERVICE clause ({found[0]}), which would make this machine fetch a URL",
                         path=path, fix="remove it, or pass --allow-service if you mean it (allow_service=True)")
