"""Text from the data or from a user's input on its way to a terminal: control characters escaped.

A label holding ESC [ 31 m, an OSC sequence or a BEL would otherwise drive the terminal (colours,
titles, hyperlinks, even clipboard writes on some terminals). `escape()` writes every C0 and C1
control character except newline and tab as a visible escape: `\\x1b`, `\\x07`, `\\u009b`.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CONTROL_AND_BREAKS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
MAX_LINE = 500          # an error line quotes values; past this length it is clipped


def _visible(m: re.Match) -> str:
    c = ord(m.group())
    return f"\\x{c:02x}" if c < 0x80 else f"\\u{c:04x}"


def escape(text: str) -> str:
    """`text` with control characters (but newline and tab) shown as escapes."""
    return _CONTROL.sub(_visible, text)


def one_line(text: str, limit: int = MAX_LINE) -> str:
    """`text` as one bounded line: every control character and line break escaped, clipped to `limit`."""
    out = _CONTROL_AND_BREAKS.sub(_visible, text)
    return out if len(out) <= limit else out[:limit - 1] + "…"
