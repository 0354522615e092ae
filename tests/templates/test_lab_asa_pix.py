"""The ASA / PIX templates read what the lab prints, and what they read is the lab's state.

For every command the collector runs on asa8.2, asa9, pix7 and pix6.3
(``ipsec_ops.platforms.family(f).show_commands``) and every command the lab's ASA and
PIX renderers simulate, the output is rendered on the lab devices and parsed the way
the tool parses it (:func:`ipsec_ops.parse.parse`): no ParseError, no NoTemplate (except
the commands listed in ``NO_TEMPLATE``), and the records agree with the engine's
:class:`~ipsec_ops.lab.views.TunnelView` state at the same instant: peers, IKE states and
roles, SPIs in and out, encaps/decaps and error counters, session counts, configuration.

This is the test that fails when a change to the lab's output breaks a template (or a
template stops reading the lab).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from ipsec_ops.lab.engine import Engine
from ipsec_ops.lab.render import asa, pix6
from ipsec_ops.lab.render import asa_config as cfg
from ipsec_ops.lab.render.base import RenderContext, asa_time, context_for
from ipsec_ops.lab.scenario import load_scenario, scenario_from_text
from ipsec_ops.lab.views import IpsecView, TunnelView
from ipsec_ops.parse import TEMPLATES, NoTemplate, parse
from ipsec_ops.platforms import family

Record = dict[str, Any]
DEVICES = {"fw-asa9": "asa9", "fw-asa82": "asa8.2", "pix7": "pix7", "pix6": "pix6.3"}

# An ASA 9 with IKEv2 peers (one up, one failing) beside an IKEv1 peer with PFS: the
# default scenario has no IKEv2 tunnel on an ASA.
MIXED_SCENARIO = """
name: asa-mixed
description: an ASA 9 with IKEv1 and IKEv2 peers
defaults: {username: admin, password: Lab-Pw-1x, enable_secret: Lab-En-2y}
devices:
  fw-mixed:
    platform: cisco_asa
    family: asa9
    version: 9.16(4)
    hostname: FW-MIXED
    crypto_map_name: outside_map
    interfaces:
      - {name: GigabitEthernet0/0, nameif: outside, address: 192.0.2.1/24, crypto_map: outside_map}
      - {name: GigabitEthernet0/1, nameif: inside, security_level: 100, address: 10.9.0.1/24}
    ike_policies: [{priority: 10, encryption: aes 256, hash: sha, group: 14}]
    transform_sets: [{name: TS, transforms: [esp-aes 256, esp-sha-hmac]}]
    crypto_map:
      - {seq: 10, peer: 203.0.113.9, ike_version: 2, acl: ["10.9.0.0/24 10.8.0.0/24"],
         acl_name: VPN-V2, psk: Mixed-V2-Key-9q, transform_set: TS, description: "[healthy] v2"}
      - {seq: 20, peer: 203.0.113.10, acl: ["10.9.0.0/24 10.7.0.0/24"], pfs_group: 14,
         acl_name: VPN-V1, psk: Mixed-V1-Key-8w, transform_set: TS, description: "[healthy] v1"}
      - {seq: 30, peer: 203.0.113.11, ike_version: 2, acl: ["10.9.0.0/24 10.6.0.0/24"],
         acl_name: VPN-V2B, psk: Mixed-V2b-Key-7e, transform_set: TS,
         description: "[psk-mismatch] v2"}
peers:
  - {address: 203.0.113.9, psk: Mixed-V2-Key-9q,
     transform_sets: [{name: TS, transforms: [esp-aes 256, esp-sha-hmac]}]}
  - {address: 203.0.113.10, psk: Mixed-V1-Key-8w, pfs_group: 14,
     transform_sets: [{name: TS, transforms: [esp-aes 256, esp-sha-hmac]}]}
  - {address: 203.0.113.11, psk: Other-Key-6r,
     transform_sets: [{name: TS, transforms: [esp-aes 256, esp-sha-hmac]}]}
