"""The project's cisco_ios templates read the lab's IOS / IOS-XE output back to the engine's state.

For every command the collector runs on an IOS family and every command the lab's IOS
renderer answers, the output of the lab devices (default scenario ``hq-rtr`` (ios15) and
``br-xe`` (xe17, also rendered as xe16), plus the ios12.4 router declared below) is parsed
with :func:`ipsec_ops.parse.parse` the way the collector parses it. Nothing may raise, and
the records of the project's templates must agree with the engine's TunnelView objects:
peers, IKE states and versions, conn-ids, SPIs in / out, encaps / decaps, session status.
This is the test that fails when a change to the lab's rendering breaks a template.

The ``check_*`` functions are also what the lab fixtures under
``tests/templates/cisco_ios/*/lab_*.yml`` were verified with before they were written.
"""

from __future__ import annotations

import dataclasses
import ipaddress
from collections.abc import Callable, Iterable
from typing import Any

import pytest

from ipsec_ops.lab.engine import Engine
from ipsec_ops.lab.grammar import Match, build, expand
from ipsec_ops.lab.render import ios_common, ios_system
from ipsec_ops.lab.render.base import RenderContext, context_for, syslog_time
from ipsec_ops.lab.render.ios import KNOWN, commands
from ipsec_ops.lab.render.ios_names import ikev2_spi, lifetime_hms
from ipsec_ops.lab.scenario import load_scenario, scenario_from_text
from ipsec_ops.lab.session import apply_filter
from ipsec_ops.lab.views import IpsecView, TunnelView
from ipsec_ops.parse import ParseError, find_template, parse
from ipsec_ops.platforms import family

Record = dict[str, Any]

# An IOS 12.4 router: the default scenario has none. One tunnel per condition the 12.4
# renderers print, a crypto ACL with two lines (two proxy pairs on one tunnel), PFS and a
# non-default lifetime, 3DES/MD5 everywhere.
OLD_SCENARIO = """
name: ios124
description: One IOS 12.4 router with a tunnel in each condition
seed: 7
devices:
  old-rtr:
    platform: cisco_ios
    family: ios12.4
    version: 12.4(24)T8
    hostname: OLD-RTR
    model: CISCO2811
    username: admin
    password: Lab-Old-Pass-1
    enable_secret: Lab-Old-Enable-1
    ike_policies:
      - {priority: 10, encryption: 3des, hash: md5, group: 2, lifetime: 86400}
    transform_sets:
      - {name: TS-3DES, transforms: [esp-3des, esp-md5-hmac]}
    crypto_map_name: OLDMAP
    interfaces:
      - {name: FastEthernet0/0, address: 192.0.2.1/24, crypto_map: OLDMAP, description: WAN}
      - {name: FastEthernet0/1, address: 10.20.0.1/24, description: LAN}
    crypto_map:
      - seq: 10
        peer: 203.0.113.101
        description: "[healthy] two proxy pairs, PFS group 2"
        acl: ["10.20.0.0/24 10.101.0.0/24", "10.20.1.0/24 10.101.1.0/24"]
        acl_name: "110"
        psk: Old-Psk-101
        transform_set: TS-3DES
        pfs_group: 2
        lifetime_s: 28800
      - seq: 20
        peer: 203.0.113.102
        description: "[peer-unreachable] never answers"
        acl: ["10.20.0.0/24 10.102.0.0/24"]
        acl_name: TO-102
        psk: Old-Psk-102
        transform_set: TS-3DES
      - seq: 30
        peer: 203.0.113.103
        description: "[phase2-mismatch] peer offers AES only"
        acl: ["10.20.0.0/24 10.103.0.0/24"]
        acl_name: TO-103
        psk: Old-Psk-103
        transform_set: TS-3DES
      - seq: 40
        peer: 203.0.113.104
        description: "[psk-mismatch] keys differ"
        acl: ["10.20.0.0/24 10.104.0.0/24"]
        acl_name: TO-104
        psk: Old-Psk-104-Here
        transform_set: TS-3DES
      - seq: 50
        peer: 203.0.113.105
        description: "[stale-sa] SA present but frozen"
        acl: ["10.20.0.0/24 10.105.0.0/24"]
        acl_name: TO-105
        psk: Old-Psk-105
        transform_set: TS-3DES
        faults: [stale]
      - seq: 60
        peer: 203.0.113.106
        description: "[flapping] goes up and down"
        acl: ["10.20.0.0/24 10.106.0.0/24"]
        acl_name: TO-106
        psk: Old-Psk-106
        transform_set: TS-3DES
        faults: [flapping]
peers:
  - address: 203.0.113.101
    psk: Old-Psk-101
    pfs_group: 2
    ike_policies: [{priority: 10, encryption: 3des, hash: md5, group: 2}]
    transform_sets: [{name: TS, transforms: [esp-3des, esp-md5-hmac]}]
  - {address: 203.0.113.102, answers: false}
  - address: 203.0.113.103
    psk: Old-Psk-103
    ike_policies: [{priority: 10, encryption: 3des, hash: md5, group: 2}]
    transform_sets: [{name: TS, transforms: [esp-aes 256, esp-sha-hmac]}]
  - address: 203.0.113.104
    psk: Old-Psk-104-There
    ike_policies: [{priority: 10, encryption: 3des, hash: md5, group: 2}]
    transform_sets: [{name: TS, transforms: [esp-3des, esp-md5-hmac]}]
  - address: 203.0.113.105
    psk: Old-Psk-105
    ike_policies: [{priority: 10, encryption: 3des, hash: md5, group: 2}]
    transform_sets: [{name: TS, transforms: [esp-3des, esp-md5-hmac]}]
  - address: 203.0.113.106
    psk: Old-Psk-106
    ike_policies: [{priority: 10, encryption: 3des, hash: md5, group: 2}]
    transform_sets: [{name: TS, transforms: [esp-3des, esp-md5-hmac]}]
"""

