"""ASA / PIX 7 renderers: public parsers read them back, state shows through, no secrets."""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path

import ntc_templates
import pytest
import textfsm

from ipsec_ops.lab.engine import Engine
from ipsec_ops.lab.grammar import Match, NoMatch, build
from ipsec_ops.lab.render import asa
from ipsec_ops.lab.render.asa_config import style_of
from ipsec_ops.lab.render.base import RenderContext, Renderer, context_for
from ipsec_ops.lab.scenario import load_scenario, scenario_from_text
from ipsec_ops.lab.views import IpsecView, LogEvent, TunnelView

TEMPLATES = Path(ntc_templates.__file__).parent / "templates"
DEVICES = {"fw-asa9": "asa9", "fw-asa82": "asa8.2", "pix7": "pix7"}
FAMILIES = ("asa9", "asa8.2", "pix7")


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(load_scenario("default"))


def renderer(family_name: str, syntax: str) -> Renderer:
    return dict(asa.commands(family_name))[syntax]


def show(ctx: RenderContext, syntax: str, **args: str) -> str:
    return renderer(ctx.device.family, syntax)(ctx, dict(args))


def parse(template: str, text: str) -> list[dict[str, str]]:
    with open(TEMPLATES / f"{template}.textfsm") as f:
        fsm = textfsm.TextFSM(f)
    return [dict(zip(fsm.header, row, strict=True)) for row in fsm.ParseText(text)]


def tunnel(ctx: RenderContext, peer: str) -> TunnelView:
    return next(t for t in ctx.tunnels() if str(t.peer) == peer)


def ike_blocks(text: str) -> dict[str, dict[str, str]]:
    """Peer -> {Type, Role, Rekey, State, ...} from the ASA per-peer block format."""
    out: dict[str, dict[str, str]] = {}
    peer = ""
    for line in text.splitlines():
        if m := re.match(r"^\d+\s+IKE Peer: (\S+)", line):
            peer = m.group(1)
            out[peer] = {}
        elif peer and line.startswith("    "):
            for key, value in re.findall(r"(\w+)\s*:\s*(\S+)", line):
                out[peer][key] = value
    return out


# -- fidelity with public parsers -----------------------------------------------------


@pytest.mark.parametrize("device", ["fw-asa9", "fw-asa82"])
def test_ipsec_sa_parses_with_public_template(engine: Engine, device: str) -> None:
    ctx = context_for(engine, device)
    records = parse(
        "cisco_asa_show_crypto_ipsec_sa", show(ctx, "show crypto ipsec sa [peer <ip:peer>]")
    )
    expected = [(t, sa) for t in ctx.tunnels() for sa in t.ipsec if sa.has_sa]
    assert expected and len(records) == len(expected)
    for rec, (t, sa) in zip(records, expected, strict=True):
        assert rec["INTERFACE"] == "outside"
        assert rec["CURRENT_PEER"] == str(t.peer)
        assert (rec["CRYPTO_MAP_TAG"], rec["SEQUENCE_NUMBER"]) == (
            t.entry.map_name,
            str(t.entry.seq),
        )
        assert (rec["LOCAL_ADDRESS"], rec["LOCAL_CRYPTO_ENDPOINT"]) == (str(t.local), str(t.local))
        assert rec["REMOTE_CRYPTO_ENDPOINT"] == str(t.peer)
        local = ipaddress.IPv4Network(f"{rec['LOCAL_IDENTITY_ADDR']}/{rec['LOCAL_IDENTITY_MASK']}")
        remote = ipaddress.IPv4Network(
            f"{rec['REMOTE_IDENTITY_ADDR']}/{rec['REMOTE_IDENTITY_MASK']}"
        )
        assert (local, remote) == (sa.local_net, sa.remote_net)
        assert int(rec["INBOUND_SPI_HEX"], 16) == int(rec["INBOUND_SPI_INTEGER"]) == sa.spi_in
        assert int(rec["OUTBOUND_SPI_HEX"], 16) == int(rec["OUTBOUND_SPI_INTEGER"]) == sa.spi_out
        assert int(rec["CURRENT_OUTBOUND_SPI"], 16) == sa.spi_out
        assert int(rec["PACKETS_ENCAPSULATED"]) == sa.encaps
        assert int(rec["PACKETS_DECAPSULATED"]) == sa.decaps
        assert rec["INBOUND_ENCRYPTION"] == "esp-aes-256"
        assert rec["OUTBOUND_AUTHENTICATION"] == "esp-sha-hmac"
        assert int(rec["INBOUND_REMAINING_LIFETIME"]) == sa.lifetime_left_s
        assert int(rec["OUTBOUND_REMAINING_LIFETIME_KILOBYTES"]) == sa.lifetime_left_kb


