"""Crypto debug output of a lab device, generated from the engine's tunnel state.

Pure functions: the engine and a time window in, the lines the device prints in
that window out (:func:`lines_between`); then which of them a session sees given
the debugs that are on and the conditions set (:func:`visible`).

When lines happen:

* a failing negotiation (or a flapping tunnel while down) prints one burst every
  :data:`DEBUG_PERIOD_S` (a retransmission, or the peer's next try), the start of
  the attempt only in the first burst after each ``timeline.RETRY_S`` retry;
* a stale SA prints the invalid-SPI message once per burst;
* a tunnel that came up in the window (clear, flap, lab start) prints the whole
  successful exchange; an IPsec rekey prints quick mode / CREATE_CHILD_SA.

The lines themselves are data (:mod:`ipsec_ops.lab.debug_catalog`), in each
platform's format: IOS ``*Nov 29 08:00:01.123: ISAKMP:(1001):...`` (``service
timestamps debug datetime msec``), ASA ``Nov 29 08:00:01 [IKEv1]: Group = ...``
(IPsec and IKEv2 lines untimestamped), PIX 6 no timestamps.

Conditions (IOS and ASA 8.4+): with none set every peer's lines show, which is
what makes an unconditional debug dangerous on a busy box. With filters set, a
line shows when its tunnel matches any filter; lines printed before the peer is
known (the catalog's ``~`` lines) show only with ``debug crypto condition
unmatched`` for their kind. VRF and ISAKMP-profile filters match nothing (the
lab has neither). [E] for the OR across filter types.
"""

from __future__ import annotations

import ipaddress
import math
import time
from collections.abc import Iterable
from dataclasses import dataclass

from ipsec_ops.lab.config import Device
from ipsec_ops.lab.debug_catalog import SCENES, VERBOSE_LEVEL, Template
from ipsec_ops.lab.debug_cli import debug_keywords
from ipsec_ops.lab.debug_facts import DEBUG_PERIOD_S, facts
from ipsec_ops.lab.engine import Engine
from ipsec_ops.lab.personality import PERSONALITIES
from ipsec_ops.lab.render.base import syslog_time
from ipsec_ops.lab.timeline import RETRY_S
from ipsec_ops.lab.views import Outcome, TunnelView

MAX_BURSTS = 3  # per window: a clock jump does not flood the session
LINE_GAP_S = 0.003  # between two lines of one burst

# Which debug shows which kind of line: IOS by exact keywords, with the lines of that
# kind it shows: all, the error lines (``!``), the packet lines (``p``), or the internal
# events (no catalog line has them: `debug crypto ikev2 internal` prints nothing here).
_IOS_KINDS = {
    "crypto isakmp": ("isakmp", "all"),
    "crypto isakmp error": ("isakmp", "error"),
    "crypto ikev2": ("ikev2", "all"),
    "crypto ikev2 packet": ("ikev2", "packet"),
    "crypto ikev2 internal": ("ikev2", "internal"),
    "crypto ikev2 error": ("ikev2", "error"),
    "crypto ipsec": ("ipsec", "all"),
    "crypto ipsec error": ("ipsec", "error"),
    "crypto engine": ("engine", "all"),
    "crypto engine error": ("engine", "error"),
    "crypto engine packet": ("engine-packet", "all"),
    "crypto routing": ("routing", "all"),
    "crypto ha": ("ha", "all"),  # no catalog line: the lab has no stateful failover
    "crypto isakmp ha": ("isakmp-ha", "all"),
}
# ASA 9.x `debug crypto condition error`: these kinds print their error lines only [E].
_IKE_KINDS = ("isakmp", "ikev2", "ikev2-platform")
ERRORS_ONLY = "error"  # the condition stored by `debug crypto condition error`
_LEVELED_KINDS = {
    "crypto ikev1": "isakmp",
    "crypto isakmp": "isakmp",
    "crypto ikev2 protocol": "ikev2",
    "crypto ikev2 platform": "ikev2-platform",
    "crypto ipsec": "ipsec",
}
_UNMATCHED_FLAG = {"ikev2": "isakmp", "ikev2-platform": "isakmp"}


@dataclass(frozen=True)
class Subject:
    """What conditions are matched against: one tunnel of the device."""

    peer: ipaddress.IPv4Address
    local: ipaddress.IPv4Address
    names: frozenset[str]  # peer hostname, tunnel-group / user name (lower case)
    conn_id: int | None
    spis: frozenset[int]


@dataclass(frozen=True)
class DebugLine:
    at: float
    template: Template
    text: str  # formatted and timestamped; "\n" separates continuation lines
    subject: Subject


# -- which lines a session sees ---------------------------------------------------------


