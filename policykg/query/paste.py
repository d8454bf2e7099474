"""Identifiers as the commands print them, accepted by `policykg sparql` as written.

Commands print our individuals as `pid:KEY` (`pid:sector/automobiles`). In SPARQL a prefixed
name cannot contain `/` unless it is escaped (`pid:sector\\/automobiles`), so `sparql` escapes
the slashes of `pid:` names before parsing. The rewrite works on the lexed query (strings, IRIs
and comments are left alone) and only where the text after a `/` continues the key: a path
such as `pid:a/pkg:b` or `?x pkg:partOf/pkg:partOf ?y` is unchanged, because a key segment
never holds a `:`. The queries also run with the BASE `https://w3id.org/policykg/id/`, so
`<doc/miit-2022-160>` (a key in angle brackets) names the same entity; a query's own BASE wins.

    >>> escape_keys("SELECT * { pid:doc/miit-2022-160 ?p ?o }")
    'SELECT * { pid:doc\\\\/miit-2022-160 ?p ?o }'
"""

from __future__ import annotations

import re

from policykg.model.namespaces import PID

BASE = PID

# strings, IRIs and comments: copied as they are
_SKIP = re.compile(r'''"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^'\\]|\\.|'(?!''))*\'\'\'|"(?:[^"\\\n]|\\.)*"'''
                   r'''|'(?:[^'\\\n]|\\.)*'|<[^<>"{}|^`\\\x00-\x20]*>|#[^\n]*''')
# pid: followed by key segments joined by '/'; a segment is not followed by ':' (that would be a
# prefixed name in a property path) and is not the keyword 'a' alone
_KEY = re.compile(r"(?<![\w?$:.\\-])pid:((?:[A-Za-z0-9_.-]|\\/)+(?:/(?![A-Za-z][\w.-]*:)(?!a(?![\w.:-]))"
                  r"[A-Za-z0-9_-](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?)+)")


def escape_keys(text: str) -> str:
    """The query with `pid:KEY/WITH/SLASHES` written as SPARQL wants it (`pid:KEY\\/WITH\\/SLASHES`)."""
    out, pos = [], 0
    for m in _SKIP.finditer(text):
        out.append(_escape(text[pos:m.start()]))
        out.append(m.group(0))
        pos = m.end()
    out.append(_escape(text[pos:]))
    return "".join(out)


def _escape(chunk: str) -> str:
    return _KEY.sub(lambda m: "pid:" + re.sub(r"(?<!\\)/", r"\\/", m.group(1)), chunk)
