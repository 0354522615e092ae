"""The events module (pure): timestamps without a year or zone, markers, transitions, FLAPPING.

Message texts are the reference's (3I: C70 SESSION_STATUS, C72-C79 ASA ids) and the
Easy VPN line seen on a real client's log; expected values are written from those texts.
"""

from __future__ import annotations

import datetime as dt

import pytest

from ipsec_ops import events
from ipsec_ops.diagnose import diagnose_tunnel
from ipsec_ops.model import IkeSa, IpsecSa, Tunnel
from ipsec_ops.platforms import family

NOW = dt.datetime(2026, 11, 29, 12, 0, 0, tzinfo=dt.UTC)
PEER = "203.0.113.50"


def ios(stamp: str, state: str, peer: str = PEER) -> str:
    return (
        f"{stamp}: %CRYPTO-5-SESSION_STATUS: Crypto tunnel is {state}  .  Peer {peer}:500"
        f"       Id: {peer}"
    )


@pytest.mark.parametrize(
    ("line", "now", "expected", "assumed"),
    [
        # IOS without year: the year of the read...
        ("*Nov 29 08:15:02.123: x", NOW, dt.datetime(2026, 11, 29, 8, 15, 2, 123000), True),
        # ... unless that is more than a day in the future: last year (read on Jan 1st).
        (
            "*Dec 31 23:59:00.000: x",
            dt.datetime(2027, 1, 1, 0, 5, tzinfo=dt.UTC),
            dt.datetime(2026, 12, 31, 23, 59),
            True,
        ),
        # A line a few hours "ahead" (device clock fast) stays in this year.
        ("*Nov 29 20:00:00: x", NOW, dt.datetime(2026, 11, 29, 20, 0), True),
        # show-timezone UTC: no assumption.
        ("Nov 29 08:15:02.123 UTC: x", NOW, dt.datetime(2026, 11, 29, 8, 15, 2, 123000), False),
        # Another zone name: taken as UTC, flagged.
        ("Nov 29 08:15:02 CET: x", NOW, dt.datetime(2026, 11, 29, 8, 15, 2), True),
        # ASA logging timestamp carries the year.
        ("Nov 28 2025 23:00:00: %ASA-5-713120: x", NOW, dt.datetime(2025, 11, 28, 23), True),
        # Leading '.': clock not in sync since (still a wall-clock time).
        (".Nov 29 08:00:00.000: x", NOW, dt.datetime(2026, 11, 29, 8), True),
    ],
)
def test_time_rule(line: str, now: dt.datetime, expected: dt.datetime, assumed: bool) -> None:
    at, was_assumed = events.parse_time(line, now)
    assert at == expected.replace(tzinfo=dt.UTC)
    assert was_assumed is assumed


@pytest.mark.parametrize("line", ["00:27:07: %CRYPTO-5-SESSION_STATUS: x", "1d02h: x", "x"])
def test_no_wall_clock_time_is_kept_as_none(line: str) -> None:
    assert events.parse_time(line, NOW)[0] is None


def test_feb_29_of_a_year_without_one_is_unplaced() -> None:
    assert events.parse_time("*Feb 29 10:00:00: x", dt.datetime(2027, 3, 1, tzinfo=dt.UTC)) == (
        None,
        True,
    )


ASA_DOWN = [
    "Nov 29 2026 10:00:00: %ASA-6-602304: IPSEC: An outbound LAN-to-LAN SA (SPI= 0x1) between "
    f"198.51.100.3 and {PEER} (user= {PEER}) has been deleted.",
    f"Nov 29 2026 10:00:00: %ASA-5-713050: Group = {PEER}, IP = {PEER}, Connection terminated "
    f"for peer {PEER}.  Reason: Peer Terminate  Remote Proxy 172.16.50.0, Local Proxy 10.3.0.0",
    f"Nov 29 2026 10:00:00: %ASA-4-113019: Group = {PEER}, Username = {PEER}, IP = {PEER}, "
    "Session disconnected. Session Type: LAN-to-LAN, Duration: 0:01:15, Bytes xmt: 0, "
    "Bytes rcv: 0, Reason: Peer Terminate",
]
ASA_UP = [
    f"Nov 29 2026 10:01:00: %ASA-5-713119: Group = {PEER}, IP = {PEER}, PHASE 1 COMPLETED",
    f"Nov 29 2026 10:01:00: %ASA-5-713120: Group = {PEER}, IP = {PEER}, PHASE 2 COMPLETED "
    "(msgid=0000abcd)",
]
EZ_UP = (
    "*Nov 29 09:00:00.000: %CRYPTO-6-EZVPN_CONNECTION_UP: (Server)  User=bob  Group=STAFF  "
    "Client_public_addr=203.0.113.102  Server_public_addr=198.51.100.20  "
    "Assigned_client_addr=10.99.0.11  "
)
EZ_CLIENT_DOWN = (
    "*Nov 29 09:05:00.000: %CRYPTO-6-EZVPN_CONNECTION_DOWN: (Client)  User=  Group=STAFF  "
    "Client_public_addr=203.0.113.102  Server_public_addr=198.51.100.20  "
    "Assigned_client_addr=10.99.0.11  "
)