@pytest.mark.parametrize(("device", "ike_word"), [("fw-asa9", "IKEv1"), ("fw-asa82", "IKE")])
def test_vpn_sessiondb_detail_parses_with_public_template(
    engine: Engine, device: str, ike_word: str
) -> None:
    ctx = context_for(engine, device)
    records = parse(
        "cisco_asa_show_vpn-sessiondb_detail_l2l", show(ctx, "show vpn-sessiondb detail l2l")
    )
    sessions = [
        t for t in ctx.tunnels() if any(s.has_sa for s in t.ipsec) or (t.ike and t.ike.established)
    ]
    assert {r["CONNECTION"] for r in records} == {str(t.peer) for t in sessions}
    for t in sessions:
        mine = [r for r in records if r["CONNECTION"] == str(t.peer)]
        assert all(
            r["SESSION_TYPE"] == "LAN-to-LAN" and r["IP_ADDRESS"] == str(t.peer) for r in mine
        )
        ike = [r for r in mine if r["CONNECTION_TYPE"] == ike_word]
        assert t.ike is not None and len(ike) == 1
        assert int(ike[0]["REKEY_TIME_LEFT"]) == t.ike.lifetime_left_s
        assert ike[0]["AUTHENTICATION_MODE"] == "preSharedKeys"
        ipsec = [r for r in mine if r["CONNECTION_TYPE"] == "IPsec"]
        sas = [s for s in t.ipsec if s.has_sa]
        assert len(ipsec) == len(sas)
        for rec, sa in zip(ipsec, sas, strict=True):
            local = ipaddress.IPv4Network(
                f"{rec['LOCAL_ADDRESS_NETWORK']}/{rec['LOCAL_ADDRESS_MASK']}"
            )
            remote = ipaddress.IPv4Network(
                f"{rec['REMOTE_ADDRESS_NETWORK']}/{rec['REMOTE_ADDRESS_MASK']}"
            )
            assert (local, remote) == (sa.local_net, sa.remote_net)
            assert (int(rec["PACKETS_TRANSMITTED"]), int(rec["PACKETS_RECEIVED"])) == (
                sa.encaps,
                sa.decaps,
            )
            assert int(rec["BYTES_TRANSMITTED"]) == sa.encaps * asa.BYTES_PER_PACKET
            assert int(rec["REKEY_DATA_REMAINING"]) == sa.lifetime_left_kb


def test_crypto_map_template_reads_every_entry(engine: Engine) -> None:
    ctx = context_for(engine, "fw-asa9")
    whole = show(ctx, "show running-config crypto")
    map_only = show(ctx, "show running-config crypto map")
    assert map_only == "\n".join(
        line for line in whole.splitlines() if line.startswith("crypto map ")
    )
    records = parse("cisco_asa_show_running-config_crypto_map", map_only)
    got = {(r["MAP"], r["SEQ"]): (r["PEER"], r["MATCHED_ADDRESS"], r["TRANSFORM"]) for r in records}
    want = {
        (e.map_name, str(e.seq)): (str(e.peer), e.acl_name, e.transform_set)
        for e in ctx.device.map_entries
    }
    assert got == want
    assert all(r["IKE"] == "ikev1" and r["SA"] == "3600" for r in records)