"""

# Commands the lab renders that no index (ours or ntc-templates') has a row for.
NO_TEMPLATE = {
    ("asa9", "show running-config"),
    ("asa9", "write terminal"),
    ("asa8.2", "show running-config"),
    ("asa8.2", "write terminal"),
    ("pix7", "show running-config"),
    ("pix7", "write terminal"),
    ("pix6.3", "show logging"),
    ("pix6.3", "show access-list"),
    ("pix6.3", "show running-config"),
    ("pix6.3", "write terminal"),
}
# Known gaps (family, command) -> reason, run as strict xfail so a fix shows. None left.
KNOWN_GAPS: dict[tuple[str, str], str] = {}


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(load_scenario("default"))


@pytest.fixture(scope="module")
def mixed() -> Engine:
    return Engine(scenario_from_text(MIXED_SCENARIO))


def renderers(family_name: str) -> dict[str, Any]:
    """Command (optional arguments dropped) -> renderer, for an ASA-code or PIX 6 family."""
    table = pix6.commands(family_name) if family_name == "pix6.3" else asa.commands(family_name)
    return {syntax.split(" [")[0]: renderer for syntax, renderer in table}


def commands(family_name: str) -> list[str]:
    """What the collector runs, then every other command the renderer simulates."""
    return list(dict.fromkeys([*family(family_name).show_commands, *renderers(family_name)]))


def show(ctx: RenderContext, command: str, **args: str) -> str:
    text: str = renderers(ctx.device.family)[command](ctx, dict(args))
    return text


def cases() -> Iterator[Any]:
    for device, family_name in DEVICES.items():
        for command in commands(family_name):
            marks = []
            if (family_name, command) in KNOWN_GAPS:
                marks = [pytest.mark.xfail(reason=KNOWN_GAPS[family_name, command], strict=True)]
            yield pytest.param(device, command, marks=marks, id=f"{family_name}:{command}")


@pytest.mark.parametrize(("device", "command"), list(cases()))
def test_every_command_parses_and_agrees_with_the_engine(
    engine: Engine, device: str, command: str
) -> None:
    ctx = context_for(engine, device)
    fam = ctx.device.family
    text = show(ctx, command)
    if (fam, command) in NO_TEMPLATE:
        with pytest.raises(NoTemplate):
            parse(fam, command, text)
        return
    records = parse(fam, command, text)
    check = checker(fam, command)
    if check is not None:
        check(ctx, records, command)


@pytest.mark.parametrize(
    "command",
    [
        "show crypto isakmp sa",
        "show crypto isakmp sa detail",
        "show crypto ikev1 sa detail",
        "show crypto ikev2 sa",
        "show crypto ikev2 sa detail",
        "show crypto ipsec sa",
        "show vpn-sessiondb l2l",
        "show running-config crypto",
        "show running-config crypto ikev2",
        "show running-config tunnel-group",
        "show logging",
    ],
)
def test_an_asa_with_ikev2_peers(mixed: Engine, command: str) -> None:
    ctx = context_for(mixed, "fw-mixed")
    records = parse("asa9", command, show(ctx, command))
    check = checker("asa9", command)
    assert check is not None
    check(ctx, records, command)


def test_ipsec_sa_of_one_peer(engine: Engine) -> None:
    ctx = context_for(engine, "fw-asa9")
    for t in ctx.tunnels():
        command = f"show crypto ipsec sa peer {t.peer}"
        text = asa.ipsec_sa(None, ctx, {"peer": str(t.peer)})
        check_ipsec_sa(ctx, parse("asa9", command, text), command)


def test_debugs_that_are_on(engine: Engine) -> None:
    for device, words in (
        ("fw-asa9", ["debug crypto ikev1 127", "debug crypto ipsec 127"]),
        ("fw-asa82", ["debug crypto isakmp 127"]),
        ("pix7", ["debug crypto isakmp 127", "debug crypto ipsec 1"]),
        ("pix6", ["debug crypto isakmp", "debug crypto ipsec 1"]),
    ):
        ctx = context_for(engine, device)
        ctx.state.debugs.update(words)
        records = parse(ctx.device.family, "show debug", show(ctx, "show debug"))
        check_debug(ctx, records)
        assert len(records) == len(words)


def test_debug_conditions_that_are_set(engine: Engine) -> None:
    ctx = context_for(engine, "fw-asa9")
    ctx.state.debug_conditions.extend(
        ["peer 198.51.100.1", "peer 10.0.0.0 255.0.0.0", "unmatched ipsec", "user bob"]
    )
    text = show(ctx, "show crypto debug-condition")
    records = parse("asa9", "show crypto debug-condition", text)
    check_debug_condition(ctx, records)
    assert [r["filter"] for r in records[1:]] == ["198.51.100.1/32", "10.0.0.0/8", "user bob"]
    assert records[0]["ipsec_unmatched"] == "ON"


def test_ikev2_rules_are_the_same_in_both_ike_templates() -> None:
    """9.x "show crypto isakmp sa" prints IKEv2 SAs: its template repeats the IKEv2 state."""

    def ikev2_part(name: str) -> tuple[list[str], dict[str, str]]:
        text = (TEMPLATES / name).read_text()
        state = text.split("\nIKEv2\n", 1)[1].splitlines()
        values = dict(re.findall(r"^Value (?:[\w,]+ )?([A-Z_0-9]+) (.*)$", text, re.MULTILINE))
        used = set(re.findall(r"\$\{(\w+)\}", "\n".join(state)))
        return state, {k: values[k] for k in used}

    assert ikev2_part("cisco_asa_show_crypto_isakmp_sa.textfsm") == ikev2_part(
        "cisco_asa_show_crypto_ikev2_sa.textfsm"
    )


# -- what each command's records must say -------------------------------------------------


Check = Callable[[RenderContext, list[Record], str], None]


def checker(fam: str, command: str) -> Check | None:
    """The check for a command's records (None: the template is public, parsing is enough)."""
    words = command.split()
    if fam == "pix6.3":
        return {
            "show crypto isakmp sa": check_pix6_isakmp_sa,
            "show crypto ipsec sa": check_pix6_ipsec_sa,
            "show crypto map": check_pix6_crypto_map,
            "show version": check_pix6_version,
            "show debug": check_debug,
        }.get(command)
    if words[:2] == ["show", "crypto"] and words[2:4] in (["isakmp", "sa"], ["ikev1", "sa"]):
        return check_ike_sa
    if command.startswith("show isakmp sa") or command.startswith("show crypto ikev2 sa"):
        return check_ike_sa
    if command.startswith("show crypto ipsec sa") or command.startswith("show ipsec sa"):
        return check_ipsec_sa
    if command.startswith("show running-config crypto"):
        return check_running_crypto
    return {
        "show vpn-sessiondb l2l": check_sessiondb,
        "show running-config tunnel-group": check_tunnel_group,
        "show logging": check_logging,
        "show debug": check_debug,
        "show crypto debug-condition": check_debug_condition,
    }.get(command)


