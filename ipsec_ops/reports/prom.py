"""Prometheus text exposition format (0.0.4), for node_exporter's textfile collector.

Each metric has ``# HELP`` and ``# TYPE`` before its samples; samples come in
device-name then peer-address order, so the file is the same for the same report.
Samples carry no timestamps (the textfile collector refuses them); the report
time is its own gauge. Write the file with :func:`ipsec_ops.reports.write_report`,
which renames it into place, so the collector never reads half a file.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from ipsec_ops.isotime import epoch
from ipsec_ops.model import Report, Tunnel
from ipsec_ops.reports import common

HEALTH_VALUES = {"up": 0, "degraded": 1, "down": 2, "unknown": 3}
_LABEL_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n"})
_HELP_ESCAPES = str.maketrans({"\\": "\\\\", "\n": "\\n"})

Sample = tuple[dict[str, str], float]


def escape_label(value: str) -> str:
    """A label value escaped for the exposition format (backslash, double quote, newline).

    >>> print(escape_label('a"b\\\\c'))
    a\\"b\\\\c
    """
    return value.translate(_LABEL_ESCAPES)


def format_value(value: float) -> str:
    """A sample value: integers without a decimal point, other floats as Python prints them.

    >>> format_value(3), format_value(1764144000.0), format_value(0.5)
    ('3', '1764144000', '0.5')
    """
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def family(name: str, kind: str, help_text: str, samples: Iterable[Sample]) -> list[str]:
    """The lines of one metric family: HELP, TYPE, then one line per sample."""
    lines = [f"# HELP {name} {help_text.translate(_HELP_ESCAPES)}", f"# TYPE {name} {kind}"]
    for labels, value in samples:
        pairs = ",".join(f'{k}="{escape_label(v)}"' for k, v in labels.items())
        lines.append(
            f"{name}{{{pairs}}} {format_value(value)}" if pairs else f"{name} {format_value(value)}"
        )
    return lines


def _labels(t: Tunnel) -> dict[str, str]:
    return {"device": t.device, "peer": t.peer}


def _tunnel_up(t: Tunnel) -> float:
    """1 when the tunnel carries traffic (up or degraded with an IPsec SA), else 0."""
    return 1 if t.health in ("up", "degraded") and t.has_ipsec_sa else 0


def _tunnel_families(tunnels: list[Tunnel]) -> list[str]:
    """Every per-tunnel metric family."""
    lines = family(
        "ipsec_tunnel_up",
        "gauge",
        "1 when the tunnel is up or degraded and has an IPsec SA, else 0.",
        [(_labels(t), _tunnel_up(t)) for t in tunnels],
    )
    lines += family(
        "ipsec_tunnel_health",
        "gauge",
        "Tunnel health: 0 up, 1 degraded, 2 down, 3 unknown.",
        [(_labels(t), HEALTH_VALUES.get(t.health, 3)) for t in tunnels],
    )
    counters = (
        ("packets_encaps", "encaps", "Packets encapsulated"),
        ("packets_decaps", "decaps", "Packets decapsulated"),
        ("send_errors", "send_errors", "Send errors"),
        ("recv_errors", "recv_errors", "Receive errors"),
    )
    for metric, key, text in counters:
        lines += family(
            f"ipsec_tunnel_{metric}_total",
            "counter",
            f"{text}, summed over the tunnel's IPsec SAs (resets when SAs rekey).",
            [(_labels(t), common.totals(t)[key]) for t in tunnels],
        )
    lines += family(
        "ipsec_tunnel_findings",
        "gauge",
        "Findings of the tunnel by code (the number of findings with that code).",
        [
            ({**_labels(t), "code": code}, n)
            for t in tunnels
            for code, n in sorted(Counter(f.code for f in t.findings).items())
        ],
    )
    return lines


def _history_families(tunnels: list[Tunnel]) -> list[str]:
    """Per-tunnel metrics over the history window (only for a run recorded with ``--db``)."""
    known = [(t, t.history) for t in tunnels if t.history is not None]
    if not known:
        return []
    lines = family(
        "ipsec_tunnel_availability_ratio",
        "gauge",
        "Share of the window's runs in which the tunnel was up or degraded (0 to 1).",
        [(_labels(t), h.availability) for t, h in known if h.availability is not None],
    )
    lines += family(
        "ipsec_tunnel_flapping",
        "gauge",
        "1 when the run history shows the tunnel flapping within the window, else 0.",
        [(_labels(t), 1 if h.flapping else 0) for t, h in known],
    )
    lines += family(
        "ipsec_tunnel_transitions",
        "gauge",
        "Up/down transitions of the tunnel seen in the run history within the window.",
        [(_labels(t), len(h.transitions)) for t, h in known],
    )
    rates = [(t, h.last_rate) for t, h in known if h.last_rate is not None]
    for direction, text in (("out", "encapsulated"), ("in", "decapsulated")):
        lines += family(
            f"ipsec_tunnel_{direction}_packets_per_second",
            "gauge",
            f"Packets {text} per second between the last two recorded runs"
            " (after a counter reset, counted from zero).",
            [(_labels(t), round(getattr(r, f"{direction}_pps"), 3)) for t, r in rates],
        )
    return lines


def render(report: Report) -> str:
    """The report as Prometheus text exposition, ending with a newline."""
    devices = sorted((g.device for g in common.device_groups(report)), key=lambda d: d.name)
    tunnels = sorted(report.tunnels, key=common.stable_order)
    when = epoch(report.generated_at)
    lines = family(
        "ipsec_report_timestamp_seconds",
        "gauge",
        "When the health report was generated, in seconds since the epoch.",
        [] if when is None else [({}, when)],
    )
    lines += family(
        "ipsec_device_up",
        "gauge",
        "1 when the device could be read, else 0.",
        [({"device": d.name}, 1 if d.status == "ok" else 0) for d in devices],
    )
    lines += family(
        "ipsec_device_findings",
        "gauge",
        "Findings about the device itself by code (COLLECTION_FAILED, DEBUG_LEFT_ON).",
        [
            ({"device": d.name, "code": code}, n)
            for d in devices
            for code, n in sorted(Counter(f.code for f in d.findings).items())
        ],
    )
    lines += _tunnel_families(tunnels)
    lines += _history_families(tunnels)
    return "\n".join(lines) + "\n"