@pytest.mark.parametrize(
    ("family_name", "lines"),
    [
        (
            "asa9",
            [
                "crypto ipsec ikev1 transform-set TS-AES256 esp-aes-256 esp-sha-hmac ",
                "crypto ikev1 enable outside",
                "crypto ikev1 policy 10",
                "crypto map outside_map 10 set ikev1 transform-set TS-AES256",
            ],
        ),
        (
            "asa8.2",
            [
                "crypto ipsec transform-set TS-AES256 esp-aes-256 esp-sha-hmac ",
                "crypto isakmp enable outside",
                "crypto isakmp policy 10",
                "crypto map outside_map 10 set transform-set TS-AES256",
            ],
        ),
    ],
)
def test_running_config_crypto_spelling(engine: Engine, family_name: str, lines: list[str]) -> None:
    out = renderer(family_name, "show running-config crypto")(context_for(engine, "fw-asa9"), {})
    for line in lines:
        assert line in out.splitlines()
    assert " encryption aes-256\n hash sha\n group 14\n lifetime 86400" in out


@pytest.mark.parametrize(
    ("family_name", "psk_line"),
    [("asa9", " ikev1 pre-shared-key *****"), ("asa8.2", " pre-shared-key *****")],
)
def test_tunnel_groups(engine: Engine, family_name: str, psk_line: str) -> None:
    ctx = context_for(engine, "fw-asa9")
    out = renderer(family_name, "show running-config tunnel-group")(ctx, {})
    records = parse("cisco_asa_show_running-config_tunnel-group", out)
    assert [r["NAME"] for r in records] == [str(e.peer) for e in ctx.device.map_entries]
    assert {r["TYPE"] for r in records} == {"ipsec-l2l"}
    assert out.count(psk_line + "\n") + out.endswith(psk_line) == len(records)


@pytest.mark.parametrize("device", ["fw-asa9", "fw-asa82", "pix7"])
def test_show_version_parses(engine: Engine, device: str) -> None:
    ctx = context_for(engine, device)
    (rec,) = parse("cisco_asa_show_version", show(ctx, "show version"))
    assert (rec["HOSTNAME"], rec["VERSION"]) == (ctx.device.hostname, ctx.device.version)
    assert rec["UPTIME"] == "12 days 5 hours"
    assert rec["FAILOVER"] == ("Active/Standby" if ctx.device.failover_prompt else "Disabled")
    assert rec["SERIAL"]


def test_access_list_hits_and_remarks(engine: Engine) -> None:
    ctx = context_for(engine, "fw-asa9")
    records = parse("cisco_asa_show_access-list", show(ctx, "show access-list [<word:name>]"))
    for t in ctx.tunnels():
        mine = [r for r in records if r["ACL_NAME"] == t.entry.acl_name]
        assert [r["REMARK"] for r in mine if r["REMARK"]] == [t.entry.description]
        assert [int(r["HIT_COUNT"]) for r in mine if r["HIT_COUNT"]] == list(t.acl_hits)
    one = show(ctx, "show access-list [<word:name>]", name="outside_cryptomap_40")
    assert "outside_cryptomap_10" not in one and "(hitcnt=" in one
    assert show(ctx, "show access-list [<word:name>]", name="nope").startswith("ERROR: ")


# -- tunnel state shows through ----------------------------------------------------------


@pytest.mark.parametrize(
    ("device", "syntax", "peer", "role", "state"),
    [
        ("fw-asa9", "show crypto ikev1 sa", "198.51.100.5", "initiator", "MM_WAIT_MSG6"),
        ("fw-asa9", "show crypto isakmp sa", "198.51.100.1", "responder", "MM_ACTIVE"),
        ("pix7", "show crypto isakmp sa", "198.51.100.3", "responder", "MM_WAIT_MSG5"),
        ("fw-asa82", "show crypto isakmp sa detail", "198.51.100.5", "initiator", "MM_WAIT_MSG2"),
    ],
)
def test_ike_states(
    engine: Engine, device: str, syntax: str, peer: str, role: str, state: str
) -> None:
    blocks = ike_blocks(show(context_for(engine, device), syntax))
    assert (blocks[peer]["Role"], blocks[peer]["State"], blocks[peer]["Type"]) == (
        role,
        state,
        "L2L",
    )