def _spis(values: list[str]) -> list[int]:
    return [int(v, 16) for v in values]


def _sas(t: TunnelView) -> list[IpsecView]:
    return [sa for sa in t.ipsec if sa.has_sa]


def check_ike_sa(ctx: RenderContext, records: list[Record], command: str) -> None:
    """show crypto isakmp|ikev1|ikev2 sa [detail]: one record per IKE SA of the engine."""
    nine = family(ctx.device.family).ikev2
    versions = {2} if "ikev2" in command else {1, 2} if nine and "isakmp" in command else {1}
    expected = {str(t.peer): t for t in ctx.tunnels() if t.ike and t.ike.version in versions}
    got = {r["peer"]: r for r in records}
    assert len(got) == len(records), "one record per IKE peer"
    assert got.keys() == expected.keys()
    for peer, r in got.items():
        t = expected[peer]
        ike = t.ike
        assert ike is not None
        assert r["state"] == ike.state
        assert r["role"].lower() == ike.role
        policy = ike.policy or min(ctx.device.ike_policies, key=lambda p: p.priority)
        if ike.version == 2:
            assert r["ike_version"] == "2"
            assert r["local"] == str(t.local) and r["peer_port"] == "500"
            assert r["lifetime"] == str(policy.lifetime)
            assert r["active_time"] == str(ike.age_s)
            assert r["dh_group"] == str(policy.group)
            sas = _sas(t)
            assert _spis(r["spi_in"]) == [sa.spi_in for sa in sas]
            assert _spis(r["spi_out"]) == [sa.spi_out for sa in sas]
            assert r["child_count"] == str(len(sas))
            assert r["session_status"] == ("UP-ACTIVE" if sas else "UP-IN-NEG")
            if r["status_description"]:
                assert r["remote_id"] == peer
        else:
            assert r["ike_version"] == ("1" if nine else "")
            assert r["type"] == "L2L" and r["rekey"] == "no"
            if r["lifetime"]:  # detail
                assert r["lifetime"] == str(policy.lifetime)
                assert r["encryption"] == cfg.dashed(policy.encryption)
                assert r["auth"] == "preshared"


