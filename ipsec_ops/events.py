"""Tunnel up/down (and Easy VPN connect/disconnect) events from logging buffers (pure).

Lines are recognised with the message catalog (``knowledge/messages.yaml``, reference 3I):
which catalog entries mark a tunnel coming up or going down is the table ``MARKERS`` below.
One tunnel event often prints several lines (an ASA teardown logs 602304 twice, 713050 and
113019); a per-peer timeline keeps only *transitions*, so a run of lines of the same kind
is one event.

Timestamps. IOS ``service timestamps log datetime`` prints no year (``*Nov 29 08:15:02.123``)
and a zone only with ``show-timezone``; ASA ``logging timestamp`` prints the year and no
zone. The rule, documented and tested:

* the year, when absent, is the year of ``now`` (when the buffer was read); if that puts
  the line more than one day after ``now``, it is from the previous year (a December line
  read in January);
* a time without a zone, or with a zone name other than UTC/GMT, is taken as UTC
  (``assumed_utc`` says so on the event); the lab's clocks are UTC;
* a line with no wall-clock time (uptime stamps ``1d02h:``, or none) keeps ``at = None``:
  it is listed, never dropped, and ``--since`` cannot exclude it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from ipsec_ops import durations
from ipsec_ops.knowledge import knowledge

# Catalog id -> event kind; None: the entry's `event` group (UP|DOWN) decides.
MARKERS: dict[str, str | None] = {
    "C70": None,  # %CRYPTO-5-SESSION_STATUS / IKEV2_SESSION_STATUS
    "C70Z": None,  # %CRYPTO-6-EZVPN_CONNECTION_UP|DOWN (kind prefixed "ezvpn_")
    "C71": None,  # %IKEV2-5-SA_UP|DOWN
    "C71A": "up",  # ASA 750006 IKEv2 SA UP
    "C73": "up",  # ASA 713120 PHASE 2 COMPLETED
    "C78": "down",  # ASA 713050 Connection terminated
    "C79": "down",  # ASA 113019 Session disconnected / 713259 torn down
}
EZVPN_IDS = {"C70Z"}
_MONTHS = {
    m: i
    for i, m in enumerate(
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], 1
    )
}
_STAMP = re.compile(
    r"^[*.]?(?P<mon>[A-Z][a-z]{2})\s+(?P<day>\d{1,2})\s+(?:(?P<year>\d{4})\s+)?"
    r"(?P<time>\d{2}:\d{2}:\d{2})(?:\.(?P<ms>\d{1,6}))?(?:\s+(?P<zone>[A-Za-z][\w+-]*))?:?\s"
)
_UTC_ZONES = {"UTC", "GMT", "Z"}


@dataclass(frozen=True)
class Event:
    """One tunnel transition seen in a device's log."""

    device: str
    peer: str
    kind: str  # up, down, ezvpn_up, ezvpn_down
    at: dt.datetime | None  # aware, UTC; None when the line has no wall-clock time
    message: str  # catalog id
    line: str
    assumed_utc: bool = True
    user: str | None = None
    group: str | None = None
    assigned: str | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "device": self.device,
            "peer": self.peer,
            "kind": self.kind,
            "at": self.at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")[:-4] + "Z" if self.at else None,
            "message": self.message,
            "user": self.user,
            "group": self.group,
            "assigned": self.assigned,
            "line": self.line,
        }


def parse_time(line: str, now: dt.datetime) -> tuple[dt.datetime | None, bool]:
    """(when, zone assumed) of a log line, by the rule in the module docstring.

    >>> now = dt.datetime(2026, 11, 29, 12, 0, tzinfo=dt.UTC)
    >>> parse_time("*Nov 29 08:15:02.250: %CRYPTO-5-SESSION_STATUS: x", now)[0].isoformat()
    '2026-11-29T08:15:02.250000+00:00'
    >>> parse_time("Dec 31 23:59:59.000 UTC: %X", dt.datetime(2027, 1, 1, tzinfo=dt.UTC))
    (datetime.datetime(2026, 12, 31, 23, 59, 59, tzinfo=datetime.timezone.utc), False)
    >>> parse_time("Nov 29 2026 08:15:02: %ASA-5-713120: x", now)[0].isoformat()
    '2026-11-29T08:15:02+00:00'
    >>> parse_time("1d02h: %CRYPTO-5-SESSION_STATUS: x", now)
    (None, True)
    """
    m = _STAMP.match(line.strip())
    if not m or m.group("mon") not in _MONTHS:
        return None, True
    hh, mm, ss = (int(x) for x in m.group("time").split(":"))
    micro = int((m.group("ms") or "0").ljust(6, "0")[:6])
    zone = m.group("zone")
    assumed = zone is None or zone.upper() not in _UTC_ZONES
    year = int(m.group("year")) if m.group("year") else now.year
    try:
        at = dt.datetime(
            year, _MONTHS[m.group("mon")], int(m.group("day")), hh, mm, ss, micro, dt.UTC
        )
    except ValueError:  # Feb 29 of a year that has none
        return None, assumed
    if not m.group("year") and at - now > dt.timedelta(days=1):
        at = at.replace(year=year - 1)
    return at, assumed


