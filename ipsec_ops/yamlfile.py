"""Read a user's YAML file and remember where every value came from.

Every file a user gives us can be wrong; the error must name the file, the line
and the field. :func:`load` returns the data and a :class:`Where` that answers
"which line holds hosts.r1.platform?".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ipsec_ops.errors import InputFileError


@dataclass
class Where:
    """Line numbers (1-based) of mapping keys and sequence items, by dotted path."""

    path: str
    lines: dict[str, int] = field(default_factory=dict)

    def line(self, dotted: str) -> int | None:
        """The line of ``dotted``, or of its nearest parent that has one."""
        probe = dotted
        while probe:
            if probe in self.lines:
                return self.lines[probe]
            probe = probe.rpartition(".")[0]
        return None

    def error(self, dotted: str, problem: str) -> InputFileError:
        return InputFileError(self.path, dotted, problem, self.line(dotted))


class DuplicateKey(Exception):
    def __init__(self, dotted: str, line: int, first: int) -> None:
        super().__init__(dotted)
        self.dotted, self.line, self.first = dotted, line, first


def _walk(node: yaml.Node, prefix: str, lines: dict[str, int]) -> Any:
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node)
            dotted = f"{prefix}.{key}" if prefix else str(key)
            if key in out:  # YAML loaders keep the last silently; a duplicate host is a mistake
                raise DuplicateKey(dotted, key_node.start_mark.line + 1, lines[dotted])
            lines[dotted] = key_node.start_mark.line + 1
            out[key] = _walk(value_node, dotted, lines)
        return out
    if isinstance(node, yaml.SequenceNode):
        items = []
        for i, item in enumerate(node.value):
            dotted = f"{prefix}.{i}" if prefix else str(i)
            lines[dotted] = item.start_mark.line + 1
            items.append(_walk(item, dotted, lines))
        return items
    return _CONSTRUCTOR.construct_object(node, deep=True)


# One SafeLoader used only as a constructor of scalars (ints, bools, nulls, strings).
_CONSTRUCTOR = yaml.SafeLoader("")


def loads(text: str, path: str) -> tuple[Any, Where]:
    """Parse YAML ``text`` (from ``path``, for messages) into data and line numbers.

    >>> data, where = loads("a:\\n  b: 1\\n", "x.yaml")
    >>> data, where.line("a.b")
    ({'a': {'b': 1}}, 2)
    >>> try:
    ...     loads("a: 1\\na: 2\\n", "dup.yaml")
    ... except InputFileError as exc:
    ...     print(exc)
    dup.yaml:2: a: duplicate key (first defined on line 1)
    >>> try:
    ...     loads("a: [1,\\n", "bad.yaml")
    ... except InputFileError as exc:
    ...     print(exc.path, exc.line, exc.problem[:17])
    bad.yaml 2 YAML syntax error
    """
    where = Where(path)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark is not None else None
        raise InputFileError(path, "", f"YAML syntax error: {exc.problem}", line) from None
    except yaml.YAMLError as exc:
        raise InputFileError(path, "", f"YAML error: {exc}") from None
    if node is None:
        return None, where
    try:
        return _walk(node, "", where.lines), where
    except DuplicateKey as dup:
        problem = f"duplicate key (first defined on line {dup.first})"
        raise InputFileError(path, dup.dotted, problem, dup.line) from None
    except yaml.YAMLError as exc:
        raise InputFileError(path, "", f"YAML error: {exc}") from None


def load(path: Path) -> tuple[Any, Where]:
    """Read and parse the YAML file at ``path``; raises InputFileError if missing or unreadable."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputFileError(str(path), "", "file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputFileError(str(path), "", f"cannot read: {exc}") from None
    return loads(text, str(path))