def selection(
    style: str, debugs: Iterable[str], errors_only: bool = False
) -> dict[str, tuple[frozenset[str], int]]:
    """Kind of line -> (which of its lines: all / error / packet / internal, level).

    ``errors_only``: ASA 9.x ``debug crypto condition error`` is set (IKE kinds).

    >>> chosen = selection("ios", {"crypto isakmp error", "crypto ikev2 packet"})
    >>> sorted((kind, sorted(modes)) for kind, (modes, _) in chosen.items())
    [('ikev2', ['packet']), ('isakmp', ['error'])]
    >>> selection("asa", {"crypto ikev1 127"}, errors_only=True)
    {'isakmp': (frozenset({'error'}), 127)}
    """
    out: dict[str, tuple[frozenset[str], int]] = {}
    for entry in sorted(debugs):
        if style == "ios":
            kind, mode, level = *_IOS_KINDS.get(entry, ("", "all")), 255
        else:
            kind = _LEVELED_KINDS.get(debug_keywords(entry), "")
            mode = "error" if errors_only and kind in _IKE_KINDS else "all"
            level = int(entry.split()[-1]) if entry.split()[-1].isdigit() else 1
        if kind:
            old_modes, old_level = out.get(kind, (frozenset(), 0))
            out[kind] = (old_modes | {mode}, max(old_level, level))
    return out


def shows(template: Template, chosen: dict[str, tuple[frozenset[str], int]]) -> bool:
    if template.kind not in chosen:
        return False
    modes, level = chosen[template.kind]
    wanted = (
        "all" in modes
        or ("error" in modes and template.error)
        or ("packet" in modes and template.packet)
    )
    return wanted and (not template.verbose or level >= VERBOSE_LEVEL)


def condition_matches(condition: str, subject: Subject) -> bool:
    """One filter against one tunnel.

    >>> s = Subject(ipaddress.IPv4Address("192.0.2.9"), ipaddress.IPv4Address("192.0.2.1"),
    ...             frozenset({"192.0.2.9"}), 1001, frozenset({256}))
    >>> [condition_matches(c, s) for c in ("peer ipv4 192.0.2.9", "peer 192.0.2.8",
    ...  "peer subnet 192.0.2.0 255.255.255.0", "connid 1001 engine-id 1", "spi 256")]
    [True, False, True, True, True]
    """
    words = condition.split()
    if words[0] == "peer" and words[1] in ("ipv4", "subnet", "hostname", "group"):
        words = words[1:] if words[1] != "ipv4" else ["peer", *words[2:]]
    head, values = words[0], words[1:]
    if head == "peer":
        return str(subject.peer) == values[0]
    if head == "subnet":
        net = ipaddress.IPv4Network(f"{values[0]}/{values[1]}", strict=False)
        return subject.peer in net
    if head == "local":
        return str(subject.local) == values[-1]
    if head in ("hostname", "group", "user", "username"):
        return values[0].lower() in subject.names
    if head == "connid":
        return subject.conn_id == int(values[0])
    if head == "spi":
        return int(values[0]) in subject.spis
    return False  # fvrf, ivrf, isakmp profile: the lab has no VRFs or profiles


def passes(conditions: Iterable[str], template: Template, subject: Subject) -> bool:
    """Whether the debug conditions let one line through."""
    conditions = list(conditions)
    filters = [c for c in conditions if not c.startswith("unmatched") and c != ERRORS_ONLY]
    if not filters:
        return True
    if not template.context:
        flag = _UNMATCHED_FLAG.get(template.kind, template.kind)
        return f"unmatched {flag}" in conditions
    return any(condition_matches(c, subject) for c in filters)


def visible(
    lines: Iterable[DebugLine], style: str, debugs: Iterable[str], conditions: Iterable[str]
) -> list[str]:
    """The terminal lines a session with these debugs and conditions gets."""
    conditions = list(conditions)
    chosen = selection(style, debugs, errors_only=ERRORS_ONLY in conditions)
    out: list[str] = []
    for line in lines:
        if shows(line.template, chosen) and passes(conditions, line.template, line.subject):
            out.extend(line.text.split("\n"))
    return out


# -- when lines happen -----------------------------------------------------------------


def burst_times(start: float, end: float) -> list[float]:
    """Burst instants in ``(start, end]`` (the last :data:`MAX_BURSTS`).

    >>> burst_times(0.0, 3.0), burst_times(3.0, 3.5), len(burst_times(0.0, 3600.0))
    ([1.5, 3.0], [], 3)
    """
    first, last = math.floor(start / DEBUG_PERIOD_S) + 1, math.floor(end / DEBUG_PERIOD_S)
    return [k * DEBUG_PERIOD_S for k in range(max(first, last - MAX_BURSTS + 1), last + 1)]


def failing_scene(view: TunnelView, at: float) -> tuple[str, bool] | None:
    """The scene a negotiation that is not up prints at a burst, and whether it is the first."""
    if view.outcome == Outcome.NO_TRAFFIC:
        return None
    if view.session_status == "UP-NO-IKE":
        return "stale", True
    age = view.ike.age_s if view.ike is not None else at % RETRY_S
    first = age < DEBUG_PERIOD_S
    if view.outcome != Outcome.UP:
        return view.outcome.value, first
    if view.uptime_s is None and view.ike is not None and not view.ike.established:
        return "unreachable", first  # a flapping tunnel while down: the peer is silent
    return None