def test_isakmp_layout_by_family(engine: Engine) -> None:
    nine = show(context_for(engine, "fw-asa9"), "show crypto isakmp sa detail")
    assert nine.startswith("IKEv1 SAs:\n") and nine.endswith("There are no IKEv2 SAs")
    assert "    Encrypt : aes-256         Hash    : SHA" in nine
    assert "    Auth    : preshared       Lifetime: 86400" in nine
    old = show(context_for(engine, "fw-asa82"), "show crypto isakmp sa")
    assert "IKEv1" not in old and "Total IKE SA: 3" in old and "Encrypt" not in old
    assert (
        show(context_for(engine, "fw-asa9"), "show crypto ikev2 sa detail")
        == "There are no IKEv2 SAs"
    )


def test_one_way_tunnel_encrypts_without_decrypting(engine: Engine) -> None:
    ctx = context_for(engine, "fw-asa9")
    out = show(ctx, "show crypto ipsec sa [peer <ip:peer>]", peer="203.0.113.20")
    (rec,) = parse("cisco_asa_show_crypto_ipsec_sa", out)
    assert int(rec["PACKETS_ENCAPSULATED"]) > 0
    assert int(rec["PACKETS_DECAPSULATED"]) == 0
    assert "0x00000000 0x00000001" in out and "0xFFFFFFFF" not in out


def test_counters_grow_with_time(engine: Engine) -> None:
    now = engine.clock.now()
    before, after = (
        parse(
            "cisco_asa_show_crypto_ipsec_sa",
            show(
                context_for(engine, "fw-asa9", at),
                "show crypto ipsec sa [peer <ip:peer>]",
                peer="198.51.100.1",
            ),
        )[0]
        for at in (now, now + 60)
    )
    assert int(after["PACKETS_ENCAPSULATED"]) > int(before["PACKETS_ENCAPSULATED"])
    assert int(after["PACKETS_DECAPSULATED"]) > int(before["PACKETS_DECAPSULATED"])


def test_layout_differs_between_8_2_and_9(engine: Engine) -> None:
    ctx = context_for(engine, "fw-asa9")
    nine = renderer("asa9", "show crypto ipsec sa [peer <ip:peer>]")(ctx, {})
    old = renderer("asa8.2", "show crypto ipsec sa [peer <ip:peer>]")(ctx, {})
    for marker in ("SA State: active", "#TFC rcvd", "#Valid ICMP Errors", "IKEv1, }", "/500,"):
        assert marker in nine and marker not in old
    assert "in use settings ={L2L, Tunnel, }" in old


def test_no_sas_messages(engine: Engine) -> None:
    ctx = context_for(engine, "fw-asa9")
    assert show(ctx, "show crypto ipsec sa [peer <ip:peer>]", peer="198.51.100.5") == (
        "There are no ipsec sas"
    )
    sessions = show(ctx, "show vpn-sessiondb l2l")
    assert "Connection   : 198.51.100.5" not in sessions
    assert "Protocol     : IKEv1 IPsec" in sessions and "Connection   : 198.51.100.1" in sessions


def test_every_crypto_acl_remark_is_the_description(engine: Engine) -> None:
    for device in DEVICES:
        ctx = context_for(engine, device)
        config = show(ctx, "show running-config").splitlines()
        for e in ctx.device.map_entries:
            assert f"access-list {e.acl_name} remark {e.description}" in config
            index = config.index(f"access-list {e.acl_name} remark {e.description}")
            assert config[index + 1].startswith(f"access-list {e.acl_name} extended permit ip ")


def test_full_running_config(engine: Engine) -> None:
    nine = show(context_for(engine, "fw-asa9"), "show running-config")
    assert nine.splitlines()[5] == "ASA Version 9.16(4) "
    for line in (
        "hostname FW-ASA9",
        "names",
        " nameif outside",
        " security-level 100",
        "logging enable",
        "logging buffered informational",
        "prompt hostname priority state",
        ": end",
        "enable password ***** pbkdf2",
    ):
        assert line in nine.splitlines()
    old = show(context_for(engine, "pix7"), "show running-config")
    assert "PIX Version 7.2(4) " in old.splitlines() and "prompt hostname" not in old