def check_ipsec_sa(ctx: RenderContext, records: list[Record], command: str = "") -> None:
    """show crypto ipsec sa [peer X]: one record per established SA pair, fields from the view."""
    words = command.split()
    peer = ipaddress.IPv4Address(words[-1]) if "peer" in words else None
    expected = {
        (str(t.peer), sa.spi_in): (t, sa)
        for t in ctx.tunnels()
        for sa in _sas(t)
        if peer is None or t.peer == peer
    }
    got = {(r["current_peer"], _spis(r["spi_in"])[0]): r for r in records}
    assert len(got) == len(records) and got.keys() == expected.keys()
    for key, r in got.items():
        t, sa = expected[key]
        assert r["interface"] == cfg.nameif(ctx.device, t.entry)
        assert r["crypto_map_tag"] == t.entry.map_name
        assert r["sequence_number"] == str(t.entry.seq)
        assert r["local_address"] == r["local_crypto_endpoint"] == str(t.local)
        assert r["remote_crypto_endpoint"] == str(t.peer)
        assert r["acl_name"] == t.entry.acl_name
        assert (r["local_identity_addr"], r["local_identity_mask"]) == (
            str(sa.local_net.network_address),
            str(sa.local_net.netmask),
        )
        assert (r["remote_identity_addr"], r["remote_identity_mask"]) == (
            str(sa.remote_net.network_address),
            str(sa.remote_net.netmask),
        )
        assert _spis(r["spi_in"]) == [sa.spi_in] and _spis(r["spi_out"]) == [sa.spi_out]
        assert int(r["current_inbound_spi"], 16) == sa.spi_in
        assert int(r["current_outbound_spi"], 16) == sa.spi_out
        assert int(r["inbound_spi_hex"], 16) == int(r["inbound_spi_integer"]) == sa.spi_in
        assert int(r["outbound_spi_hex"], 16) == int(r["outbound_spi_integer"]) == sa.spi_out
        assert r["packets_encapsulated"] == r["packets_encrypted"] == str(sa.encaps)
        assert r["packets_decapsulated"] == r["packets_decrypted"] == str(sa.decaps)
        assert r["send_errors"] == str(sa.send_errors)
        assert r["receive_errors"] == str(sa.recv_errors)
        assert r["lifetime_s_in"] == r["lifetime_s_out"] == [str(sa.lifetime_left_s)]
        assert r["lifetime_kb_in"] == [str(sa.lifetime_left_kb)]
        assert r["inbound_remaining_lifetime"] == str(sa.lifetime_left_s)
        settings = r["settings_in"][0].split(", ")
        assert settings[:2] == ["L2L", "Tunnel"]
        assert (f"PFS Group {sa.pfs_group}" in settings) == bool(sa.pfs_group)
        if family(ctx.device.family).ikev2:
            assert f"IKEv{t.entry.ike_version}" in settings
            assert r["sa_state_in"] == r["sa_state_out"] == ["active"]
        assert r["transform_in"] == [
            f"{cfg.dashed(cfg.esp_cipher(sa.transform))} "
            f"{cfg.dashed(cfg.esp_hmac(sa.transform))} no compression"
        ]