def _kind(message_id: str, match: re.Match[str] | None) -> str | None:
    fixed = MARKERS[message_id]
    word = match.groupdict().get("event") if match else None
    kind = fixed or (word.lower() if word else None)
    if kind is None:
        return None
    return f"ezvpn_{kind}" if message_id in EZVPN_IDS else kind


def from_lines(
    device: str, lines: Iterable[str], log_group: str, now: dt.datetime | None = None
) -> list[Event]:
    """Every up/down line of a log as an Event, in log order (not yet collapsed).

    ``now``: when the buffer was read (for the year rule); None leaves times unread
    (``at = None``), for callers that only count.

    >>> now = dt.datetime(2026, 11, 29, 12, 0, tzinfo=dt.UTC)
    >>> lines = ["*Nov 29 08:00:00.000: %CRYPTO-5-SESSION_STATUS: Crypto tunnel is DOWN  .  "
    ...          "Peer 198.51.100.4:500       Id: 198.51.100.4", "junk"]
    >>> [(e.peer, e.kind) for e in from_lines("r1", lines, "ios", now)]
    [('198.51.100.4', 'down')]
    """
    k = knowledge()
    out = []
    for line in lines:
        message = k.match_message(line, log_group)
        if message is None or message.id not in MARKERS:
            continue
        match = message.regex.search(line)
        kind = _kind(message.id, match)
        groups = match.groupdict() if match else {}
        if groups.get("side") == "Client":  # a client's own log: its peer is the server
            groups["peer"] = groups.get("server")
        peer = groups.get("peer") or k.peer_of(line, message)
        if kind is None or not peer:
            continue
        at, assumed = parse_time(line, now) if now is not None else (None, True)
        out.append(
            Event(
                device,
                peer.split(":")[0],
                kind,
                at,
                message.id,
                line.strip(),
                assumed,
                groups.get("user") or None,
                groups.get("group") or None,
                groups.get("assigned") or None,
            )
        )
    return out


def transitions(events: Iterable[Event]) -> list[Event]:
    """Per device and peer, only the events that change the state (ezvpn and site-to-site
    apart), in log order.

    >>> def e(kind): return Event("r", "p", kind, None, "C78", "")
    >>> [x.kind for x in transitions([e("down"), e("down"), e("up"), e("up"), e("down")])]
    ['down', 'up', 'down']
    """
    last: dict[tuple[str, str, bool], str] = {}
    out = []
    for ev in events:
        key = (ev.device, ev.peer, ev.kind.startswith("ezvpn_"))
        if last.get(key) != ev.kind:
            out.append(ev)
            last[key] = ev.kind
    return out


def since(events: Iterable[Event], cutoff: dt.datetime | None) -> list[Event]:
    """Events at or after ``cutoff`` (and those whose time is unknown)."""
    return [e for e in events if cutoff is None or e.at is None or e.at >= cutoff]


def timeline(events: Iterable[Event]) -> dict[tuple[str, str], list[Event]]:
    """(device, peer) -> its transitions, oldest first (log order where times are unknown)."""
    out: dict[tuple[str, str], list[Event]] = {}
    for ev in transitions(events):
        out.setdefault((ev.device, ev.peer), []).append(ev)
    return out


def downs(events: Iterable[Event]) -> list[Event]:
    """The down transitions (site-to-site and Easy VPN), for flapping."""
    return [e for e in transitions(events) if e.kind.endswith("down")]


def parse_since(text: str) -> dt.timedelta:
    """``--since`` value (:func:`ipsec_ops.durations.seconds`); ValueError when malformed.

    >>> parse_since("24h"), parse_since("90m")
    (datetime.timedelta(days=1), datetime.timedelta(seconds=5400))
    """
    return dt.timedelta(seconds=durations.seconds(text))
