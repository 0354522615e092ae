"""The show commands of reference section 4.6 added after the first variants, over SSH.

IOS / IOS-XE: ``show crypto session remote X [detail]``, ``show crypto session brief``,
``show crypto ikev2 session [detailed]``, ``show crypto isakmp policy``, ``show crypto
ipsec transform-set``. ASA / PIX 7: ``show vpn-sessiondb [detail] l2l filter ipaddress X``,
``show asp drop``, ``show asp table vpn-context detail``. Each is parsed from live lab
output and compared with the engine's state (TunnelView objects, the device's configured
policies and transform sets), never with the output under test; counters that grow with
the clock are bracketed by the state just before and just after the command. A family
whose data does not list a command gets its invalid-input error from the lab and a refusal
from ``ipsec-ops show``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pytest

from ipsec_ops import showcmd
from ipsec_ops.lab import ezvpn
from ipsec_ops.lab.commands import grammars
from ipsec_ops.lab.engine import Engine
from ipsec_ops.lab.grammar import Match
from ipsec_ops.lab.render.asa_sessions import asp_frame_drops
from ipsec_ops.lab.render.base import context_for
from ipsec_ops.lab.scenario import load_scenario
from ipsec_ops.lab.views import TunnelView
from ipsec_ops.parse import parse
from ipsec_ops.platforms import FAMILIES, family, is_rejected
from tests.conftest import RunningLab

IOS_NEW = (
    "show crypto session remote 198.51.100.3",
    "show crypto session remote 198.51.100.3 detail",
    "show crypto session brief",
    "show crypto isakmp policy",
    "show crypto ipsec transform-set",
)
IKEV2_NEW = ("show crypto ikev2 session", "show crypto ikev2 session detailed")
ASA_NEW = (
    "show vpn-sessiondb l2l filter ipaddress 198.51.100.1",
    "show vpn-sessiondb detail l2l filter ipaddress 198.51.100.1",
    "show asp drop",
    "show asp table vpn-context detail",
)


@pytest.fixture(scope="module")
def lab(default_lab: RunningLab) -> RunningLab:
    """The session's default lab: these tests only read it."""
    return default_lab


@pytest.fixture(scope="module")
def cli(default_cli: Callable[[str, str], str]) -> Callable[[str, str], str]:
    return default_cli


def _tunnels(lab: RunningLab, device: str) -> list[TunnelView]:
    engine: Engine = lab.lab.engine
    return engine.tunnels(engine.scenario.device(device), engine.clock.now())


def _expected_families(command: str) -> set[str]:
    """Which families should have a command, from facts stated independently of the table."""
    if command == "show crypto ipsec transform-set":  # IOS, and PIX 6.3 (IOS 12.2 descent)
        return {n for n, f in FAMILIES.items() if f.platform in ("cisco_ios", "cisco_xe")} | {
            "pix6.3"
        }
    if command in IOS_NEW:
        return {n for n, f in FAMILIES.items() if f.platform in ("cisco_ios", "cisco_xe")}
    if command in IKEV2_NEW:
        return {
            n for n, f in FAMILIES.items() if f.platform in ("cisco_ios", "cisco_xe") and f.ikev2
        }
    return {"asa8.2", "asa9", "pix7"}  # ASA code (7.0 on); PIX 6.3 has none of them


# -- data: where each command exists ------------------------------------------------------


@pytest.mark.parametrize("command", IOS_NEW + IKEV2_NEW + ASA_NEW)
def test_command_exists_exactly_where_the_family_has_it(command: str) -> None:
    for name in FAMILIES:
        has = name in _expected_families(command)
        assert isinstance(grammars(name)["enable"].match(command), Match) is has, (name, command)
        assert (showcmd.canonical(command, family(name)) is not None) is has, (name, command)


def test_new_commands_are_not_collected() -> None:
    """`collect` runs show_commands: the 4.6 additions are variants only."""
    for fam in FAMILIES.values():
        for command in IOS_NEW + IKEV2_NEW + ASA_NEW[2:]:
            assert command not in fam.show_commands


@pytest.mark.parametrize(
    ("device", "command"),
    [
        ("pix6", "show asp drop"),
        ("pix6", "show vpn-sessiondb l2l"),
        ("fw-asa9", "show crypto session brief"),
    ],
)
def test_lab_answers_a_family_without_it_with_invalid_input(
    lab: RunningLab, cli: Any, device: str, command: str
) -> None:
    fam = family(lab.lab.endpoint(device).family)
    assert is_rejected(cli(device, command), fam)
    assert showcmd.canonical(command, fam) is None