# (scenario, device, family it is rendered as)
TARGETS = [
    ("default", "hq-rtr", "ios15"),
    ("default", "br-xe", "xe17"),
    ("default", "br-xe", "xe16"),
    ("ios124", "old-rtr", "ios12.4"),
]
TARGET_IDS = [f"{dev}-{fam}" for _, dev, fam in TARGETS]


def new_engine(scenario: str) -> Engine:
    if scenario == "ios124":
        return Engine(scenario_from_text(OLD_SCENARIO, "ios124.yaml"))
    return Engine(load_scenario(scenario))


@pytest.fixture(scope="module")
def engines() -> dict[str, Engine]:
    return {name: new_engine(name) for name in ("default", "ios124")}


def lab_context(engine: Engine, device: str, family_name: str) -> RenderContext:
    """A render context for a lab device, rendered as ``family_name``."""
    ctx = context_for(engine, device)
    if ctx.device.family == family_name:
        return ctx
    return dataclasses.replace(ctx, device=dataclasses.replace(ctx.device, family=family_name))


def render(ctx: RenderContext, line: str) -> str:
    """What the lab prints for ``line`` (abbreviations and `| section` filters allowed)."""
    command, _, pipe = line.partition("|")
    table = commands(ctx.device.family)
    found = build(table, dict(KNOWN)).match(command)
    assert isinstance(found, Match), f"the lab does not answer {line!r}: {found}"
    text = str(found.handler(ctx, found.args))
    return apply_filter(text, pipe) if pipe.strip() else text


def renderer_lines(ctx: RenderContext) -> list[str]:
    """Every concrete command line of the IOS renderer table, parameters filled in."""
    first = ctx.device.map_entries[0]
    values = {"peer": str(first.peer), "addr": str(first.peer), "name": first.acl_name}
    # show crypto session filters (issue 10)
    values |= {"fvrf": "INET", "ivrf": "CORP", "group": "RA-STAFF", "username": "alice"}
    lines = []
    for syntax, _ in commands(ctx.device.family):
        for tokens in expand(syntax):
            words = [
                values[t.strip("<>").split(":")[1]] if t.startswith("<") else t for t in tokens
            ]
            lines.append(" ".join(words))
    return lines


# -- expectations from the engine ----------------------------------------------------


def hexspi(spi: int) -> str:
    return f"0x{spi:X}"


def pairs(ctx: RenderContext, peer: str | None = None) -> list[tuple[TunnelView, IpsecView]]:
    """(tunnel, proxy pair) in the order IOS prints them: by interface, then map entry."""
    out = []
    views = ctx.tunnels()
    for intf in ctx.device.interfaces:
        if not intf.crypto_map:
            continue
        for t in views:
            if t.entry.interface == intf.name and (peer is None or str(t.peer) == peer):
                out += [(t, sa) for sa in t.ipsec]
    return out