# -- logging -------------------------------------------------------------------------------


def log_messages(text: str) -> list[dict[str, str]]:
    return parse("cisco_asa_show_logging", text)


def test_logging_failure_messages(engine: Engine) -> None:
    records = log_messages(show(context_for(engine, "fw-asa9"), "show logging"))
    ids = {(r["MNEMONIC"], r["MESSAGE"][0].split(",")[0]) for r in records}
    assert ("713061", "Group = 198.51.100.2") in ids  # proxy mismatch, responder
    assert ("713904", "IP = 198.51.100.5") in ids  # PSK mismatch, initiator
    assert {r["FACILITY"] for r in records} == {"ASA"}
    pix = log_messages(show(context_for(engine, "pix7"), "show logging"))
    assert {r["FACILITY"] for r in pix} == {"PIX"}
    assert any(r["MNEMONIC"] == "713257" for r in pix)


@pytest.mark.parametrize(
    ("family_name", "kind", "role", "text"),
    [
        (
            "asa9",
            "p2_proxy",
            "responder",
            "Rejecting IPSec tunnel: no matching crypto map entry for remote proxy "
            "10.2.0.0/255.255.255.0/0/0 local proxy 10.3.0.0/255.255.255.0/0/0 "
            "on interface outside",
        ),
        (
            "asa8.2",
            "p2_proxy",
            "responder",
            "Tunnel rejected: Crypto Map Policy not found for Src:10.2.0.0, Dst: 10.3.0.0!",
        ),
        ("asa9", "p2_transform", "responder", "All IPSec SA proposals found unacceptable!"),
        ("asa9", "p2_transform", "responder", "QM FSM error"),
        ("asa9", "p1_policy", "responder", "All SA proposals found unacceptable"),
        ("asa9", "p1_policy", "initiator", "No proposal chosen (14)"),
        ("asa9", "p1_auth", "responder", "probably due to mismatched pre-shared key"),
        ("asa9", "p1_auth", "initiator", "This could indicate a pre-shared key mismatch."),
    ],
)
def test_failure_event_wording(
    engine: Engine, family_name: str, kind: str, role: str, text: str
) -> None:
    ctx = context_for(engine, "fw-asa9")
    t = tunnel(ctx, "198.51.100.2")
    ev = LogEvent(ctx.now, kind, t.local, t.peer, t.entry.map_name, 1, role)
    lines = asa.event_lines(style_of(family_name), ctx, ev)
    assert any(text in line for line in lines)
    assert all(
        re.match(r"^\w{3} \d\d \d{4} \d\d:\d\d:\d\d: %ASA-\d-\d{6}: ", line) for line in lines
    )


def test_no_answer_logs_nothing_at_informational(engine: Engine) -> None:
    ctx = context_for(engine, "fw-asa9")
    ev = LogEvent(
        ctx.now,
        "no_answer",
        ipaddress.IPv4Address("198.51.100.3"),
        ipaddress.IPv4Address("203.0.113.99"),
        "outside_map",
        1,
        "initiator",
    )
    assert asa.event_lines(style_of("asa9"), ctx, ev) == []


def test_clear_logs_teardown_and_new_sas() -> None:
    engine = Engine(load_scenario("default"))
    device = engine.scenario.device("fw-asa9")
    peer = ipaddress.IPv4Address("198.51.100.1")
    engine.clear(device, peer, at=engine.start + 10)
    ctx = context_for(engine, "fw-asa9", engine.start + 120)
    records = [r for r in log_messages(show(ctx, "show logging")) if str(peer) in r["MESSAGE"][0]]
    ids = [r["MNEMONIC"] for r in records]
    assert ids.index("713050") < ids.index("713119") < ids.index("713120")
    assert (
        "Reason: Administrator Reset"
        in next(r for r in records if r["MNEMONIC"] == "713050")["MESSAGE"][0]
    )
    sa: IpsecView = tunnel(ctx, str(peer)).ipsec[0]
    created = [r["MESSAGE"][0] for r in records if r["MNEMONIC"] == "602303"]
    assert any(f"outbound LAN-to-LAN SA (SPI= 0x{sa.spi_out:08X})" in m for m in created)
    assert any(f"inbound LAN-to-LAN SA (SPI= 0x{sa.spi_in:08X})" in m for m in created)
    complete = next(r for r in records if r["MNEMONIC"] == "713049")["MESSAGE"][0]
    assert f"Inbound SPI = 0x{sa.spi_in:08x}, Outbound SPI = 0x{sa.spi_out:08x}" in complete