# -- IOS over SSH ---------------------------------------------------------------------------


def test_ios_session_remote_keeps_only_that_peer(lab: RunningLab, cli: Any) -> None:
    for peer in ("198.51.100.3", "203.0.113.10"):
        for detail in ("", " detail"):
            command = f"show crypto session remote {peer}{detail}"
            records = parse("ios15", command, cli("hq-rtr", f"sh cry ses rem {peer}{detail}"))
            t = next(t for t in _tunnels(lab, "hq-rtr") if str(t.peer) == peer)
            assert [(r["peer"], r["session_status"]) for r in records] == [(peer, t.session_status)]
    assert (
        parse("ios15", "show crypto session remote X", cli("hq-rtr", "sh cry ses rem 192.0.2.99"))
        == []
    )


def test_ios_session_remote_finds_an_easy_vpn_client(lab: RunningLab, cli: Any) -> None:
    engine: Engine = lab.lab.engine
    device = engine.scenario.device("ra-hub")
    up = [s for s in ezvpn.sessions(device, engine.start, engine.clock.now()) if s.up]
    client = up[0].client
    records = parse(
        "ios15",
        "show crypto session remote X",
        cli("ra-hub", f"show crypto session remote {client.public}"),
    )
    assert [(r["peer"], r["username"], r["group"]) for r in records] == [
        (str(client.public), client.username, client.group)
    ]


def test_ios_session_brief_lists_every_session(lab: RunningLab, cli: Any) -> None:
    records = parse("ios15", "show crypto session brief", cli("hq-rtr", "sh cry ses br"))
    tunnels = _tunnels(lab, "hq-rtr")
    assert [r["peer"] for r in records] == [str(t.peer) for t in tunnels]
    codes = {"UP-ACTIVE": "UA", "UP-IDLE": "UI", "UP-NO-IKE": "UK", "DOWN-NEGOTIATING": "DN"}
    for r, t in zip(records, tunnels, strict=True):
        assert r["status"] == codes[t.session_status], t.peer
        assert r["status"].startswith("U") == (
            t.uptime_s is not None or t.session_status == "UP-IDLE"
        )
        assert r["group"] == (str(t.peer) if t.ike and t.ike.established else "")
        assert t.entry.interface.lower().startswith(r["interface"][:2].lower())


def test_ios_ikev2_session_detailed_agrees_with_the_ikev2_tunnels(
    lab: RunningLab, cli: Any
) -> None:
    for command in IKEV2_NEW:
        records = parse("xe17", command, cli("br-xe", command))
        v2 = [t for t in _tunnels(lab, "br-xe") if t.ike is not None and t.ike.version == 2]
        assert [r["peer"] for r in records] == [str(t.peer) for t in v2] != []
        for r, t in zip(records, v2, strict=True):
            assert t.ike is not None
            sas = [s for s in t.ipsec if s.has_sa]
            assert (r["status"], r["session_status"]) == (t.ike.state, t.session_status)
            assert [int(x, 16) for x in r["spi_in"]] == [s.spi_in for s in sas]
            assert [int(x, 16) for x in r["spi_out"]] == [s.spi_out for s in sas]
            if command.endswith("detailed"):
                assert int(r["conn_id"]) == t.ike.conn_id
                assert r["local_spi"] != ""


def test_ios_isakmp_policy_lists_the_configured_policies(lab: RunningLab, cli: Any) -> None:
    records = parse("ios15", "show crypto isakmp policy", cli("hq-rtr", "sh cry isa pol"))
    policies = sorted(
        lab.lab.engine.scenario.device("hq-rtr").ike_policies, key=lambda p: p.priority
    )
    configured = [r for r in records if not r["default"]]
    assert [int(r["priority"]) for r in configured] == [p.priority for p in policies]
    for r, p in zip(configured, policies, strict=True):
        assert (int(r["dh_group"]), int(r["lifetime"])) == (p.group, p.lifetime)
        bits = p.encryption.split()[1] if " " in p.encryption else "128"
        assert r["key_size"] == bits and r["encryption"].startswith(p.encryption.split()[0].upper())
        assert r["auth"] == "Pre-Shared Key"
    assert [r["default"] for r in records][-1] == "Default"


def test_ios_transform_sets_list_the_configured_sets(lab: RunningLab, cli: Any) -> None:
    records = parse("ios15", "show crypto ipsec transform-set", cli("hq-rtr", "sh cry ipsec trans"))
    sets = lab.lab.engine.scenario.device("hq-rtr").transform_sets
    assert [r["name"] for r in records] == [ts.name for ts in sets]
    for r, ts in zip(records, sets, strict=True):
        assert len(r["transforms"]) == len(ts.transforms)
        assert r["mode"].lower() == ts.mode