def peer_of(line: str) -> str | None:
    words = line.split()
    return words[words.index("peer") + 1] if "peer" in words[3:] else None


def check_isakmp_sa(ctx: RenderContext, records: list[Record], line: str) -> None:
    v1 = [t for t in ctx.tunnels() if t.ike is not None and t.ike.version == 1]
    assert len(records) == len(v1)
    for rec, t in zip(records, v1, strict=True):
        ike = t.ike
        assert ike is not None
        dst, src = (t.peer, t.local) if ike.role == "initiator" else (t.local, t.peer)
        assert (rec["dst"], rec["src"]) == (str(dst), str(src))
        assert rec["state"] == ike.state
        assert rec["conn_id"] == str(0 if ike.state == "MM_NO_STATE" else ike.conn_id)
        assert rec["status"] == "ACTIVE" and rec["deleted"] == ""


def check_isakmp_sa_detail(ctx: RenderContext, records: list[Record], line: str) -> None:
    v1 = [t for t in ctx.tunnels() if t.ike is not None and t.ike.version == 1]
    assert len(records) == len(v1)
    for rec, t in zip(records, v1, strict=True):
        ike = t.ike
        assert ike is not None
        conn = 0 if ike.state == "MM_NO_STATE" else ike.conn_id
        assert (rec["conn_id"], rec["local"], rec["peer"]) == (str(conn), str(t.local), str(t.peer))
        assert rec["lifetime"] == lifetime_hms(ike.lifetime_left_s)
        assert rec["capabilities"] == ("D" if ike.established else "")
        assert rec["status"] == "ACTIVE" and rec["ip_version"] == "IPv4"
        if ike.policy is not None:
            assert rec["dh_group"] == str(ike.policy.group)


def check_isakmp_peers(ctx: RenderContext, records: list[Record], line: str) -> None:
    wanted = line.split()[4] if len(line.split()) > 4 else None
    v1 = [t for t in ctx.tunnels() if t.ike is not None and t.ike.version == 1]
    v1 = [t for t in v1 if wanted is None or str(t.peer) == wanted]
    assert [r["peer"] for r in records] == [str(t.peer) for t in v1]
    for rec, t in zip(records, v1, strict=True):
        assert t.ike is not None
        assert (rec["local"], rec["port"]) == (str(t.local), "500")
        assert rec["phase1_id"] == (str(t.peer) if t.ike.established else "")


def check_ikev2_sa(ctx: RenderContext, records: list[Record], line: str) -> None:
    v2 = [t for t in ctx.tunnels() if t.ike is not None and t.ike.version == 2]
    assert len(records) == len(v2)
    for n, (rec, t) in enumerate(zip(records, v2, strict=True), start=1):
        ike = t.ike
        assert ike is not None
        assert rec["tunnel_id"] == str(n)
        assert (rec["local"], rec["peer"]) == (str(t.local), str(t.peer))
        assert (rec["local_port"], rec["peer_port"]) == ("500", "500")
        assert rec["status"] == ike.state and rec["active_time"] == str(ike.age_s)
        if line.endswith("detailed"):
            assert rec["conn_id"] == str(ike.conn_id)
            assert rec["initiator"] == ("Yes" if ike.role == "initiator" else "No")
            assert rec["local_spi"] == ikev2_spi(ike.local_spi)
            assert rec["remote_spi"] == ikev2_spi(ike.remote_spi)
            assert rec["status_description"].startswith("Negotiation")


