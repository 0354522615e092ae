"""Reading TextFSM records: which command feeds which part of the model, and the small
normalisations every join needs (first non-empty field, integers, seconds, prefixes, SPIs).

Templates of different origins name the same fact differently (ours, ntc-templates'):
:func:`pick` takes the first non-empty of several field names.
"""

from __future__ import annotations

import ipaddress
from typing import Any

# Which command feeds which part of the model, best source first (data, not branches).
SOURCES: dict[str, tuple[str, ...]] = {
    # IOS prints the state in the plain table only; the ASA's detail form has everything.
    "ike1": (
        "show crypto isakmp sa",
        "show crypto ikev1 sa detail",
        "show crypto isakmp sa detail",
        "show crypto ikev1 sa",
    ),
    "ike2": (
        "show crypto ikev2 sa detailed",
        "show crypto ikev2 sa detail",
        "show crypto ikev2 sa",
    ),
    "ipsec": ("show crypto ipsec sa", "show crypto ipsec sa detail"),
    "ipsec_detail": ("show crypto ipsec sa detail",),
    "session": ("show crypto session detail", "show crypto session"),
    "map": (
        "show crypto map",
        "show running-config crypto",
        "show running-config | section crypto",
    ),
    "acl": ("show access-lists", "show access-list"),
    "log": ("show logging",),
    "debug": ("show debugging", "show debug", "show crypto debug-condition"),
}


def pick(record: dict[str, Any], *keys: str) -> Any:
    """The first non-empty value among ``keys``.

    >>> pick({"a": "", "b": "x"}, "a", "b")
    'x'
    >>> pick({"a": ""}, "a", "z") is None
    True
    """
    for key in keys:
        value = record.get(key)
        if value not in (None, "", []):
            return value
    return None


def as_int(value: Any) -> int | None:
    """An integer from a TextFSM string (``"1,234"``, ``"12"``), or None.

    >>> as_int("1,234"), as_int(""), as_int(None), as_int("x")
    (1234, None, None, None)
    """
    if value in (None, ""):
        return None
    try:
        return int(str(value).replace(",", ""))
    except ValueError:
        return None


def seconds(value: Any) -> int | None:
    """Seconds from ``"23:59:10"``, ``"1d02h"``-less forms, or a plain number.

    >>> seconds("23:59:10"), seconds("86000"), seconds("0"), seconds("")
    (86350, 86000, 0, None)
    """
    if value in (None, ""):
        return None
    text = str(value)
    if ":" in text:
        parts = [int(p) for p in text.split(":") if p.isdigit()]
        total = 0
        for part in parts:
            total = total * 60 + part
        return total
    return as_int(text)


def prefix(addr: Any, mask: Any) -> str:
    """``10.1.0.0/24`` from an address and a dotted mask (or a wildcard).

    >>> prefix("10.1.0.0", "255.255.255.0"), prefix("10.1.0.0", "0.0.0.255")
    ('10.1.0.0/24', '10.1.0.0/24')
    >>> prefix("host", None), prefix("10.9.9.9", "")
    ('host', '10.9.9.9/32')
    """
    if not addr:
        return ""
    if not mask:
        mask = "255.255.255.255"
    try:
        if str(mask).startswith("0."):  # an IOS wildcard mask
            mask = str(
                ipaddress.IPv4Address(
                    int(ipaddress.IPv4Address("255.255.255.255"))
                    ^ int(ipaddress.IPv4Address(str(mask)))
                )
            )
        return str(ipaddress.IPv4Network(f"{addr}/{mask}", strict=False))
    except ValueError:
        return str(addr)


def hex_spi(value: Any) -> str | None:
    """SPIs normalised to ``0x`` + upper-case hex.

    >>> hex_spi("dc15bf68"), hex_spi("0x1E8246FC"), hex_spi(""), hex_spi("0x0")
    ('0xDC15BF68', '0x1E8246FC', None, '0x0')
    """
    if value in (None, ""):
        return None
    text = str(value).strip()
    text = text[2:] if text.lower().startswith("0x") else text
    return "0x" + text.upper() if text else None


def as_list(value: Any) -> list[Any]:
    if value in (None, ""):
        return []
    return list(value) if isinstance(value, list) else [value]


def first_records(
    parsed: dict[str, list[dict[str, Any]]], kind: str
) -> tuple[str | None, list[dict[str, Any]]]:
    """The records of the best command present for ``kind`` (see SOURCES), and its name."""
    for command in SOURCES[kind]:
        if command in parsed:
            return command, parsed[command]
    return None, []