@pytest.mark.parametrize(
    ("group", "lines", "expected"),
    [
        ("ios", [ios("*Nov 29 10:00:00.000", "DOWN"), ios("*Nov 29 10:00:03.000", "UP")],
         [(PEER, "down"), (PEER, "up")]),
        # An ASA teardown logs four lines and a setup two: one event each.
        ("asa", [*ASA_DOWN, *ASA_UP], [(PEER, "down"), (PEER, "up")]),
        # Easy VPN: the server names the client; a client's own log names the server.
        ("ios", [EZ_UP], [("203.0.113.102", "ezvpn_up")]),
        ("ios", [EZ_CLIENT_DOWN], [("198.51.100.20", "ezvpn_down")]),
        # IOS messages are not read in an ASA's log, and noise is no event.
        ("asa", [ios("*Nov 29 10:00:00.000", "DOWN"), "%SYS-5-CONFIG_I: Configured"], []),
    ],
)  # fmt: skip
def test_markers_and_transitions(
    group: str, lines: list[str], expected: list[tuple[str, str]]
) -> None:
    found = events.transitions(events.from_lines("d", lines, group, NOW))
    assert [(e.peer, e.kind) for e in found] == expected


def test_ezvpn_fields_are_kept() -> None:
    (ev,) = events.from_lines("ra", [EZ_UP], "ios", NOW)
    assert (ev.user, ev.group, ev.assigned) == ("bob", "STAFF", "10.99.0.11")
    assert ev.to_json()["at"] == "2026-11-29T09:00:00.000Z"


def test_since_keeps_unplaced_events() -> None:
    lines = [ios("*Nov 29 01:00:00.000", "DOWN"), ios("1d02h", "UP"), ios("*Nov 29 11:00:00", "UP")]
    found = events.from_lines("r", lines, "ios", NOW)
    kept = events.since(found, NOW - events.parse_since("2h"))
    assert [(e.kind, e.at is None) for e in kept] == [("up", True), ("up", False)]


@pytest.mark.parametrize("bad", ["", "h", "-1h", "1y", "24 hours"])
def test_parse_since_refuses(bad: str) -> None:
    with pytest.raises(ValueError, match="expected a number with an optional unit"):
        events.parse_since(bad)


def _up_tunnel(log: list[str]) -> Tunnel:
    ike = IkeSa(version=1, state="QM_IDLE", conn_id=1001)
    sa = IpsecSa("10.1.0.0/24", "172.16.50.0/24", "0x1", "0x2", 100, 100, lifetime_s=3000)
    return Tunnel(device="r", peer=PEER, configured=True, ike=ike, ipsec=[sa], log_lines=log)


@pytest.mark.parametrize(
    ("flaps", "flapping"),
    [(0, False), (1, False), (2, True), (5, True)],
)
def test_flapping_comes_from_the_events(flaps: int, flapping: bool) -> None:
    log = []
    for i in range(flaps):
        log += [ios(f"*Nov 29 10:{i:02d}:00.000", "DOWN"), ios(f"*Nov 29 10:{i:02d}:30", "UP")]
        log.append(ios(f"*Nov 29 10:{i:02d}:31", "UP"))  # a repeated UP is no transition
    t = _up_tunnel(log)
    diagnose_tunnel(t, family("ios15"))
    assert any(f.code == "FLAPPING" for f in t.findings) is flapping
    expected_downs = len(events.downs(events.from_lines("r", log, "ios")))
    assert expected_downs == flaps