def check_ipsec_sa(ctx: RenderContext, records: list[Record], line: str) -> None:
    if line.endswith("address"):
        return check_ipsec_sa_address(ctx, records)
    expected = pairs(ctx, peer_of(line))
    assert len(records) == len(expected)
    for rec, (t, sa) in zip(records, expected, strict=True):
        assert (rec["interface"], rec["crypto_map"]) == (t.entry.interface, t.entry.map_name)
        assert (rec["peer"], rec["peer_port"], rec["local"]) == (str(t.peer), "500", str(t.local))
        assert (rec["local_net"], rec["local_mask"]) == (
            str(sa.local_net.network_address),
            str(sa.local_net.netmask),
        )
        assert (rec["remote_net"], rec["remote_mask"]) == (
            str(sa.remote_net.network_address),
            str(sa.remote_net.netmask),
        )
        assert (rec["encaps"], rec["decaps"]) == (str(sa.encaps), str(sa.decaps))
        assert (rec["send_errors"], rec["recv_errors"]) == (
            str(sa.send_errors),
            str(sa.recv_errors),
        )
        assert rec["current_outbound_spi"] == hexspi(sa.spi_out)
        if sa.has_sa:
            assert (rec["spi_in"], rec["spi_out"]) == ([hexspi(sa.spi_in)], [hexspi(sa.spi_out)])
            assert rec["conn_id_in"] == [str(sa.conn_id_in)]
            assert rec["conn_id_out"] == [str(sa.conn_id_out)]
            assert rec["lifetime_sec_in"] == [str(sa.lifetime_left_s)]
            assert rec["lifetime_kb_out"] == [str(sa.lifetime_left_kb)]
        else:  # the proxy pair without SA still has its record, and says so
            assert rec["current_outbound_spi"] == "0x0"
            assert rec["spi_in"] == rec["spi_out"] == rec["conn_id_in"] == []
        assert rec["pfs"] == ("Y" if sa.pfs_group else "N")


def check_ipsec_sa_address(ctx: RenderContext, records: list[Record]) -> None:
    groups: dict[ipaddress.IPv4Address, list[tuple[int, int]]] = {}
    for t in ctx.tunnels():
        for sa in (s for s in t.ipsec if s.has_sa):
            groups.setdefault(t.local, []).append((sa.spi_in, sa.conn_id_in))
            groups.setdefault(t.peer, []).append((sa.spi_out, sa.conn_id_out))
    assert [r["dest_address"] for r in records] == [str(a) for a in sorted(groups)]
    for rec, dest in zip(records, sorted(groups), strict=True):
        assert rec["protocol"] == "ESP"
        assert rec["spi"] == [hexspi(spi) for spi, _ in groups[dest]]
        assert rec["sa_conn_id"] == [str(conn) for _, conn in groups[dest]]
        assert rec["fvrf"] == ("" if ctx.device.family == "ios12.4" else "(none)")
        assert rec["peer"] == rec["current_outbound_spi"] == ""


def check_ipsec_sa_detail(ctx: RenderContext, records: list[Record], line: str) -> None:
    expected: list[tuple[TunnelView, IpsecView, str]] = []
    for t, sa in pairs(ctx, peer_of(line)):
        expected += [(t, sa, "inbound"), (t, sa, "outbound")] if sa.has_sa else [(t, sa, "")]
    assert len(records) == len(expected)
    for rec, (t, sa, way) in zip(records, expected, strict=True):
        assert (rec["interface"], rec["crypto_map_tag"]) == (t.entry.interface, t.entry.map_name)
        assert (rec["current_peer"], rec["local_crypto_endpt"]) == (str(t.peer), str(t.local))
        assert rec["local_ident_addr"] == str(sa.local_net.network_address)
        assert rec["remote_ident_addr"] == str(sa.remote_net.network_address)
        assert (rec["pkts_encaps"], rec["pkts_decaps"]) == (str(sa.encaps), str(sa.decaps))
        assert rec["pkts_no_sa"] == str(sa.no_sa_send)
        assert rec["current_outbound_spi_hex"] == hexspi(sa.spi_out)
        assert rec["sa_orientation"] == way
        if not way:  # a proxy pair with no SA: one record, SA fields empty
            assert rec["sa_spi_hex"] == rec["sa_conn_id"] == rec["sa_type"] == ""
            continue
        spi, conn = (sa.spi_in, sa.conn_id_in) if way == "inbound" else (sa.spi_out, sa.conn_id_out)
        assert (rec["sa_type"], rec["sa_spi_hex"], rec["sa_spi_dec"]) == (
            "esp",
            hexspi(spi),
            str(spi),
        )
        assert rec["sa_conn_id"] == str(conn) and rec["sa_crypto_map"] == t.entry.map_name
        assert rec["sa_lifetime_sec"] == str(sa.lifetime_left_s)
        assert rec["sa_lifetime_kbytes"] == str(sa.lifetime_left_kb)
        assert rec["sa_status"] == (
            "ACTIVE" if ctx.device.family == "ios12.4" else "ACTIVE(ACTIVE)"
        )
        xe = ctx.device.family.startswith("xe")
        assert rec["sa_replay_window_size"] == ("64" if xe else "")
        assert rec["pkts_tagged"] == ("0" if xe else "")