# -- debugs ---------------------------------------------------------------------------------


def test_show_debug_and_conditions(engine: Engine) -> None:
    ctx = context_for(engine, "fw-asa9")
    assert show(ctx, "show debug") == ""
    assert "turned OFF" in show(ctx, "show crypto debug-condition")
    ctx.state.debugs.update({"crypto ikev1 127", "debug crypto ipsec"})
    ctx.state.debug_conditions.append("peer 198.51.100.5")
    assert show(ctx, "show debug").splitlines() == [
        "debug crypto ikev1 enabled at level 127",
        "debug crypto ipsec enabled at level 1",
    ]
    cond = show(ctx, "show crypto debug-condition").splitlines()
    assert cond[0] == "Crypto conditional debug is turned ON"
    assert cond[-2:] == ["IKE peer IP address filters:", "198.51.100.5/32"]


# -- IKEv2 on 9.x ----------------------------------------------------------------------------

IKEV2_SCENARIO = """
name: v2
description: one ASA with an IKEv2 peer
defaults: {username: admin, password: Pw-Lab-1, enable_secret: En-Lab-2}
devices:
  fw:
    platform: cisco_asa
    family: asa9
    version: 9.16(4)
    hostname: FW
    crypto_map_name: outside_map
    interfaces:
      - {name: GigabitEthernet0/0, nameif: outside, address: 192.0.2.1/24, crypto_map: outside_map}
      - {name: GigabitEthernet0/1, nameif: inside, security_level: 100, address: 10.9.0.1/24}
    ike_policies: [{priority: 10, encryption: aes 256, hash: sha, group: 14}]
    transform_sets: [{name: TS, transforms: [esp-aes 256, esp-sha-hmac]}]
    crypto_map:
      - {seq: 10, peer: 203.0.113.9, ike_version: 2, acl: ["10.9.0.0/24 10.8.0.0/24"],
         acl_name: VPN, psk: V2-Secret-Key, transform_set: TS, description: "[healthy] v2"}
peers:
  - {address: 203.0.113.9, psk: V2-Secret-Key,
     transform_sets: [{name: TS, transforms: [esp-aes 256, esp-sha-hmac]}]}
"""


def test_ikev2_sa_detail() -> None:
    engine = Engine(scenario_from_text(IKEV2_SCENARIO))
    ctx = context_for(engine, "fw")
    t = ctx.tunnels()[0]
    assert t.ike is not None and t.ike.version == 2
    out = show(ctx, "show crypto ikev2 sa detail")
    lines = out.splitlines()
    assert lines[0] == "IKEv2 SAs:"
    assert "Session-id:1, Status:UP-ACTIVE, IKE count:1, CHILD count:1" in lines
    row = next(line for line in lines if "192.0.2.1/500" in line).split()
    assert row[1:] == ["192.0.2.1/500", "203.0.113.9/500", "READY", "INITIATOR"]
    assert (
        "      Encr: AES-CBC, keysize: 256, Hash: SHA96, DH Grp:14, Auth sign: PSK, "
        "Auth verify: PSK"
    ) in lines
    assert f"      Life/Active Time: 86400/{t.ike.age_s} sec" in lines
    sa = t.ipsec[0]
    assert f"          ESP spi in/out: 0x{sa.spi_in:x}/0x{sa.spi_out:x}" in lines
    assert "Child sa: local selector  10.9.0.0/0 - 10.9.0.255/65535" in lines
    both = show(ctx, "show crypto isakmp sa")
    assert both.startswith("There are no IKEv1 SAs\n") and "IKEv2 SAs:" in both
    assert "IKEv2, }" in show(ctx, "show crypto ipsec sa [peer <ip:peer>]")
    config = show(ctx, "show running-config")
    assert "crypto map outside_map 10 set ikev2 ipsec-proposal TS" in config
    assert " ikev2 remote-authentication pre-shared-key *****" in config
    assert "V2-Secret-Key" not in config


