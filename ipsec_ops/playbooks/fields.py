"""Reading one mapping of a playbook field by field; every error names file, line and field."""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from typing import Any

from ipsec_ops import durations
from ipsec_ops.errors import InputFileError
from ipsec_ops.platforms import PLATFORMS
from ipsec_ops.playbooks.spec import Site
from ipsec_ops.selection import Selection
from ipsec_ops.yamlfile import Where

_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}
SELECT_FIELDS = ("hosts", "groups", "platforms", "filters")


def kind_of(value: Any) -> str:
    """A value's kind as a YAML user would name it.

    >>> kind_of({}), kind_of([]), kind_of(None), kind_of(3)
    ('a mapping', 'a list', 'nothing', 'a number')
    """
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    return "a string"


class Fields:
    """One mapping of the file (the playbook, a step, a selector) read and checked."""

    def __init__(self, data: Any, dotted: str, where: Where, known: tuple[str, ...]) -> None:
        self.dotted, self.where = dotted, where
        if not isinstance(data, dict):
            raise self.error("", f"expected a mapping, got {kind_of(data)}")
        self.data: dict[str, Any] = data
        for key in data:
            if key not in known:
                raise self.error(str(key), f"unknown field (known: {', '.join(known)})")

    def at(self, key: str) -> str:
        if not key:
            return self.dotted
        return f"{self.dotted}.{key}" if self.dotted else key

    def site(self, key: str) -> Site:
        return Site(self.at(key), self.where.line(self.at(key)))

    def error(self, key: str, problem: str) -> InputFileError:
        return self.where.error(self.at(key), problem)

    def has(self, key: str) -> bool:
        return self.data.get(key) is not None

    def require(self, key: str, what: str) -> Any:
        """The value of a required field; the error names what it is for."""
        if not self.has(key):
            raise self.error(key, f"missing required field ({what})")
        return self.data[key]

    def text(self, key: str, default: str | None = None, required: str = "") -> str | None:
        """A string field (numbers and booleans as YAML wrote them)."""
        value = self.require(key, required) if required else self.data.get(key, default)
        if value is None:
            return default
        if isinstance(value, dict | list):
            raise self.error(key, f"expected a string, got {kind_of(value)}")
        return str(value) if not isinstance(value, bool) else str(value).lower()

    def path(self, key: str, required: str = "") -> Path | None:
        """A file or folder path field."""
        value = self.text(key, required=required)
        if value is not None and not value.strip():
            raise self.error(key, "empty path")
        return Path(value) if value is not None else None

    def choice(self, key: str, choices: tuple[str, ...], default: str | None) -> str | None:
        """A string field that must be one of ``choices``."""
        value = self.text(key, default)
        if value is not None and value not in choices:
            raise self.error(key, f"{value!r} is not one of {', '.join(choices)}")
        return value

    def number(self, key: str, default: float, minimum: float = 0.0) -> float:
        """A number of seconds (``90``, ``2m``, ``24h``), at least ``minimum``."""
        value = self.data.get(key)
        if value is None:
            return default
        try:
            number = (
                durations.seconds(str(value)) if not isinstance(value, bool | dict | list) else None
            )
        except ValueError:
            number = None
        if number is None:
            raise self.error(key, f"expected a number of seconds, got {value!r}")
        if number < minimum:
            raise self.error(key, f"must be at least {minimum:g}, not {value!r}")
        return number

    def integer(self, key: str, default: int, minimum: int = 0) -> int:
        """A whole number, at least ``minimum``."""
        value = self.data.get(key)
        if value is None:
            return default
        if isinstance(value, bool) or not re.fullmatch(r"\s*-?\d+\s*", str(value)):
            raise self.error(key, f"expected a whole number, got {value!r}")
        if int(value) < minimum:
            raise self.error(key, f"must be at least {minimum}, not {value!r}")
        return int(value)

    def flag(self, key: str, default: bool) -> bool:
        """A boolean (also ``true``/``false``/``yes``/``no`` as text, after substitution)."""
        value = self.data.get(key)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        word = str(value).strip().lower()
        if word in _TRUE | _FALSE:
            return word in _TRUE
        raise self.error(key, f"expected true or false, got {value!r}")

    def names(self, key: str, choices: tuple[str, ...] | None = None) -> tuple[str, ...]:
        """A string or a list of strings (each one of ``choices`` when given)."""
        value = self.data.get(key)
        if value is None:
            return ()
        items = value if isinstance(value, list) else [value]
        out = []
        for i, item in enumerate(items):
            where = f"{key}.{i}" if isinstance(value, list) else key
            if isinstance(item, dict | list) or item is None:
                raise self.error(where, f"expected a string, got {kind_of(item)}")
            text = str(item)
            if choices is not None and text not in choices:
                raise self.error(where, f"{text!r} is not one of {', '.join(choices)}")
            out.append(text)
        return tuple(out)

    def addresses(self, key: str) -> tuple[str, ...]:
        """A string or list of strings that are IPv4 addresses."""
        out = self.names(key)
        for i, text in enumerate(out):
            try:
                ipaddress.IPv4Address(text)
            except ValueError:
                where = f"{key}.{i}" if isinstance(self.data.get(key), list) else key
                raise self.error(where, f"{text!r} is not an IPv4 address") from None
        return out

    def selection(
        self, key: str
    ) -> tuple[Selection | None, list[tuple[Site, str]], list[tuple[Site, str]]]:
        """A selector block: the Selection and the host and group names to check later."""
        if not self.has(key):
            return None, [], []
        sub = Fields(self.data[key], self.at(key), self.where, SELECT_FIELDS)
        return sub.as_selection()

    def as_selection(
        self,
    ) -> tuple[Selection | None, list[tuple[Site, str]], list[tuple[Site, str]]]:
        """Read hosts / groups / platforms / filters of this mapping as one Selection."""
        hosts, groups = self.names("hosts"), self.names("groups")
        platforms = self.names("platforms", PLATFORMS)
        filters = []
        for i, text in enumerate(self.names("filters")):
            k, sep, v = text.partition("=")
            if not sep or not k.strip():
                where = f"filters.{i}" if isinstance(self.data["filters"], list) else "filters"
                raise self.error(where, f"{text!r}: expected KEY=VALUE (e.g. site=hq)")
            filters.append((k.strip(), v))
        if not (hosts or groups or platforms or filters):
            return None, [], []
        host_sites = [(self.site("hosts"), h) for h in hosts]
        group_sites = [(self.site("groups"), g) for g in groups]
        return Selection(hosts, groups, platforms, tuple(filters)), host_sites, group_sites