def check_session(ctx: RenderContext, records: list[Record], line: str) -> None:
    detail = line.endswith("detail")
    views = ctx.tunnels()
    if set(line.split()) & {"fvrf", "ivrf", "group", "username"}:
        views = []  # lab site-to-site sessions have no VRF, user or group (issue 10)
    assert len(records) == len(views)
    for rec, t in zip(records, views, strict=True):
        assert (rec["interface"], rec["peer"], rec["port"]) == (
            t.entry.interface,
            str(t.peer),
            "500",
        )
        assert rec["session_status"] == t.session_status
        ike = t.ike
        if ike is None:
            assert rec["ike_version"] == rec["local_ip"] == rec["conn_id"] == []
        else:
            assert rec["ike_version"] == [f"IKEv{ike.version}"]
            assert (rec["local_ip"], rec["remote_ip"]) == ([str(t.local)], [str(t.peer)])
            assert rec["ikev1_status"] == ["Active" if ike.established else "Inactive"]
            if detail:
                assert rec["conn_id"] == [str(ike.conn_id if ike.established else 0)]
        assert rec["src_host"] == [str(sa.local_net.network_address) for sa in t.ipsec]
        assert rec["dst_mask"] == [str(sa.remote_net.netmask) for sa in t.ipsec]
        assert rec["active_sa"] == ["2" if sa.has_sa else "0" for sa in t.ipsec]
        if detail:
            assert rec["decaps"] == [str(sa.decaps) for sa in t.ipsec]
            assert rec["encaps"] == [str(sa.encaps) for sa in t.ipsec]
            assert rec["decaps_drop"] == [str(sa.recv_errors) for sa in t.ipsec]
            assert rec["encaps_drop"] == [str(sa.send_errors + sa.no_sa_send) for sa in t.ipsec]
            assert rec["uptime"] != "" if t.uptime_s is not None else rec["uptime"] == ""
        else:
            assert rec["decaps"] == rec["encaps"] == []


def check_engine_connections(ctx: RenderContext, records: list[Record], line: str) -> None:
    rows: dict[int, tuple[str, int, int]] = {}
    for t in ctx.tunnels():
        ike = t.ike
        if ike is not None and ike.established and ike.policy is not None:
            rows[ike.conn_id] = ("IKE" if ike.version == 1 else "IKEv2", 0, 0)
        for sa in (s for s in t.ipsec if s.has_sa):
            rows[sa.conn_id_in] = ("IPsec", 0, sa.decaps)
            rows[sa.conn_id_out] = ("IPsec", sa.encaps, 0)
    assert [r["conn_id"] for r in records] == [str(c) for c in sorted(rows)]
    for rec, conn in zip(records, sorted(rows), strict=True):
        kind, enc, dec = rows[conn]
        assert (rec["type"], rec["encrypt"], rec["decrypt"]) == (kind, str(enc), str(dec))


def check_crypto_map(ctx: RenderContext, records: list[Record], line: str) -> None:
    dev = ctx.device
    names = dict.fromkeys(e.map_name for e in dev.map_entries)
    by_name = [
        sorted((x for x in dev.map_entries if x.map_name == n), key=lambda x: x.seq) for n in names
    ]
    entries = [e for group in by_name for e in group]
    assert [(r["crypto_map"], r["seq"]) for r in records] == [
        (e.map_name, str(e.seq)) for e in entries
    ]
    for rec, e in zip(records, entries, strict=True):
        assert rec["peers"] == [str(e.peer)] and rec["current_peer"] == str(e.peer)
        assert rec["description"] == e.description and rec["acl_name"] == e.acl_name
        assert len(rec["acl_lines"]) == len(e.acl)
        assert (rec["lifetime_sec"], rec["lifetime_kb"]) == (
            str(e.sa_lifetime_s),
            str(e.sa_lifetime_kb),
        )
        assert rec["pfs"] == ("N" if e.pfs_group is None else "Y")
        assert rec["pfs_group"] == ("" if e.pfs_group is None else f"group{e.pfs_group}")
        assert rec["transform_sets"] == [e.transform_set]
        assert rec["ikev2_profile"] == (ios_common.IKEV2_PROFILE if e.ike_version == 2 else "")
        last = e == [x for x in entries if x.map_name == e.map_name][-1]
        users = [i.name for i in dev.interfaces if i.crypto_map == e.map_name]
        assert rec["interfaces"] == (users if last else [])


