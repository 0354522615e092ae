"""A small checker of the Prometheus text exposition format (0.0.4).

It enforces what node_exporter's textfile collector and Prometheus reject or
misread: HELP/TYPE before a metric's samples, one TYPE per metric, a metric's
samples together, valid metric and label names, escaped label values, float
values, no duplicate series.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

METRIC_NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL_NAME = r"[a-zA-Z_][a-zA-Z0-9_]*"
LABEL_VALUE = r'"((?:[^"\\\n]|\\[\\"n])*)"'
HELP = re.compile(rf"^# HELP ({METRIC_NAME}) ((?:[^\\\n]|\\[\\n])*)$")
TYPE = re.compile(rf"^# TYPE ({METRIC_NAME}) (counter|gauge|histogram|summary|untyped)$")
SAMPLE = re.compile(rf"^({METRIC_NAME})(?:\{{(.*)\}})? (\S+)(?: (-?\d+))?$")
PAIR = re.compile(rf"({LABEL_NAME})={LABEL_VALUE}(,|$)")
_UNESCAPE = {"\\\\": "\\", '\\"': '"', "\\n": "\n"}


@dataclass
class Parsed:
    """What the checker read: metric types and samples (name, labels, value)."""

    types: dict[str, str] = field(default_factory=dict)
    helps: dict[str, str] = field(default_factory=dict)
    samples: list[tuple[str, dict[str, str], float]] = field(default_factory=list)

    def value(self, name: str, **labels: str) -> float:
        """The value of the one sample of ``name`` with exactly ``labels``."""
        found = [v for n, ls, v in self.samples if n == name and ls == labels]
        assert len(found) == 1, f"{name}{labels}: {len(found)} samples"
        return found[0]


def unescape(value: str) -> str:
    """A label value as it was before escaping."""
    return re.sub(r"\\[\\\"n]", lambda m: _UNESCAPE[m.group(0)], value)


def parse_labels(text: str, where: str) -> dict[str, str]:
    """The labels of ``{...}`` (without braces); AssertionError on any syntax error."""
    labels: dict[str, str] = {}
    pos = 0
    while pos < len(text):
        m = PAIR.match(text, pos)
        assert m, f"{where}: bad label syntax at {text[pos:]!r}"
        assert m.group(1) not in labels, f"{where}: label {m.group(1)} twice"
        labels[m.group(1)] = unescape(m.group(2))
        pos = m.end()
    return labels


def parse_value(text: str, where: str) -> float:
    """A sample value: a Go float (``+Inf``, ``-Inf``, ``NaN`` included)."""
    try:
        return float(text)
    except ValueError:
        raise AssertionError(f"{where}: value {text!r} is not a float") from None


def check_exposition(text: str) -> Parsed:
    """Parse ``text`` strictly; AssertionError naming the line on the first problem."""
    assert text.endswith("\n"), "the exposition must end with a line feed"
    out = Parsed()
    seen_series: set[tuple[str, tuple[tuple[str, str], ...]]] = set()
    done: set[str] = set()  # metrics whose samples are over
    current = ""
    for n, line in enumerate(text[:-1].split("\n"), 1):
        where = f"line {n} {line!r}"
        if not line:
            continue
        if line.startswith("#"):
            if m := HELP.match(line):
                assert m.group(1) not in out.helps, f"{where}: HELP twice"
                out.helps[m.group(1)] = m.group(2)
            elif m := TYPE.match(line):
                assert m.group(1) not in out.types, f"{where}: TYPE twice"
                assert not any(s[0] == m.group(1) for s in out.samples), f"{where}: late TYPE"
                out.types[m.group(1)] = m.group(2)
            else:
                assert not line.startswith(("# HELP", "# TYPE")), f"{where}: bad HELP/TYPE"
            continue
        m = SAMPLE.match(line)
        assert m, f"{where}: not a sample line"
        name = m.group(1)
        assert name in out.types and name in out.helps, f"{where}: sample before HELP/TYPE"
        assert name not in done, f"{where}: samples of {name} are not together"
        if current and current != name:
            done.add(current)
        current = name
        labels = parse_labels(m.group(2) or "", where)
        value = parse_value(m.group(3), where)
        if out.types[name] == "counter":
            assert value >= 0 or math.isnan(value), f"{where}: negative counter"
        series = (name, tuple(sorted(labels.items())))
        assert series not in seen_series, f"{where}: duplicate series"
        seen_series.add(series)
        out.samples.append((name, labels, value))
    return out
