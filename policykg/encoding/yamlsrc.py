"""YAML that remembers line numbers, so errors can point at the offending line.

Every scalar stays a string (no YAML 1.1 guessing of dates, numbers or booleans): the caller
types values by the ontology's ranges and can say exactly what is wrong with them.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from policykg.errors import InputError


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
    s = Str(node.value)
    s.line = line
    return s


def load(path: Path):
    """Parse one YAML file into Map/Seq/Str; syntax errors become an InputError with the line."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise InputError(f"not UTF-8 text ({e.reason} at byte {e.start})", path=path,
                         fix="save the file as UTF-8") from None
    try:
        node = yaml.compose(text, Loader=yaml.BaseLoader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        raise InputError(f"YAML syntax error: {e.problem or e.context}", path=path,
                         line=mark.line + 1 if mark else None,
                         fix="check indentation and quoting on that line") from None
    if node is None:
        raise InputError("the file is empty", path=path, fix="add a 'source:' and an 'entities:' section")
    return _convert(node, path)