def check_debug_condition(ctx: RenderContext, records: list[Record], line: str) -> None:
    (rec,) = records
    conditions = ctx.state.debug_conditions
    assert rec["conditional_debug"] == ("ON" if conditions else "OFF")
    peers = [c.split()[-1] for c in conditions if c.startswith("peer ")]
    values = " ".join(" ".join(v.split()) for v in rec["filter_values"]).split()
    assert [v for v in values if v in peers] == peers


def check_debugging(ctx: RenderContext, records: list[Record], line: str) -> None:
    debugs = sorted(ctx.state.debugs)
    assert [f"{r['debug']} debugging is {r['state']}" for r in records] == [
        ios_system.debug_line(d) for d in debugs
    ]
    assert all(r["subsystem"] == "Cryptographic Subsystem" and r["crypto"] for r in records)


def check_running_config(ctx: RenderContext, records: list[Record], line: str) -> None:
    dev = ctx.device
    kinds: dict[str, list[Record]] = {}
    for r in records:
        kinds.setdefault(r["record_type"], []).append(r)
    maps = kinds.get("crypto map", [])
    assert [(r["crypto_map"], r["seq"]) for r in maps] == [
        (e.map_name, str(e.seq)) for e in dev.map_entries
    ]
    for rec, e in zip(maps, dev.map_entries, strict=True):
        assert rec["peers"] == [str(e.peer)] and rec["acl_name"] == e.acl_name
        assert rec["transform_set"] == e.transform_set and rec["description"] == e.description
        assert rec["pfs_group"] == ("" if e.pfs_group is None else f"group{e.pfs_group}")
        assert rec["ikev2_profile"] == (ios_common.IKEV2_PROFILE if e.ike_version == 2 else "")
        assert rec["lifetime_sec"] == ("" if e.sa_lifetime_s == 3600 else str(e.sa_lifetime_s))
    keys = [r["peers"] for r in kinds.get("crypto isakmp key", [])]
    assert keys == [[str(e.peer)] for e in dev.map_entries if e.ike_version == 1]
    v2 = [str(e.peer) for e in dev.map_entries if e.ike_version == 2]
    assert [p for r in kinds.get("crypto ikev2 keyring", []) for p in r["peers"]] == v2
    assert bool(kinds.get("crypto logging")) == dev.crypto_logging
    secrets = [e.psk for e in dev.map_entries]
    assert not [s for r in records for s in secrets if s in str(r.values())]
    if "|" in line:  # `| section crypto` keeps crypto sections only
        assert "interface" not in kinds and "ip access-list extended" not in kinds
        return
    intfs = kinds.get("interface", [])
    assert [(r["interface"], r["crypto_map"]) for r in intfs] == [
        (i.name, i.crypto_map or "") for i in dev.interfaces
    ]
    acls = {r["acl_name"]: r["acl_lines"] for r in kinds.get("ip access-list extended", [])}
    acls.update({r["acl_name"]: r["acl_lines"] for r in kinds.get("access-list", [])})
    for e in ios_common.unique_acls(dev):
        assert acls[e.acl_name] == [ios_common.acl_line_text(e, i) for i in range(len(e.acl))]


_MNEMONIC = {"p1_auth": "IKMP_BAD_MESSAGE", "p1_policy": "IKMP_MODE_FAILURE"}
_MNEMONIC.update(p2_transform="IKMP_MODE_FAILURE", p2_proxy="IKMP_MODE_FAILURE")