def check_sessiondb(ctx: RenderContext, records: list[Record], command: str = "") -> None:
    """show vpn-sessiondb l2l: a session per tunnel with SAs or an established IKE SA."""
    expected = {str(t.peer): t for t in ctx.tunnels() if _sas(t) or (t.ike and t.ike.established)}
    got = {r["peer"]: r for r in records}
    assert len(got) == len(records) and got.keys() == expected.keys()
    for peer, r in got.items():
        t = expected[peer]
        sas = _sas(t)
        assert r["connection"] == peer
        assert r["bytes_tx"] == str(sum(sa.encaps for sa in sas) * asa.BYTES_PER_PACKET)
        assert r["bytes_rx"] == str(sum(sa.decaps for sa in sas) * asa.BYTES_PER_PACKET)
        assert r["protocol"].endswith("IPsec") == bool(sas)
        if t.ike is not None:
            assert r["index"] == str(t.ike.conn_id % 100_000)


def check_running_crypto(ctx: RenderContext, records: list[Record], command: str = "") -> None:
    """show running-config crypto [section]: map entries, bindings, sets, policies, enables."""
    dev = ctx.device
    nine = family(dev.family).ikev2
    kinds = {r["kind"] for r in records}
    assert "" not in kinds or all(
        r["line"].startswith("crypto ipsec security-association") for r in records if not r["kind"]
    )
    entries: dict[tuple[str, str], list[Record]] = {}
    for r in records:
        if r["kind"] == "map":
            entries.setdefault((r["crypto_map"], r["seq"]), []).append(r)
    if "map" in kinds:
        assert list(entries) == [(e.map_name, str(e.seq)) for e in dev.map_entries]
    for e in dev.map_entries:
        lines = entries.get((e.map_name, str(e.seq)))
        if lines is None:
            continue

        def field(name: str, lines: list[Record] = lines) -> list[str]:
            return [r[name] for r in lines if r[name]]

        assert field("acl") == [e.acl_name]
        assert field("peers") == [str(e.peer)]
        assert field("transform_sets") == [e.transform_set]
        assert field("ike_version") == ([str(e.ike_version)] if nine else [])
        assert field("pfs_group") == ([f"group{e.pfs_group}"] if e.pfs_group else [])
        assert field("lifetime_s") == (
            [str(e.sa_lifetime_s)] if e.sa_lifetime_s != cfg.ASA_DEFAULT_SA_SECONDS else []
        )
    bindings = {r["crypto_map"]: r["interface"] for r in records if r["kind"] == "interface"}
    if "map" in kinds:
        assert bindings == {e.map_name: cfg.nameif(dev, e) for e in dev.map_entries}
    policies = [r for r in records if r["kind"] == "policy"]
    for r in policies:
        p = next(p for p in dev.ike_policies if str(p.priority) == r["priority"])
        assert r["encryption"] == cfg.dashed(p.encryption)
        assert r["dh_group"] == str(p.group)
        assert r["lifetime"] == str(p.lifetime)
        assert r["ike_version"] in (["1", "2"] if nine else [""])
        assert (r["hash"] or r["integrity"]) == p.hash
    by_version: dict[str, list[str]] = {}
    for r in policies:
        by_version.setdefault(r["ike_version"], []).append(r["priority"])
    for priorities in by_version.values():
        assert priorities == [str(p.priority) for p in sorted(dev.ike_policies, key=_priority)]
    for r in records:
        if r["kind"] == "enable":
            assert r["interface"] in {cfg.nameif(dev, e) for e in dev.map_entries}
        if r["kind"] == "transform-set":
            ts = dev.transform_set(r["name"])
            assert ts is not None
            assert r["transforms"] == " ".join(cfg.dashed(t) for t in ts.transforms)


def _priority(p: Any) -> int:
    return int(p.priority)


def check_tunnel_group(ctx: RenderContext, records: list[Record], command: str = "") -> None:
    """show running-config tunnel-group: a group per peer, PSK lines seen, keys never kept."""
    nine = family(ctx.device.family).ikev2
    peers = list(dict.fromkeys(str(e.peer) for e in ctx.device.map_entries))
    assert [r["name"] for r in records if r["type"]] == peers
    assert all(r["type"] == "ipsec-l2l" for r in records if r["type"])
    for r in records:
        if r["attributes"]:
            e = next(e for e in ctx.device.map_entries if str(e.peer) == r["name"])
            if not nine:
                expected = ["pre-shared-key"]
            elif e.ike_version == 2:
                expected = [
                    "ikev2 remote-authentication pre-shared-key",
                    "ikev2 local-authentication pre-shared-key",
                ]
            else:
                expected = ["ikev1 pre-shared-key"]
            assert r["psk"] == (expected if e.psk else [])
    secrets = {e.psk for e in ctx.device.map_entries} | {cfg.MASKED}
    assert not any(s in repr(records) for s in secrets)


