"""Durations as engineers type them (``30``, ``90s``, ``30m``, ``24h``, ``7d``, ``2w``).

One parser for every option and playbook field that takes a duration.
"""

from __future__ import annotations

import re

UNITS = {"": 1.0, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 604800.0}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*$", re.IGNORECASE)


def seconds(text: str) -> float:
    """Seconds in ``text``: a number with an optional s, m, h, d or w unit; ValueError else.

    >>> seconds("24h"), seconds("90m"), seconds("30"), seconds("2.5s"), seconds("1w")
    (86400.0, 5400.0, 30.0, 2.5, 604800.0)
    >>> seconds("soon")
    Traceback (most recent call last):
    ...
    ValueError: 'soon': expected a number with an optional unit s, m, h, d or w (e.g. 24h)
    """
    match = _DURATION.match(text)
    if match is None:
        raise ValueError(f"{text!r}: expected a number with an optional unit s, m, h, d or w"
                         " (e.g. 24h)")  # fmt: skip
    return float(match.group(1)) * UNITS[match.group(2).lower()]
