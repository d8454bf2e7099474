"""YAML that remembers line numbers, so errors can point at the offending line.

Every scalar stays a string (no YAML 1.1 guessing of dates, numbers or booleans): the caller
types values by the ontology's ranges and can say exactly what is wrong with them.

Input is bounded before it can exhaust memory (docs/reliability.md): files past MAX_FILE_BYTES,
nesting deeper than MAX_DEPTH, scalars longer than MAX_SCALAR_CHARS, anchors and aliases (which
let a few lines expand into billions of nodes) and control characters (which would reach a
terminal) are refused with the line they are on.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from policykg.errors import InputError
from policykg.inputs import read_text

MAX_FILE_BYTES = 1_000_000        # the largest encoding is ~27 KB
MAX_DEPTH = 32                    # encodings nest about 6 deep
MAX_SCALAR_CHARS = 10_000         # the longest value is a few hundred characters
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")       # all but tab and newline


class Map(dict):
    """A mapping with the line of each key (1-based)."""
    line: int = 0
    key_lines: dict


class Seq(list):
    """A sequence with the line of each item (1-based)."""
    line: int = 0
    item_lines: list


class Str(str):
    """A scalar with its line (1-based)."""
    line: int = 0


def _convert(node, path):
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out = Map()
        out.line, out.key_lines = line, {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise InputError("a mapping key must be a plain string", path=path,
                                 line=key_node.start_mark.line + 1, fix="write the key as text")
            key = key_node.value
            if key in out:
                raise InputError(f"duplicate key '{key}'", path=path, line=key_node.start_mark.line + 1,
                                 fix=f"merge it with the entry on line {out.key_lines[key]}")
            out[key] = _convert(value_node, path)
            out.key_lines[key] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        out = Seq(_convert(item, path) for item in node.value)
        out.line = line
        out.item_lines = [item.start_mark.line + 1 for item in node.value]
        return out
    m = _CONTROL.search(node.value)
    if m:
        raise InputError(f"control character {_codepoint(m.group())} in a value", path=path, line=line,
                         fix="remove it: values are plain text")
    if len(node.value) > MAX_SCALAR_CHARS:
        raise InputError(f"a value of {len(node.value)} characters (at most {MAX_SCALAR_CHARS})", path=path, line=line,
                         fix="shorten it: encodings hold labels, keys and locators, not texts")
    s = Str(node.value)
    s.line = line
    return s


def _codepoint(ch: str) -> str:
    return f"U+{ord(ch):04X}"


class _Loader(yaml.BaseLoader):
    """BaseLoader that refuses anchors, aliases and deep nesting while composing."""

    def __init__(self, stream, path):
        super().__init__(stream)
        self.path, self.depth = path, 0

    def compose_node(self, parent, index):
        event = self.peek_event()
        line = event.start_mark.line + 1
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise InputError(f"YAML {'alias' if isinstance(event, yaml.AliasEvent) else 'anchor'} "
                             f"'{event.anchor}'", path=self.path, line=line,
                             fix="write the value out: encodings do not use anchors (&) or aliases (*)")
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise InputError(f"nested more than {MAX_DEPTH} levels deep", path=self.path, line=line,
                             fix="flatten it: see docs/encoding.md for the shape of an encoding")
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


# libyaml's parser, when PyYAML was built with it, composes the same nodes about ten times faster.
# It is used for text that cannot hold what the careful loader refuses (anchors, aliases, deep
# nesting, unprintable characters); anything else, and every error, goes the careful way, so the
# messages stay the same.
_CLOADER = getattr(yaml, "CBaseLoader", None)
if _CLOADER is not None:
    class _CFastLoader(_CLOADER):
        """libyaml's loader with the base resolver's answer looked up: BaseResolver has no implicit
        and no path resolvers, so every node gets its kind's default tag (which is not read
        anyway: scalars stay strings). Its resolver in Python was a fifth of the parse."""
        _TAGS = {yaml.ScalarNode: yaml.resolver.BaseResolver.DEFAULT_SCALAR_TAG,
                 yaml.SequenceNode: yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG,
                 yaml.MappingNode: yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG}

        def resolve(self, kind, value, implicit):
            return self._TAGS[kind]

        def descend_resolver(self, current_node, current_index):
            pass

        def ascend_resolver(self):
            pass

    _CLOADER = _CFastLoader
_MAYBE_ANCHOR = re.compile(r"(^|[\s\[{,:?-])[&*]\S")


def _fast(text: str):
    if _CLOADER is None or _MAYBE_ANCHOR.search(text) or yaml.reader.Reader.NON_PRINTABLE.search(text):
        return None
    try:
        node = yaml.compose(text, Loader=_CLOADER)
    except yaml.YAMLError:
        return None
    stack = [(node, 1)] if node is not None else []
    while stack:                                  # the careful loader's depth limit
        n, depth = stack.pop()
        if depth > MAX_DEPTH - 1:
            return None
        if isinstance(n, yaml.MappingNode):
            stack += [(v, depth + 1) for pair in n.value for v in pair]
        elif isinstance(n, yaml.SequenceNode):
            stack += [(v, depth + 1) for v in n.value]
    return node


def load(path: Path):
    """Parse one YAML file into Map/Seq/Str; syntax errors become an InputError with the line."""
    path = Path(path)
    text = read_text(path, MAX_FILE_BYTES, "an encoding file")
    node = _fast(text)
    if node is not None:
        return _convert(node, path)
    loader = None
    try:
        loader = _Loader(text, path)            # the reader refuses control characters here
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as e:
        raise syntax_error(e, path, text) from None
    except yaml.reader.ReaderError as e:
        line = text.count("\n", 0, e.position) + 1
        raise InputError(f"control character {_codepoint(chr(e.character))} in the text" if isinstance(e.character, int)
                         else f"unreadable character in the text: {e.reason}", path=path, line=line,
                         fix="remove it: encodings are plain text") from None
    finally:
        if loader is not None:
            loader.dispose()
    if node is None:
        raise InputError("the file is empty", path=path, fix="add a 'source:' and an 'entities:' section")
    return _convert(node, path)


def syntax_error(e: yaml.MarkedYAMLError, path: Path, text: str = "") -> InputError:
    """One line for a YAML syntax error, at the line where the broken construct starts.

    A missing closing quote makes YAML read on to the next quote, lines later, and fail there; the
    error then names the line where that quoted value began."""
    context = e.context or ""
    if context.startswith("while scanning a quoted scalar") and e.context_mark:
        return InputError("a quoted value is not closed", path=path, line=e.context_mark.line + 1,
                          fix="add the closing quote on that line")
    mark = e.problem_mark or e.context_mark
    runaway = _runaway_quote(text, mark.line) if mark and text else None
    if runaway is not None:
        return InputError(f"a quoted value runs on from this line to line {mark.line + 1}", path=path,
                          line=runaway + 1, fix="add the missing closing quote on this line")
    return InputError(f"YAML syntax error: {e.problem or context}", path=path, line=mark.line + 1 if mark else None,
                      fix="check indentation and quoting on that line")


def _runaway_quote(text: str, error_line: int) -> int | None:
    """The start line of a quoted scalar that spans lines and ends on the line of the error, if any."""
    last = None
    try:
        for tok in yaml.scan(text, Loader=yaml.BaseLoader):
            if tok.start_mark.line > error_line:
                break
            if isinstance(tok, yaml.ScalarToken) and tok.style in ('"', "'"):
                last = tok
    except yaml.YAMLError:
        pass
    if last is not None and last.start_mark.line < last.end_mark.line == error_line:
        return last.start_mark.line
    return None
