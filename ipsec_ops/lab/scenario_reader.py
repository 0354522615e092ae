"""Typed reading of scenario YAML: every error names the file, the line and the field.

Shared by :mod:`ipsec_ops.lab.scenario` and the sections it delegates
(:mod:`ipsec_ops.lab.scenario_ezvpn`).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import Any, TypeVar

from ipsec_ops.errors import InputFileError
from ipsec_ops.yamlfile import Where

T = TypeVar("T")


class Reader:
    """Typed access to one mapping of the file, with errors that name the field."""

    def __init__(self, data: Any, where: Where, dotted: str) -> None:
        if not isinstance(data, dict):
            raise where.error(dotted, f"expected a mapping, got {type(data).__name__}")
        self.data, self.where, self.dotted = data, where, dotted

    def field(self, key: str) -> str:
        return f"{self.dotted}.{key}" if self.dotted else key

    def error(self, key: str, problem: str) -> InputFileError:
        return self.where.error(self.field(key), problem)

    def get(self, key: str, kind: Callable[[Any], T], default: T | None = None) -> T:
        if key not in self.data or self.data[key] is None:
            if default is None:
                raise self.error(key, "required field is missing")
            return default
        try:
            return kind(self.data[key])
        except (TypeError, ValueError) as exc:
            raise self.error(key, f"bad value {self.data[key]!r}: {exc}") from None

    def opt(self, key: str, kind: Callable[[Any], T]) -> T | None:
        if self.data.get(key) is None:
            return None
        return self.get(key, kind)

    def items(self, key: str) -> list[tuple[str, Any]]:
        value = self.data.get(key) or []
        if not isinstance(value, list):
            raise self.error(key, "expected a list")
        return [(f"{self.field(key)}.{i}", v) for i, v in enumerate(value)]

    def check_keys(self, allowed: set[str]) -> None:
        for key in self.data:
            if key not in allowed:
                raise self.error(
                    str(key), f"unknown field (expected one of: {', '.join(sorted(allowed))})"
                )


def as_str_tuple(v: Any) -> tuple[str, ...]:
    if not isinstance(v, list):
        raise ValueError("expected a list")
    return tuple(str(x) for x in v)


def as_flag(v: Any) -> bool:
    if not isinstance(v, bool):
        raise ValueError("expected true or false")
    return v


def as_str(v: Any) -> str:
    if isinstance(v, (dict, list)):
        raise ValueError("expected a single value")
    return str(v)


def faults_of(allowed: tuple[str, ...]) -> Callable[[Any], tuple[str, ...]]:
    def parse(v: Any) -> tuple[str, ...]:
        items = [v] if isinstance(v, str) else list(v)
        for item in items:
            if item not in allowed:
                raise ValueError(f"unknown fault {item!r} (known: {', '.join(allowed)})")
        return tuple(items)

    return parse


def as_network(v: Any) -> ipaddress.IPv4Network:
    return ipaddress.IPv4Network(str(v), strict=True)