# -- every command, every device, no secret ----------------------------------------------------


def secrets(engine: Engine) -> set[str]:
    found = {p.psk for p in engine.scenario.peers if p.psk}
    for d in engine.scenario.devices:
        found |= {d.enable_secret, *(u.password for u in d.users), *(e.psk for e in d.map_entries)}
    return {s for s in found if s}


def args_for(syntax: str) -> dict[str, str]:
    if "<ip:peer>" in syntax:
        return {"peer": "198.51.100.1"}
    if "<word:name>" in syntax:
        return {"name": "outside_cryptomap_10"}
    return {}


@pytest.mark.parametrize("family_name", FAMILIES)
@pytest.mark.parametrize("device", ["fw-asa9", "fw-asa82", "pix7", "pix6"])
def test_every_command_renders_without_secrets(family_name: str, device: str) -> None:
    engine = Engine(load_scenario("default"))
    dev = engine.scenario.device(device)
    for e in dev.map_entries:  # clears make up/down events too
        engine.clear(dev, e.peer, at=engine.start + 5)
    hidden = secrets(engine)
    for at in (engine.start + 1, engine.start + 200):
        ctx = context_for(engine, device, at)
        ctx.state.debugs.add("crypto ikev1 127")
        ctx.state.debug_conditions.append("peer 198.51.100.5")
        for syntax, render in asa.commands(family_name):
            for args in ({}, args_for(syntax)):
                out = render(ctx, args)
                assert isinstance(out, str)
                assert out == render(ctx, args)  # deterministic for one instant
                leaked = [s for s in hidden if s in out]
                assert not leaked, f"{syntax} on {device} prints {leaked}"


# -- grammar -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("family_name", "line", "result"),
    [
        ("asa9", "sh cry ikev1 sa det", ("show", "crypto", "ikev1", "sa", "detail")),
        ("asa9", "sh vpn-sessiondb det l2l", ("show", "vpn-sessiondb", "detail", "l2l")),
        ("asa9", "sh cry isa sa", ("show", "crypto", "isakmp", "sa")),
        ("asa9", "sh run cry map", ("show", "running-config", "crypto", "map")),
        ("asa9", "sh run tun", ("show", "running-config", "tunnel-group")),
        ("asa9", "sh cry deb", ("show", "crypto", "debug-condition")),
        # `ip` is a real ASA keyword (show ip address): the exact match wins over `ipsec`.
        ("asa9", "sh ip sa", "unsimulated"),
        ("asa9", "sh ipsec sa", ("show", "ipsec", "sa")),
        ("asa8.2", "sh cry isa sa det", ("show", "crypto", "isakmp", "sa", "detail")),
        ("asa9", "sh c", "ambiguous"),
        ("asa9", "sh cry i sa", "ambiguous"),
        ("asa9", "sh cry ik sa", "ambiguous"),
        ("asa9", "sh lo", "ambiguous"),
        ("asa9", "sh cry foo", "invalid"),
        ("asa9", "sh cry ipsec sa peer nobody", "invalid"),
        ("asa8.2", "sh cry ikev1 sa", "invalid"),
        ("asa8.2", "sh cry debug-condition", "invalid"),
        ("asa9", "sh cry ca", "unsimulated"),
        ("asa9", "sh cry isa", "incomplete"),
    ],
)
def test_grammar(family_name: str, line: str, result: object) -> None:
    m = build(asa.commands(family_name), asa.KNOWN).match(line)
    if isinstance(result, tuple):
        assert isinstance(m, Match) and m.words == result
    else:
        assert isinstance(m, NoMatch) and m.kind == result