def check_logging(ctx: RenderContext, records: list[Record], line: str) -> None:
    events = [
        ev
        for ev in ctx.events()
        if ios_system.log_line(ctx, ev.kind, str(ev.peer), ev.ike_version) is not None
    ]
    assert len(records) == len(events)
    for rec, ev in zip(records, events, strict=True):
        assert rec["timestamp"] == syslog_time(ev.at) and rec["facility"] == "CRYPTO"
        assert rec["peer"] == str(ev.peer)
        if ev.kind in ("up", "down"):
            tag = "IKEV2_SESSION_STATUS" if ev.ike_version == 2 else "SESSION_STATUS"
            assert (rec["mnemonic"], rec["status"]) == (tag, ev.kind.upper())
            assert (rec["port"], rec["session_id"]) == ("500", str(ev.peer))
        else:
            assert rec["mnemonic"] == _MNEMONIC[ev.kind]
            if rec["mnemonic"] == "IKMP_MODE_FAILURE":
                assert rec["mode"] == ("Main" if ev.kind == "p1_policy" else "Quick")


Check = Callable[[RenderContext, list[Record], str], None]
CHECKS: dict[str, Check] = {
    "cisco_ios_show_crypto_isakmp_sa.textfsm": check_isakmp_sa,
    "cisco_ios_show_crypto_isakmp_sa_detail.textfsm": check_isakmp_sa_detail,
    "cisco_ios_show_crypto_isakmp_peers.textfsm": check_isakmp_peers,
    "cisco_ios_show_crypto_ikev2_sa.textfsm": check_ikev2_sa,
    "cisco_ios_show_crypto_ikev2_sa_detailed.textfsm": check_ikev2_sa,
    "cisco_ios_show_crypto_ipsec_sa.textfsm": check_ipsec_sa,
    "cisco_ios_show_crypto_ipsec_sa_detail.textfsm": check_ipsec_sa_detail,
    "cisco_ios_show_crypto_session.textfsm": check_session,
    "cisco_ios_show_crypto_session_detail.textfsm": check_session,
    "cisco_ios_show_crypto_engine_connections_active.textfsm": check_engine_connections,
    "cisco_ios_show_crypto_map.textfsm": check_crypto_map,
    "cisco_ios_show_crypto_debug-condition.textfsm": check_debug_condition,
    "cisco_ios_show_debugging.textfsm": check_debugging,
    "cisco_ios_show_running-config_crypto.textfsm": check_running_config,
    "cisco_ios_show_logging.textfsm": check_logging,
}


def parse_and_check(ctx: RenderContext, line: str) -> tuple[str, list[Record]]:
    """Render ``line``, parse it as the collector does, check project-template records."""
    text = render(ctx, line)
    records = parse(ctx.device.family, line, text)
    template = find_template(ctx.device.family, line).name
    check = CHECKS.get(template)
    if check is not None:
        check(ctx, records, " ".join(line.split()))
    return template, records


def checked(ctx: RenderContext, lines: Iterable[str]) -> set[str]:
    return {parse_and_check(ctx, line)[0] for line in lines}


# -- the tests ---------------------------------------------------------------------------


@pytest.mark.parametrize(("scenario", "device", "fam"), TARGETS, ids=TARGET_IDS)
def test_collector_commands_parse_to_engine_state(
    engines: dict[str, Engine], scenario: str, device: str, fam: str
) -> None:
    ctx = lab_context(engines[scenario], device, fam)
    used = checked(ctx, family(fam).show_commands)
    assert "cisco_ios_show_crypto_session_detail.textfsm" in used


@pytest.mark.parametrize(("scenario", "device", "fam"), TARGETS, ids=TARGET_IDS)
def test_renderer_commands_parse_to_engine_state(
    engines: dict[str, Engine], scenario: str, device: str, fam: str
) -> None:
    ctx = lab_context(engines[scenario], device, fam)
    used = checked(ctx, renderer_lines(ctx))
    wanted = set(CHECKS)
    if not family(fam).ikev2:
        wanted -= {"cisco_ios_show_crypto_ikev2_sa.textfsm"}
        wanted -= {"cisco_ios_show_crypto_ikev2_sa_detailed.textfsm"}
    assert wanted <= used