# -- ASA over SSH ---------------------------------------------------------------------------


PLAIN = "show vpn-sessiondb l2l filter ipaddress X"
DETAIL = "show vpn-sessiondb detail l2l filter ipaddress X"


def test_asa_vpn_sessiondb_filter_ipaddress(lab: RunningLab, cli: Any) -> None:
    sessions = {str(t.peer) for t in _tunnels(lab, "fw-asa9") if any(s.has_sa for s in t.ipsec)}
    assert len(sessions) > 1  # the filter has something to leave out
    for peer in sorted(sessions):
        plain = cli("fw-asa9", f"sh vpn-s l2l filter ipaddress {peer}")
        assert [r["peer"] for r in parse("asa9", PLAIN, plain)] == [peer]
        detail = cli("fw-asa9", f"show vpn-sessiondb detail l2l filter ipaddress {peer}")
        assert {r["ip_address"] for r in parse("asa9", DETAIL, detail)} == {peer}
    down = "198.51.100.5"  # psk mismatch to pix7: no session
    assert parse("asa9", PLAIN, cli("fw-asa9", f"show vpn-sessiondb l2l filter ip {down}")) == []


def _need_sa(lab: RunningLab, device: str) -> int:
    return sum(s.no_sa_send for t in _tunnels(lab, device) for s in t.ipsec)


@pytest.mark.parametrize("device", ["fw-asa9", "fw-asa82", "pix7"])
def test_asa_asp_drop_counts_packets_without_an_sa(lab: RunningLab, cli: Any, device: str) -> None:
    fam = lab.lab.endpoint(device).family
    before = _need_sa(lab, device)
    records = parse(fam, "show asp drop", cli(device, "show asp drop"))
    after = _need_sa(lab, device)
    by_reason = {r["reason"]: int(r["count"]) for r in records}
    assert set(by_reason) == {"ipsec-need-sa"}  # no stale SA on these devices
    assert before <= by_reason["ipsec-need-sa"] <= after
    assert {r["section"] for r in records} == {"Frame"}


def test_asp_drop_charges_a_stale_sa_with_invalid_spi_drops() -> None:
    """In-process: fw-asa9's tunnel to hq-rtr made stale; the peer's packets since the SA
    froze (600 s before lab start, by the timeline) are dropped as invalid-SPI [E]."""
    scenario = load_scenario("default")
    devices = []
    for d in scenario.devices:
        if d.name == "fw-asa9":
            entries = tuple(
                dataclasses.replace(e, faults=("stale",)) if e.seq == 10 else e
                for e in d.map_entries
            )
            d = dataclasses.replace(d, map_entries=entries)
        devices.append(d)
    engine = Engine(dataclasses.replace(scenario, devices=tuple(devices)))
    ctx = context_for(engine, "fw-asa9")
    stale = next(t for t in ctx.tunnels() if "stale" in t.entry.faults)
    drops = asp_frame_drops(ctx)
    assert drops["np-sp-invalid-spi"] >= stale.entry.pps * 600
    m = grammars("asa9")["enable"].match("show asp drop")
    assert isinstance(m, Match)
    records = parse("asa9", "show asp drop", m.handler(ctx, m.args))
    assert {r["reason"]: int(r["count"]) for r in records}["np-sp-invalid-spi"] == drops[
        "np-sp-invalid-spi"
    ]


def test_asa_vpn_context_detail_has_two_contexts_per_sa(lab: RunningLab, cli: Any) -> None:
    tunnels = _tunnels(lab, "fw-asa9")
    records = parse(
        "asa9", "show asp table vpn-context detail", cli("fw-asa9", "sh asp tab vpn-c det")
    )
    expected = {
        (str(t.peer), flags, spi)
        for t in tunnels
        for s in t.ipsec
        if s.has_sa
        for flags, spi in (("DECR+ESP", s.spi_in), ("ENCR+ESP", s.spi_out))
    }
    assert {(r["peer_ip"], r["flags"], int(r["spi"], 16)) for r in records} == expected
    later = {
        (str(t.peer), s.spi_in): s.decaps
        for t in _tunnels(lab, "fw-asa9")
        for s in t.ipsec
        if s.has_sa
    }
    earlier = {(str(t.peer), s.spi_in): s.decaps for t in tunnels for s in t.ipsec if s.has_sa}
    for r in (r for r in records if r["flags"] == "DECR+ESP"):
        key = (r["peer_ip"], int(r["spi"], 16))
        assert earlier[key] <= int(r["pkts"]) <= later[key]
