"""Small inline SVG charts of one tunnel over the history window.

Two charts per tunnel, both on the same time axis (``since`` to ``until``):

* a **state strip**: one bar from each change of the tunnel's health to the next,
  coloured by that health (up, degraded, down, unknown);
* a **traffic line**: packets per second out (encaps) and in (decaps) between
  consecutive runs, scaled to the larger of the two; one-way traffic shows as one
  line on the floor.

Pure SVG with classes (the page's stylesheet colours them, dark mode included),
no script; every number is rounded so the same history gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from ipsec_ops.trends import Rate, TunnelHistory

WIDTH = 160
STATE_HEIGHT = 12
TRAFFIC_HEIGHT = 28

CSS = """
.spark { display: block; }
.spark .s-up { fill: var(--up); }
.spark .s-degraded { fill: var(--degraded); }
.spark .s-down { fill: var(--down); }
.spark .s-unknown { fill: var(--unknown); }
.spark .axis { stroke: var(--line); stroke-width: 1; }
.spark .out { fill: none; stroke: var(--up); stroke-width: 1.5; }
.spark .in { fill: none; stroke: var(--unknown); stroke-width: 1.5; stroke-dasharray: 3 2; }
.spark-legend .out { color: var(--up); } .spark-legend .in { color: var(--unknown); }
"""


def x_of(at: float, since: float, until: float, width: float = WIDTH) -> float:
    """The x of time ``at`` on a ``width``-wide axis from ``since`` to ``until``, clamped.

    >>> x_of(50, 0, 100, 160), x_of(-5, 0, 100, 160), x_of(500, 0, 100, 160)
    (80.0, 0.0, 160.0)
    """
    if until <= since:
        return float(width)
    return round(min(max((at - since) / (until - since), 0.0), 1.0) * width, 1)


def state_bars(
    points: Sequence[tuple[float, str]], since: float, until: float
) -> list[tuple[float, float, str]]:
    """(x, width, health) of each sample's bar: from its run to the next run (the last
    bar ends at ``until``, or a minimum width so a single run is visible).

    >>> state_bars([(0, "up"), (50, "down"), (75, "up")], 0, 100)
    [(0.0, 80.0, 'up'), (80.0, 40.0, 'down'), (120.0, 40.0, 'up')]
    """
    bars: list[tuple[float, float, str]] = []
    for i, (at, health) in enumerate(points):
        x0 = x_of(at, since, until)
        end = points[i + 1][0] if i + 1 < len(points) else until
        x1 = x_of(end, since, until)
        bars.append((x0, round(max(x1 - x0, 2.0), 1), health))
    return bars


def state_strip(h: TunnelHistory, since: float, until: float) -> str:
    """The SVG state strip of one tunnel."""
    label = f"state of {h.device} to {h.peer} over {h.samples} runs"
    rects = "".join(
        f'<rect class="s-{health}" x="{x}" y="0" width="{w}" height="{STATE_HEIGHT}">'
        f"<title>{health}</title></rect>"
        for x, w, health in state_bars(h.points, since, until)
    )
    return (
        f'<svg class="spark spark-state" role="img" aria-label="{escape(label)}"'
        f' width="{WIDTH}" height="{STATE_HEIGHT}" viewBox="0 0 {WIDTH} {STATE_HEIGHT}"'
        f' data-runs="{h.samples}">{rects}</svg>'
    )


def traffic_points(rates: Sequence[Rate], since: float, until: float) -> tuple[str, str]:
    """SVG ``points`` of the out and in lines: one point per interval's midpoint.

    >>> r = [Rate(0, 10, 100, 0, 0, 0, False), Rate(10, 20, 50, 0, 0, 0, False)]
    >>> traffic_points(r, 0, 20)
    ('40.0,1.0 120.0,14.5', '40.0,28.0 120.0,28.0')
    """
    top = max([max(r.out_pps, r.in_pps) for r in rates] + [0.0])
    usable = TRAFFIC_HEIGHT - 1.0  # the top pixel row stays inside the box

    def y(value: float) -> float:
        return round(TRAFFIC_HEIGHT - (value / top * usable if top > 0 else 0.0), 1)

    mids = [x_of((r.start + r.end) / 2, since, until) for r in rates]
    out = " ".join(f"{x},{y(r.out_pps)}" for x, r in zip(mids, rates, strict=True))
    inn = " ".join(f"{x},{y(r.in_pps)}" for x, r in zip(mids, rates, strict=True))
    return out, inn


def traffic_line(h: TunnelHistory, since: float, until: float) -> str:
    """The SVG traffic chart of one tunnel (empty text with fewer than two runs)."""
    if not h.rates:
        return '<span class="sub">one run: no rate yet</span>'
    out, inn = traffic_points(h.rates, since, until)
    top = max(max(r.out_pps, r.in_pps) for r in h.rates)
    label = f"packets per second of {h.device} to {h.peer}: peak {top:.1f}"
    return (
        f'<svg class="spark spark-traffic" role="img" aria-label="{escape(label)}"'
        f' width="{WIDTH}" height="{TRAFFIC_HEIGHT}"'
        f' viewBox="0 0 {WIDTH} {TRAFFIC_HEIGHT}" data-intervals="{len(h.rates)}">'
        f'<line class="axis" x1="0" y1="{TRAFFIC_HEIGHT}" x2="{WIDTH}" y2="{TRAFFIC_HEIGHT}"/>'
        f'<polyline class="out" points="{out}"/><polyline class="in" points="{inn}"/>'
        f"<title>{escape(label)}</title></svg>"
    )


__all__ = ["CSS", "state_bars", "state_strip", "traffic_line", "traffic_points", "x_of"]