def traffic_scene(view: TunnelView) -> tuple[str, bool] | None:
    """``traffic`` (packets through an established SA: engine packet lines) or None."""
    moving = any(sa.has_sa and (sa.encaps or sa.decaps) for sa in view.ipsec)
    return ("traffic", True) if view.outcome == Outcome.UP and moving else None


def change_scene(old: TunnelView, new: TunnelView, window: float) -> str | None:
    """``up`` when the tunnel (re)started in the window, ``rekey`` for a new IPsec SA pair."""
    if new.outcome != Outcome.UP or new.uptime_s is None or new.ike is None:
        return None
    if old.uptime_s is None or old.ike is None or new.uptime_s + 1 < old.uptime_s + window:
        return "up"
    if old.ike.conn_id != new.ike.conn_id:
        return "up"
    if old.ipsec and new.ipsec and old.ipsec[0].spi_in != new.ipsec[0].spi_in:
        return "rekey"
    return None


def lines_between(engine: Engine, device: Device, start: float, end: float) -> list[DebugLine]:
    """Every debug line ``device`` prints in ``(start, end]``, any kind, unfiltered."""
    out: list[DebugLine] = []
    for at in burst_times(start, end):
        when = at  # one tunnel's burst after the other, never interleaved
        for index, view in enumerate(engine.tunnels(device, at)):
            found = failing_scene(view, at) or traffic_scene(view)
            if found is not None:
                lines = burst(engine, device, index, view, found[0], when, first=found[1])
                when = lines[-1].at + LINE_GAP_S if lines else when
                out += lines
    before, after = engine.tunnels(device, start), engine.tunnels(device, end)
    for index, (old, new) in enumerate(zip(before, after, strict=True)):
        scene = change_scene(old, new, end - start)
        if scene is not None:
            at = end - new.uptime_s if scene == "up" and new.uptime_s is not None else end
            out += burst(engine, device, index, new, scene, max(at, start), first=True)
    out.sort(key=lambda line: line.at)
    return out


# -- the lines of one burst -------------------------------------------------------------


def style_key(family_name: str, ike_version: int) -> str:
    """Catalog style of a family and IKE version.

    >>> style_key("xe17", 2), style_key("pix7", 1), style_key("pix6.3", 1)
    ('ios2', 'asa', 'pix6')
    """
    style = PERSONALITIES[family_name].style
    return style + ("2" if ike_version == 2 and style != "pix6" else "")


def stamp(style: str, text: str, at: float) -> str:
    """Prefix a line with the timestamp the platform prints on debugs."""
    if style.startswith("ios"):
        return f"{syslog_time(at)}: {text}"
    if style.startswith("asa") and text.startswith("[IKEv1"):
        return time.strftime("%b %d %H:%M:%S ", time.gmtime(at)) + text
    return text


def burst(
    engine: Engine,
    device: Device,
    index: int,
    view: TunnelView,
    scene: str,
    at: float,
    first: bool,
) -> list[DebugLine]:
    """The catalog lines of one scene for one tunnel, formatted, at instant ``at``."""
    style = style_key(device.family, view.entry.ike_version)
    role = engine.negotiation(device, view.entry).role
    values = facts(engine, device, index, view, scene, at)
    subject = subject_of(engine, device, view)
    out: list[DebugLine] = []
    for n, (template, text) in enumerate(scene_lines(style, scene, role, values, first)):
        when = at + n * LINE_GAP_S
        out.append(DebugLine(when, template, stamp(style, text, when), subject))
    return out


def scene_lines(
    style: str, scene: str, role: str, values: dict[str, object], first: bool = True
) -> list[tuple[Template, str]]:
    """The catalog lines of a scene for one role, formatted (no timestamp).

    A line needing a value ``values`` does not have (a mismatching attribute when
    only the lifetime differs...) is left out.
    """
    out: list[tuple[Template, str]] = []
    for template in SCENES.get((style, scene), ()):
        if (template.role and template.role != role) or (template.start and not first):
            continue
        try:
            out.append((template, template.text.format_map(values)))
        except KeyError:
            continue
    return out


def subject_of(engine: Engine, device: Device, view: TunnelView) -> Subject:
    remote = engine.negotiation(device, view.entry).remote
    names = {str(view.peer)}
    if remote is not None and remote.device is not None:
        names.add(remote.device.hostname.lower())
    names |= {p.name.lower() for p in engine.scenario.peers if p.address == view.peer and p.name}
    spis = {s for sa in view.ipsec for s in (sa.spi_in, sa.spi_out) if s}
    conn_id = view.ike.conn_id if view.ike is not None else None
    return Subject(view.peer, view.local, frozenset(names), conn_id, frozenset(spis))