@pytest.mark.parametrize(("scenario", "device", "fam"), TARGETS, ids=TARGET_IDS)
def test_debugs_and_conditions_parse(
    engines: dict[str, Engine], scenario: str, device: str, fam: str
) -> None:
    ctx = lab_context(engines[scenario], device, fam)
    ctx.state.debugs.update({"crypto isakmp", "crypto ipsec", "crypto engine"})
    ctx.state.debug_conditions.extend(
        ["peer ipv4 198.51.100.2", "peer ipv4 203.0.113.9", "spi 256"]
    )
    _, records = parse_and_check(ctx, "show debugging")
    assert len(records) == 3
    _, (cond,) = parse_and_check(ctx, "show crypto debug-condition")
    assert cond["filter_types"] == ["IKE peer IP address", "SPI"]
    assert cond["filter_values"] == ["198.51.100.2 203.0.113.9", "256"]


@pytest.mark.parametrize(("scenario", "device", "fam"), TARGETS, ids=TARGET_IDS)
def test_tunnel_up_down_logs_parse(scenario: str, device: str, fam: str) -> None:
    engine = new_engine(scenario)  # clears mutate the engine: a fresh one
    ctx = lab_context(engine, device, fam)
    for entry in ctx.device.map_entries[:2]:
        engine.clear(ctx.device, entry.peer, at=ctx.now - 30)
    _, records = parse_and_check(ctx, "show logging")
    status = [r for r in records if r["mnemonic"].endswith("SESSION_STATUS")]
    assert {r["status"] for r in status} == {"UP", "DOWN"}


def test_states_the_lab_shows_reach_the_records(engines: dict[str, Engine]) -> None:
    """The conditions the health report must tell apart are visible in the parsed records."""
    ctx = lab_context(engines["default"], "hq-rtr", "ios15")
    isakmp = {
        r["dst"]: r["state"]
        for r in parse("ios15", "show crypto isakmp sa", render(ctx, "show crypto isakmp sa"))
    }
    assert isakmp["198.51.100.4"] == "MM_KEY_EXCH" and isakmp["203.0.113.10"] == "MM_NO_STATE"
    sessions = {
        r["peer"]: r
        for r in parse("ios15", "show crypto session detail", render(ctx, "sh cry ses det"))
    }
    assert sessions["203.0.113.40"]["session_status"] == "UP-NO-IKE"
    assert sessions["203.0.113.40"]["ike_version"] == []
    assert sessions["198.51.100.2"]["ike_version"] == ["IKEv2"]
    sa = parse("ios15", "show crypto ipsec sa", render(ctx, "show crypto ipsec sa"))
    down = [r for r in sa if r["peer"] == "198.51.100.6"]
    assert [(r["current_outbound_spi"], r["spi_in"]) for r in down] == [("0x0", [])]
    old = lab_context(engines["ios124"], "old-rtr", "ios12.4")
    old_sa = parse("ios12.4", "show crypto ipsec sa", render(old, "show crypto ipsec sa"))
    two = [r for r in old_sa if r["peer"] == "203.0.113.101"]
    assert [r["remote_net"] for r in two] == ["10.101.0.0", "10.101.1.0"]
    assert all(len(r["spi_in"]) == len(r["spi_out"]) == 1 for r in two)


STRANGE = "   a line no IOS release prints 4711"


@pytest.mark.parametrize("template", sorted(CHECKS))
def test_an_unknown_line_is_reported_not_dropped(engines: dict[str, Engine], template: str) -> None:
    ctx = lab_context(engines["default"], "hq-rtr", "ios15")
    ctx.state.debugs.add("crypto isakmp")
    line = next(li for li in renderer_lines(ctx) if find_template("ios15", li).name == template)
    lines = render(ctx, line).splitlines()
    text = "\n".join([*lines[:2], STRANGE, *lines[2:]])
    if template == "cisco_ios_show_running-config_crypto.textfsm":
        # the commented catch-all ignores configuration this template does not read
        assert STRANGE.strip() not in str(parse("ios15", line, text))
    elif template == "cisco_ios_show_logging.textfsm":
        # header lines are matched explicitly: an unknown one is an error ...
        with pytest.raises(ParseError) as err:
            parse("ios15", line, text)
        assert err.value.line_no == 3
        # ... and in the buffer any line is kept as a generic record
        records = parse("ios15", line, "\n".join([*lines, STRANGE]))
        assert records[-1]["message"] == STRANGE.strip() and records[-1]["facility"] == ""
    else:
        with pytest.raises(ParseError) as err:
            parse("ios15", line, text)
        assert (err.value.template, err.value.line_no) == (template, 3)