def check_logging(ctx: RenderContext, records: list[Record], command: str = "") -> None:
    """show logging: a record per message; the tunnel events' peers, SPIs and reasons."""
    tag = cfg.style_of(ctx.device.family).tag
    assert all(r["tag"] == tag and r["msg_id"] for r in records)
    tunnels = {str(t.peer): t for t in ctx.tunnels()}
    for r in records:
        if r["peer"]:
            assert r["peer"] in tunnels or r["local"] in tunnels
        if r["msg_id"] in ("602303", "602304"):
            t = tunnels[r["username"]]
            assert {r["local"], r["peer"]} == {str(t.local), str(t.peer)}
    at: dict[str, list[Record]] = {}
    for r in records:
        at.setdefault(r["timestamp"], []).append(r)
    for ev in ctx.events():
        here = [r for r in at.get(asa_time(ev.at), []) if str(ev.peer) in (r["peer"], r["local"])]
        ids = {r["msg_id"] for r in here}
        if ev.kind == "up" and ev.ike_version == 1:
            assert {"713119", "713120"} <= ids
            t = next(t for t in ctx.engine.tunnels(ctx.device, ev.at) if t.peer == ev.peer)
            sa = next(iter(_sas(t)), None)
            if sa is not None:
                done = next(r for r in here if r["msg_id"] == "713049")
                assert int(done["spi_in"], 16) == sa.spi_in
                assert int(done["spi_out"], 16) == sa.spi_out
                assert done["role"].lower() == ev.role
                created = {int(r["spi"], 16) for r in here if r["msg_id"] == "602303"}
                assert created == {sa.spi_in, sa.spi_out}
        elif ev.kind == "down":
            gone = next(r for r in here if r["msg_id"] == "113019")
            reason = "Administrator Reset" if ev.detail == "cleared" else "Peer Terminate"
            assert gone["reason"] == reason and gone["session_type"] == "LAN-to-LAN"
        elif ev.kind != "no_answer" and ev.ike_version == 2:
            assert [r["msg_id"] for r in here] == ["750003"] and here[0]["reason"]
        elif ev.kind == "p2_proxy" and ev.role == "responder":
            reject = next(r for r in here if r["msg_id"] == "713061")
            assert reject["remote_proxy"] and reject["local_proxy"]


def check_debug(ctx: RenderContext, records: list[Record], command: str = "") -> None:
    """show debug: one record per debug that is on, with its level."""
    expected = {}
    for entry in ctx.state.debugs:
        words, level = asa.debug_words(entry)
        expected[words] = str(level)
    assert {r["debug"]: r["level"] for r in records} == expected


def check_debug_condition(ctx: RenderContext, records: list[Record], command: str = "") -> None:
    conds = ctx.state.debug_conditions
    status = records[0]
    assert status["status"] == ("ON" if conds else "OFF")
    peers = [r["filter"] for r in records[1:] if r["filter_type"] == "IKE peer IP address"]
    expected = []
    for words in (c.split() for c in conds):
        addrs = [w for w in words if re.fullmatch(r"[\d.]+", w)]
        if words[0] != "unmatched" and addrs:
            mask = addrs[1] if len(addrs) > 1 else "32"
            expected.append(str(ipaddress.IPv4Network(f"{addrs[0]}/{mask}", strict=False)))
    assert peers == expected


def check_pix6_isakmp_sa(ctx: RenderContext, records: list[Record], command: str = "") -> None:
    rows = [t for t in ctx.tunnels() if t.ike is not None]
    assert len(records) == len(rows)
    for r, t in zip(records, rows, strict=True):
        assert t.ike is not None
        dst, src = (t.peer, t.local) if t.ike.role == "initiator" else (t.local, t.peer)
        assert (r["dst"], r["src"]) == (str(dst), str(src))
        assert r["state"] == t.ike.state
        assert r["created"] == str(len(_sas(t)))
        assert r["total"] == str(len(rows))


