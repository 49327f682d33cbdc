"""Safe YAML loading that remembers the line of every key and item, so configuration errors can name it.

Used by the expectations file and the waivers file: pydantic validates the plain data afterwards, and its error
locations are mapped back to lines with :func:`line_for`.
"""

from __future__ import annotations

from typing import Any

import yaml

from .errors import ConfigError


def compose_with_lines(text: str, source: str, empty_fix: str) -> tuple[Any, dict[tuple, int]]:
    """Plain data from YAML text plus ``{path: line}``; syntax errors and duplicate keys raise ConfigError."""
    lines: dict[tuple, int] = {}
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ConfigError(f"{source}:{mark.line + 1 if mark else 0}: YAML syntax error: {getattr(exc, 'problem', exc)}",
                          fix="check indentation and quoting near that line") from None
    if node is None:
        raise ConfigError(f"{source}:1: the file is empty", fix=empty_fix)
    constructor = yaml.SafeLoader("")

    def build(n: yaml.Node, path: tuple) -> Any:
        lines[path] = n.start_mark.line + 1
        if isinstance(n, yaml.MappingNode):
            out: dict[str, Any] = {}
            for k, v in n.value:
                key = str(k.value)
                if key in out:
                    raise ConfigError(f"{source}:{k.start_mark.line + 1}: duplicate key {key!r}",
                                      fix="remove one of the two entries")
                out[key] = build(v, path + (key,))
                lines[path + (key,)] = k.start_mark.line + 1
            return out
        if isinstance(n, yaml.SequenceNode):
            return [build(v, path + (i,)) for i, v in enumerate(n.value)]
        try:
            return constructor.construct_object(n, deep=True)
        except (ValueError, yaml.YAMLError):   # e.g. a date like 2027-13-45: let pydantic name the field
            return n.value

    return build(node, ()), lines


def line_for(loc: tuple, lines: dict[tuple, int]) -> int:
    """The line of the deepest known part of a pydantic error location."""
    path = tuple(loc)
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return lines.get((), 1)