def check_pix6_ipsec_sa(ctx: RenderContext, records: list[Record], command: str = "") -> None:
    """PIX 6 lists every proxy pair, with or without SAs."""
    pairs = [(t, sa) for t in ctx.tunnels() for sa in t.ipsec]
    assert len(records) == len(pairs)
    for r, (t, sa) in zip(records, pairs, strict=True):
        assert r["interface"] == cfg.nameif(ctx.device, t.entry)
        assert r["crypto_map"] == t.entry.map_name and r["local"] == str(t.local)
        assert (r["peer"], r["peer_port"]) == (str(t.peer), "500")
        assert r["local_net"] == str(sa.local_net.network_address)
        assert r["remote_net"] == str(sa.remote_net.network_address)
        assert r["remote_mask"] == str(sa.remote_net.netmask)
        assert r["encaps"] == str(sa.encaps) and r["decaps"] == str(sa.decaps)
        assert r["send_errors"] == str(sa.send_errors)
        assert r["recv_errors"] == str(sa.recv_errors)
        assert int(r["current_outbound_spi"], 16) == sa.spi_out
        spis = ([sa.spi_in], [sa.spi_out]) if sa.has_sa else ([], [])
        assert (_spis(r["spi_in"]), _spis(r["spi_out"])) == spis
        assert r["conn_id_in"] == ([str(sa.conn_id_in)] if sa.has_sa else [])
        assert r["lifetime_s_in"] == ([str(sa.lifetime_left_s)] if sa.has_sa else [])
        assert ("ipsec_sa_request_sent" in r["flags"]) != sa.has_sa


def check_pix6_crypto_map(ctx: RenderContext, records: list[Record], command: str = "") -> None:
    tunnels = ctx.tunnels()
    assert len(records) == len(tunnels)
    for r, t in zip(records, tunnels, strict=True):
        e = t.entry
        assert (r["crypto_map"], r["seq"], r["map_type"]) == (
            e.map_name,
            str(e.seq),
            "ipsec-isakmp",
        )
        assert r["peers"] == [str(e.peer)] and r["current_peer"] == str(e.peer)
        assert r["acl"] == e.acl_name and r["acl_elements"] == str(len(e.acl))
        assert r["acl_hits"] == [str(h) for h in t.acl_hits]
        assert r["acl_lines"] == [cfg.acl_text(a) for a in e.acl]
        assert (r["lifetime_kb"], r["lifetime_s"]) == (str(e.sa_lifetime_kb), str(e.sa_lifetime_s))
        assert r["pfs"] == ("Y" if e.pfs_group else "N")
        assert r["transform_sets"] == e.transform_set
        assert r["interfaces"] == cfg.nameif(ctx.device, e)


def check_pix6_version(ctx: RenderContext, records: list[Record], command: str = "") -> None:
    (r,) = records
    dev = ctx.device
    assert (r["version"], r["hostname"]) == (dev.version, dev.hostname)
    assert r["serial"] == cfg.serial_number(dev, numeric=True)
    assert r["hardware"] == (dev.model or "ASA5520")
    assert r["uptime"] == cfg.uptime_words(ctx.uptime_s)
    assert [i["name"] for i in r["interfaces"]] == [i.name for i in dev.interfaces]


NTC_IPSEC = Path("/work/shared/samples/ntc-templates/cisco_asa/show_crypto_ipsec_sa")


@pytest.mark.skipif(not NTC_IPSEC.exists(), reason="shared ntc-templates samples not here")
def test_ipsec_sa_gives_every_ntc_field_the_ntc_value() -> None:
    """Code written against the public template keeps working: same names, same values."""
    raw = NTC_IPSEC / "cisco_asa_show_crypto_ipsec_sa.raw"
    expected = yaml.safe_load(raw.with_suffix(".yml").read_text())["parsed_sample"]
    records = parse("asa9", "show crypto ipsec sa", raw.read_text())
    assert [{k: r[k] for k in e} for r, e in zip(records, expected, strict=True)] == expected
