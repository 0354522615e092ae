"""Crypto debugging in the lab: the line generator, the debug commands, and delivery over SSH.

The generator is checked against the message fragments of the reference catalog
(section 3, C-numbers); the CLI side over real SSH (telnet for PIX 6) with
netmiko, reading the channel the way the tool's debug capture does.
"""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from ipsec_ops.lab import debug, debug_cli
from ipsec_ops.lab.debug_catalog import SCENES
from ipsec_ops.lab.debug_facts import DEBUG_PERIOD_S, facts
from ipsec_ops.lab.engine import Engine, LabClock
from ipsec_ops.lab.render.base import DeviceState
from ipsec_ops.lab.runtime import Lab
from ipsec_ops.lab.scenario import load_scenario, scenario_from_text
from ipsec_ops.lab.timeline import RENEGOTIATE_S
from ipsec_ops.platforms import family, is_rejected
from tests.conftest import RunningLab, start_lab

# -- the line generator ------------------------------------------------------------------

UNIT = """
name: debug-unit
description: one tunnel per catalog style, plus a pair of routers and every fault
defaults: {username: admin, password: Pw-Lab-1, enable_secret: En-Lab-2}
devices:
  rtr:
    platform: cisco_ios
    family: ios15
    interfaces: [{name: Gi0/0, address: 192.0.2.1/24, crypto_map: VPN}]
    crypto_map:
      - {peer: 203.0.113.1, acl: ["10.1.0.0/24 10.9.0.0/24"], psk: K-1, transform_set: TS}
      - {peer: 203.0.113.2, ike_version: 2, acl: ["10.1.1.0/24 10.9.1.0/24"], psk: K-2,
         transform_set: TS}
      - {peer: 203.0.113.3, acl: ["10.1.2.0/24 10.9.2.0/24"], psk: K-3, transform_set: TS}
      - {peer: 203.0.113.4, acl: ["10.1.3.0/24 10.9.3.0/24"], psk: K-4, transform_set: TS}
      - {peer: 203.0.113.5, acl: ["10.1.4.0/24 10.9.4.0/24"], psk: K-5, transform_set: TS,
         faults: [stale]}
      - {peer: 203.0.113.6, acl: ["10.1.5.0/24 10.9.5.0/24"], psk: K-6, transform_set: TS,
         faults: [flapping]}
  fw:
    platform: cisco_asa
    family: asa9
    interfaces: [{name: Gi0/0, nameif: outside, address: 192.0.2.3/24, crypto_map: VPN}]
    crypto_map:
      - {peer: 203.0.113.1, acl: ["10.3.0.0/24 10.9.0.0/24"], psk: K-1, transform_set: TS}
      - {peer: 203.0.113.2, ike_version: 2, acl: ["10.3.1.0/24 10.9.1.0/24"], psk: K-2,
         transform_set: TS}
      - {peer: 203.0.113.3, acl: ["10.3.2.0/24 10.9.2.0/24"], psk: K-3, transform_set: TS}
      - {peer: 203.0.113.7, ike_version: 2, acl: ["10.3.3.0/24 10.9.3.0/24"], psk: K-7,
         transform_set: TS}
  pix:
    platform: cisco_pix
    family: pix6.3
    interfaces: [{name: ethernet0, nameif: outside, address: 192.0.2.6/24, crypto_map: VPN}]
    crypto_map:
      - {peer: 203.0.113.1, acl: ["10.6.0.0/24 10.9.0.0/24"], psk: K-1, transform_set: TS}
  left:
    platform: cisco_ios
    family: ios15
    interfaces: [{name: Gi0/0, address: 192.0.2.11/24, crypto_map: VPN}]
    crypto_map:
      - {peer: 192.0.2.12, acl: ["10.11.0.0/24 10.12.0.0/24"], psk: K-P, transform_set: TS}
  right:
    platform: cisco_ios
    family: ios15
    ike_policies: [{priority: 10, encryption: 3des, hash: md5, group: 2}]
    interfaces: [{name: Gi0/0, address: 192.0.2.12/24, crypto_map: VPN}]
    crypto_map:
      - {peer: 192.0.2.11, acl: ["10.12.0.0/24 10.11.0.0/24"], psk: K-P, transform_set: TS}
peers:
  - {address: 203.0.113.1, psk: K-1, ike_policies: [{priority: 10, encryption: 3des, hash: md5,
     group: 2}]}
  - {address: 203.0.113.2, psk: K-2}
  - {address: 203.0.113.3, answers: false}
  - {address: 203.0.113.4, psk: K-4}
  - {address: 203.0.113.5, psk: K-5}
  - {address: 203.0.113.6, psk: K-6}
  - {address: 203.0.113.7, answers: false}
"""

# Reference section 3 fragments (the syslog id prefix dropped where debugs print the text
# without it), plus lab markers for the successful exchange and IKEv2 (no catalog entry).
REFERENCE = {
    "C01": r"retransmitting phase 1 (MM_\w+|AG_\w+)",
    "C03": r"incrementing error counter on sa, attempt \d+ of \d+: retransmit phase 1",
    "C04": r"IKE_DECODE RESENDING Message",
    "C12": r"atts are not acceptable\. Next payload is \d+",
    "C13": r"(Encryption algorithm|Hash algorithm|Diffie-Hellman group) offered does not match",
    "C14": r"no offers accepted!",
    "C15": r"%CRYPTO-6-IKMP_MODE_FAILURE: Processing of (Main|Aggressive|Quick) mode failed with "
    r"peer at \S+",
    "C16": r"NO_PROPOSAL_CHOSEN",
    "C17": r"Phase \d failure: Mismatched attribute types for class [\w ]+: Rcv'd: .+ Cfg'd: .+",
    "C18": r"All SA proposals found unacceptable",
    "C22": r"%CRYPTO-4-IKMP_BAD_MESSAGE: IKE message from \S+ failed its sanity check or is "
    r"malformed",
    "C23": r"reserved not zero on payload 5|malformed payload",
    "C33": r"Received an un-encrypted (INVALID_COOKIE|PAYLOAD_MALFORMED) notify message",
    "C33b": r"had problems decrypting packet, probably due to mismatched pre-shared key",
    "C40": r"phase 2 SA policy not acceptable!",
    "C41": r"IPSEC\(validate_transform_proposal\): transform proposal .* not supported for "
    r"identity",
    "C42": r"All IPSec SA proposals found unacceptable!",
    "C43": r"processing NOTIFY PROPOSAL_NOT_CHOSEN protocol 3",
    "C46": r"IPSEC\(validate_transform_proposal\): proxy identities not supported",
    "C46N": r"processing NOTIFY INVALID_ID_INFO protocol",
    "C49": r"Tunnel rejected: Crypto Map Policy not found for Src:\S+, Dst: \S+|Rejecting IPSec "
    r"tunnel: no matching crypto map entry for remote proxy \S+ local proxy \S+ on interface \S+",
    "C50": r"QM FSM error \(P2 struct &0x[0-9a-f]+, mess id 0x[0-9a-f]+\)!",
    "C51": r"Removing peer from (correlator|peer) table failed, no match!",
    "C53": r"Received non-routine Notify message: .+",
    "C56": r"%CRYPTO-4-RECVD_PKT_INV_SPI: decaps: rec'd IPSEC packet has invalid spi for "
    r"destaddr=\S+, prot=\d+, spi=0x[0-9A-F]+\(\d+\), srcaddr=\S+",
    "C57": r"%ASA-4-402114:.*Received an \S+ packet \(SPI= 0x[0-9A-F]+, sequence number= .*\) "
    r"from \S+ to \S+ with an invalid SPI",
    "C58": r"%PIX-4-402101: decaps: rec'd IPSEC packet has invalid spi for destaddr=",
    "C72": r"PHASE 1 COMPLETED",
    "C73": r"PHASE 2 COMPLETED \(msgid=[0-9a-f]+\)",
    "C74": r"Security negotiation complete for (LAN-to-LAN|.*) Group \(\S+\)\s+"
    r"(Initiator|Responder), Inbound SPI = 0x[0-9a-f]+, Outbound SPI = 0x[0-9a-f]+",
    "C80": r"There was no IPSEC policy found for received TS",
    "P1": r"New State = IKE_P1_COMPLETE|SA has been authenticated|is UP",
    "P2": r"New State = IKE_QM_PHASE2_COMPLETE|IPSEC\(create_sa\): sa created|"
    r"Completed host IBSA update",
    "V2-RETX": r"Retransmitting packet",
    "V2-AUTH": r"AUTHENTICATION_FAILED|Failed to authenticate",
    "V2-POLICY": r"Failed to find a matching policy",
}

# (style, scene, role, catalog ids whose fragments appear: no more, no fewer)
EXPECTED = [
    ("ios", "unreachable", "initiator", "C01 C03"),
    ("ios", "no_peer_config", "initiator", "C01 C03"),
    ("ios", "policy_mismatch", "initiator", "C16"),
    ("ios", "policy_mismatch", "responder", "C12 C13 C14 C15 C16"),
    ("ios", "auth_failed", "initiator", "C01 C22 C23"),
    ("ios", "auth_failed", "responder", "C22 C23"),
    ("ios", "phase2_mismatch", "initiator", "C43"),
    ("ios", "phase2_mismatch", "responder", "C15 C40 C41"),
    ("ios", "proxy_mismatch", "initiator", "C46N"),
    ("ios", "proxy_mismatch", "responder", "C15 C40 C46"),
    ("ios", "stale", "initiator", "C56"),
    ("ios", "up", "initiator", "P1 P2"),
    ("ios", "up", "responder", "P1 P2"),
    ("ios", "rekey", "responder", "P2"),
    ("ios2", "unreachable", "initiator", "V2-RETX"),
    ("ios2", "policy_mismatch", "initiator", "C16"),
    ("ios2", "policy_mismatch", "responder", "C16 V2-POLICY"),
    ("ios2", "auth_failed", "responder", "V2-AUTH"),
    ("ios2", "proxy_mismatch", "responder", "C80"),
    ("ios2", "up", "initiator", "P1 P2"),
    ("asa", "unreachable", "initiator", "C04"),
    ("asa", "no_peer_config", "initiator", "C04 C33"),
    ("asa", "policy_mismatch", "initiator", "C53"),
    ("asa", "policy_mismatch", "responder", "C17 C18 C51"),
    ("asa", "auth_failed", "initiator", "C04 C33"),
    ("asa", "auth_failed", "responder", "C33b"),
    ("asa", "phase2_mismatch", "initiator", "C51 C53"),
    ("asa", "phase2_mismatch", "responder", "C42 C50 C51"),
    ("asa", "proxy_mismatch", "initiator", "C53"),
    ("asa", "proxy_mismatch", "responder", "C49 C50"),
    ("asa", "stale", "responder", "C57"),
    ("asa", "up", "initiator", "C72 C73 C74 P2"),
    ("asa", "rekey", "initiator", "C73 C74 P2"),
    ("asa2", "unreachable", "initiator", "V2-RETX"),
    ("asa2", "policy_mismatch", "responder", "V2-POLICY"),
    ("asa2", "auth_failed", "initiator", "V2-AUTH"),
    ("asa2", "proxy_mismatch", "responder", "C80"),
    ("asa2", "up", "responder", "P1 P2"),
    ("pix6", "unreachable", "initiator", "C01 C03"),
    ("pix6", "policy_mismatch", "responder", "C12 C13 C14"),
    ("pix6", "auth_failed", "initiator", "C23"),
    ("pix6", "phase2_mismatch", "responder", "C40 C41"),
    ("pix6", "proxy_mismatch", "responder", "C40 C46"),
    ("pix6", "stale", "initiator", "C58"),
    ("pix6", "up", "initiator", "P1 P2"),
]
# Which unit tunnel gives the facts of each style: (device, crypto map entry index).
STYLE_TUNNEL = {
    "ios": ("rtr", 0),
    "ios2": ("rtr", 1),
    "asa": ("fw", 0),
    "asa2": ("fw", 1),
    "pix6": ("pix", 0),
}


@pytest.fixture(scope="module")
def unit() -> Engine:
    return Engine(scenario_from_text(UNIT))


def scene_texts(engine: Engine, style: str, scene: str, role: str) -> list[str]:
    name, index = STYLE_TUNNEL[style]
    device = engine.scenario.device(name)
    view = engine.tunnels(device, engine.start)[index]
    values = facts(engine, device, index, view, scene, engine.start, role)
    return [text for _, text in debug.scene_lines(style, scene, role, values)]


def found_ids(texts: list[str]) -> set[str]:
    return {cid for cid, rx in REFERENCE.items() if any(re.search(rx, t) for t in texts)}


@pytest.mark.parametrize(("style", "scene", "role", "ids"), EXPECTED)
def test_each_outcome_prints_its_catalog_messages(
    unit: Engine, style: str, scene: str, role: str, ids: str
) -> None:
    texts = scene_texts(unit, style, scene, role)
    assert texts
    assert found_ids(texts) == set(ids.split())


@pytest.mark.parametrize(("style", "scene"), sorted(SCENES))
def test_every_catalog_line_is_filled(unit: Engine, style: str, scene: str) -> None:
    for role in ("initiator", "responder"):
        eligible = [t for t in SCENES[(style, scene)] if t.role in ("", role)]
        texts = scene_texts(unit, style, scene, role)
        assert len(texts) == len(eligible), "a placeholder had no value"
        assert not [t for t in texts if re.search(r"\{[A-Za-z_0-9]+\}", t)]


def test_silent_peer_only_the_initiator_prints(unit: Engine) -> None:
    for style in ("ios", "ios2", "asa", "asa2", "pix6"):
        assert scene_texts(unit, style, "unreachable", "responder") == []


def test_timestamps_per_platform(unit: Engine) -> None:
    t = unit.start
    ios = debug.lines_between(unit, unit.scenario.device("rtr"), t, t + 2 * DEBUG_PERIOD_S)
    heads = [line.text.split("\n")[0] for line in ios]
    assert heads and all(re.match(r"\*\w{3} [ \d]\d \d\d:\d\d:\d\d\.\d{3}: \S", h) for h in heads)
    asa = debug.lines_between(unit, unit.scenario.device("fw"), t, t + 2 * DEBUG_PERIOD_S)
    ikev1 = [line.text for line in asa if "[IKEv1" in line.text]
    assert ikev1 and all(re.match(r"\w{3} \d\d \d\d:\d\d:\d\d \[IKEv1", x) for x in ikev1)
    pix = debug.lines_between(unit, unit.scenario.device("pix"), t, t + 2 * DEBUG_PERIOD_S)
    assert pix and all(line.text.startswith(("ISAKMP", "crypto_", "OAK", "ret")) for line in pix)


def test_a_failing_negotiation_bursts_every_period(unit: Engine) -> None:
    dev, t = unit.scenario.device("rtr"), unit.start
    lines = debug.lines_between(unit, dev, t, t + 3 * DEBUG_PERIOD_S)
    texts = debug.visible(lines, "ios", {"crypto isakmp"}, ["peer ipv4 203.0.113.3"])
    retransmits = [x for x in texts if "retransmitting phase 1 MM_NO_STATE..." in x]
    assert len(retransmits) >= 2
    stamps = {x.split(": ISAKMP")[0] for x in retransmits}
    assert len(stamps) == len(retransmits)  # one per burst


def test_conditions_keep_one_peer(unit: Engine) -> None:
    dev, t = unit.scenario.device("rtr"), unit.start
    lines = debug.lines_between(unit, dev, t, t + 3 * DEBUG_PERIOD_S)
    every = "\n".join(debug.visible(lines, "ios", {"crypto isakmp", "crypto ipsec"}, []))
    assert "203.0.113.3" in every and "203.0.113.1" in every and "203.0.113.5" in every
    one = debug.visible(lines, "ios", {"crypto isakmp"}, ["peer ipv4 203.0.113.3"])
    assert one and not [x for x in one if re.search(r"203\.0\.113\.[1245]\b", x)]
    net = debug.visible(lines, "ios", {"crypto isakmp"}, ["peer subnet 203.0.113.0 255.255.255.0"])
    assert len(net) > len(one)
    assert debug.visible(lines, "ios", {"crypto isakmp"}, ["peer ipv4 198.51.100.99"]) == []


def test_lines_before_the_peer_is_known_need_unmatched(unit: Engine) -> None:
    dev, t = unit.scenario.device("right"), unit.start  # responder of a policy mismatch
    lines = debug.lines_between(unit, dev, t, t + 2 * DEBUG_PERIOD_S)
    peer = ["peer ipv4 192.0.2.11"]
    quiet = "\n".join(debug.visible(lines, "ios", {"crypto isakmp"}, peer))
    assert "Processing of Main mode failed with peer at 192.0.2.11" in quiet
    assert "no offers accepted!" not in quiet
    loud = "\n".join(debug.visible(lines, "ios", {"crypto isakmp"}, [*peer, "unmatched isakmp"]))
    assert "no offers accepted!" in loud and "offered does not match policy!" in loud


def test_debug_kinds_levels_and_errors(unit: Engine) -> None:
    t = unit.start
    rtr = debug.lines_between(unit, unit.scenario.device("rtr"), t, t + 2 * DEBUG_PERIOD_S)
    ipsec_only = debug.visible(rtr, "ios", {"crypto ipsec"}, [])
    assert ipsec_only and not [x for x in ipsec_only if "ISAKMP:" in x]
    errors = debug.visible(rtr, "ios", {"crypto isakmp error"}, [])
    assert errors and len(errors) < len(debug.visible(rtr, "ios", {"crypto isakmp"}, []))
    assert not [x for x in errors if "sending packet to" in x]
    fw = debug.lines_between(unit, unit.scenario.device("fw"), t, t + 2 * DEBUG_PERIOD_S)
    low = debug.visible(fw, "asa", {"crypto ikev1 1"}, [])
    high = debug.visible(fw, "asa", {"crypto ikev1 127"}, [])
    assert low and not [x for x in low if "[IKEv1 DEBUG]" in x]
    assert [x for x in high if "[IKEv1 DEBUG]" in x]
    assert debug.visible(fw, "asa", {"crypto ikev2 protocol 127"}, [])
    assert debug.visible(fw, "asa", {"crypto ikev2 platform 127"}, [])


def test_clear_prints_the_whole_exchange(unit: Engine) -> None:
    engine = Engine(scenario_from_text(UNIT))  # clears change state: a fresh engine
    dev, t = engine.scenario.device("rtr"), engine.start + 5
    peer = engine.tunnels(dev, t)[3].peer  # healthy 203.0.113.4
    assert (
        debug.visible(
            debug.lines_between(engine, dev, t, t + 1),
            "ios",
            {"crypto isakmp"},
            [f"peer ipv4 {peer}"],
        )
        == []
    )
    engine.clear(dev, peer, at=t)
    end = t + RENEGOTIATE_S + 1
    texts = debug.visible(
        debug.lines_between(engine, dev, t, end),
        "ios",
        {"crypto isakmp", "crypto ipsec"},
        [f"peer ipv4 {peer}"],
    )
    assert found_ids(texts) >= {"P1", "P2"}
    assert any("New State = IKE_P1_COMPLETE" in x for x in texts)


def test_rekey_prints_quick_mode_only(unit: Engine) -> None:
    dev = unit.scenario.device("rtr")
    spi_at = [
        (unit.start + s, unit.tunnels(dev, unit.start + s)[3].ipsec[0].spi_in)
        for s in range(0, 3600, 60)
    ]
    a, b = next((x[0], y[0]) for x, y in itertools.pairwise(spi_at) if x[1] != y[1])
    texts = debug.visible(
        debug.lines_between(unit, dev, a, b),
        "ios",
        {"crypto isakmp", "crypto ipsec"},
        ["peer ipv4 203.0.113.4"],
    )
    assert any("IKE_QM_PHASE2_COMPLETE" in x for x in texts)
    assert not any("IKE_P1_COMPLETE" in x for x in texts)


def test_flapping_retries_while_down_and_renegotiates(unit: Engine) -> None:
    dev = unit.scenario.device("rtr")
    cond, kinds = ["peer ipv4 203.0.113.6"], {"crypto isakmp"}
    states = [
        (unit.start + s, unit.tunnels(dev, unit.start + s)[5].uptime_s) for s in range(0, 240)
    ]
    down = next(t for t, up in states if up is None)
    assert any(
        "retransmitting phase 1" in x
        for x in debug.visible(
            debug.lines_between(unit, dev, down, down + 2 * DEBUG_PERIOD_S), "ios", kinds, cond
        )
    )
    back = next(
        t
        for (_, before), (t, up) in itertools.pairwise(states)
        if up is not None and before is None
    )
    texts = debug.visible(debug.lines_between(unit, dev, back - 1, back), "ios", kinds, cond)
    assert any("IKE_P1_COMPLETE" in x for x in texts)


# -- the commands -----------------------------------------------------------------------


def test_command_tables_per_family() -> None:
    def syntaxes(fam: str) -> set[str]:
        return {s for s, _ in debug_cli.command_table(fam)}

    assert "debug crypto ikev2" in syntaxes("xe17")
    assert "debug crypto ikev2" not in syntaxes("ios12.4")
    assert "debug crypto condition peer ipv4 <ip:addr>" in syntaxes("ios12.4")
    assert "debug crypto ikev2 platform [<int:level>]" in syntaxes("asa9")
    assert "debug crypto condition peer <ip:addr>" in syntaxes("asa9")
    for fam in ("asa8.2", "pix7", "pix6.3"):
        assert not [s for s in syntaxes(fam) if "condition" in s], fam
        assert "debug crypto isakmp [<int:level>]" in syntaxes(fam)
        assert family(fam).conditional_debug is False


def test_run_changes_the_device_state() -> None:
    dev = load_scenario("default").device("hq-rtr")
    state = DeviceState(dev)
    reply = debug_cli.run("ios15", state, "on crypto isakmp", {})
    assert reply.text == "Crypto ISAKMP debugging is on"
    assert debug_cli.run("ios15", state, "on crypto ipsec error", {}).text == (
        "Crypto IPSEC Error debugging is on"
    )
    debug_cli.run("ios15", state, "cond+ peer ipv4 {addr}", {"addr": "192.0.2.1"})
    debug_cli.run("ios15", state, "cond+ unmatched", {})
    assert state.debugs == {"crypto isakmp", "crypto ipsec error"}
    assert state.debug_conditions == [
        "peer ipv4 192.0.2.1",
        "unmatched isakmp",
        "unmatched ipsec",
        "unmatched engine",
    ]
    assert debug_cli.run("ios15", state, "off crypto isakmp", {}).text == (
        "Crypto ISAKMP debugging is off"
    )
    assert debug_cli.run("ios15", state, "alloff", {}).text == debug_cli.ALL_OFF
    debug_cli.run("ios15", state, "reset", {})
    assert not state.debugs and not state.debug_conditions
    debug_cli.run("asa9", state, "on crypto ikev1", {"level": "127"})
    debug_cli.run("asa9", state, "on crypto ikev1", {"level": "200"})
    assert state.debugs == {"crypto ikev1 200"}
    assert debug_cli.run("asa9", state, "on crypto ipsec", {"level": "256"}).bad_level
    debug_cli.run("asa9", state, "on crypto ipsec", {})
    debug_cli.run("asa9", state, "off crypto ikev1", {})
    assert state.debugs == {"crypto ipsec 1"}


# -- over SSH and telnet ----------------------------------------------------------------

IOS_DEVICE = """
  {name}:
    platform: cisco_ios
    family: ios15
    hostname: {host}
    interfaces: [{{name: GigabitEthernet0/0, address: {addr}/24, crypto_map: VPN}}]
    crypto_map:
      - {{peer: 203.0.113.10, acl: ["10.1.0.0/24 172.16.10.0/24"], psk: Key-A, transform_set: TS}}
      - {{peer: 203.0.113.20, acl: ["10.1.0.0/24 172.16.20.0/24"], psk: Key-B, transform_set: TS}}
"""
FW_DEVICE = """
  {name}:
    platform: {platform}
    family: {fam}
    hostname: {host}
    interfaces: [{{name: e0, nameif: outside, address: {addr}/24, crypto_map: VPN}}]
    crypto_map:
      - {{peer: 203.0.113.10, acl: ["10.5.0.0/24 172.16.10.0/24"], psk: Key-A, transform_set: TS}}
"""
SSH_SCENARIO = (
    "name: debug-ssh\ndescription: silent peers under debug\n"
    "defaults: {username: admin, password: Pw-Lab-1, enable_secret: En-Lab-2}\ndevices:"
    + "".join(
        IOS_DEVICE.format(name=n, host=n.upper(), addr=f"198.51.100.{i}")
        for i, n in enumerate(("rtr", "rtr-mon", "rtr-keep"), start=1)
    )
    + FW_DEVICE.format(
        name="fw9", platform="cisco_asa", fam="asa9", host="FW9", addr="198.51.100.9"
    )
    + FW_DEVICE.format(
        name="fw82", platform="cisco_asa", fam="asa8.2", host="FW82", addr="198.51.100.8"
    )
    + FW_DEVICE.format(
        name="pix", platform="cisco_pix", fam="pix6.3", host="PIX", addr="198.51.100.6"
    )
    + "\npeers:\n  - {address: 203.0.113.10, answers: false}\n"
    "  - {address: 203.0.113.20, answers: false}\n"
)


@pytest.fixture(scope="module")
def dlab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningLab]:
    running = start_lab(scenario_from_text(SSH_SCENARIO), tmp_path_factory.mktemp("debug-lab"))
    yield running
    running.lab.stop()


def prompt_of(running: RunningLab, name: str) -> str:
    return re.escape(running.lab.node(name).device.hostname) + r"[>#] ?"


def cli(conn: Any, running: RunningLab, name: str, command: str) -> str:
    """One command with an explicit prompt (debug lines may be flowing); debug lines dropped."""
    out = conn.send_command(command, expect_string=prompt_of(running, name), read_timeout=15)
    return "\n".join(x for x in str(out).splitlines() if not x.startswith("*"))


def drain(conn: Any, seconds: float) -> str:
    """Everything the device sends on its own during ``seconds``."""
    text, deadline = "", time.monotonic() + seconds
    while time.monotonic() < deadline:
        text += conn.read_channel()
        time.sleep(0.1)
    return text


def watch(conn: Any, done: Callable[[str], bool], timeout: float = 10) -> str:
    """Read what the device sends on its own until ``done(text)`` (fails after ``timeout``)."""
    text, deadline = "", time.monotonic() + timeout
    while time.monotonic() < deadline:
        text += conn.read_channel()
        if done(text):
            return text
        time.sleep(0.1)
    raise AssertionError(f"not seen in {timeout} s: {text[-800:]!r}")


def test_ios_condition_limits_debug_to_one_peer(
    dlab: RunningLab, connect: Callable[..., Any]
) -> None:
    conn = connect(dlab, "rtr")
    conn.enable()
    assert cli(conn, dlab, "rtr", "debug crypto condition peer ipv4 203.0.113.10") == ""
    assert cli(conn, dlab, "rtr", "debug crypto isakmp") == "Crypto ISAKMP debugging is on"
    assert cli(conn, dlab, "rtr", "terminal monitor") == ""
    stream = watch(
        conn,
        lambda s: s.count("retransmitting phase 1 MM_NO_STATE...") >= 2 and s.endswith("RTR#"),
    )
    assert "203.0.113.10" in stream and "203.0.113.20" not in stream
    assert re.search(r"\n\*\w{3} .*ISAKMP.*\nRTR#", stream)  # a burst, then the prompt
    assert cli(conn, dlab, "rtr", "show debugging").splitlines() == [
        "Cryptographic Subsystem:",
        "  Crypto ISAKMP debugging is on",
    ]
    cond = cli(conn, dlab, "rtr", "show crypto debug-condition")
    assert "Crypto conditional debug currently is turned ON" in cond
    assert "IKE peer IP address filters:\n203.0.113.10" in cond
    assert cli(conn, dlab, "rtr", "debug crypto condition reset") == ""
    assert cli(conn, dlab, "rtr", "undebug all") == debug_cli.ALL_OFF
    assert cli(conn, dlab, "rtr", "show debugging") == ""
    assert "turned OFF" in cli(conn, dlab, "rtr", "show crypto debug-condition")
    state = dlab.lab.node("rtr").state
    assert not state.debugs and not state.debug_conditions


def test_ios_lines_only_on_terminal_monitor_sessions(
    dlab: RunningLab, connect: Callable[..., Any]
) -> None:
    watcher, other = connect(dlab, "rtr-mon"), connect(dlab, "rtr-mon")
    for conn in (watcher, other):
        conn.enable()
    cli(watcher, dlab, "rtr-mon", "terminal monitor")
    cli(other, dlab, "rtr-mon", "debug crypto isakmp")  # unconditional: every peer
    try:
        watch(watcher, lambda s: "203.0.113.10" in s and "203.0.113.20" in s)
        assert drain(other, 0.5) == ""  # no `terminal monitor`: nothing, ever
        cli(watcher, dlab, "rtr-mon", "terminal no monitor")
        drain(watcher, 0.5)
        assert drain(watcher, 2 * DEBUG_PERIOD_S) == ""
    finally:
        cli(other, dlab, "rtr-mon", "undebug all")


def test_debug_outlives_the_session_that_set_it(
    dlab: RunningLab, connect: Callable[..., Any]
) -> None:
    first = connect(dlab, "rtr-keep")
    first.enable()
    cli(first, dlab, "rtr-keep", "debug crypto condition peer ipv4 203.0.113.20")
    cli(first, dlab, "rtr-keep", "debug crypto ipsec")
    first.disconnect()
    second = connect(dlab, "rtr-keep")
    second.enable()
    assert "Crypto IPSEC debugging is on" in cli(second, dlab, "rtr-keep", "show debugging")
    assert "203.0.113.20" in cli(second, dlab, "rtr-keep", "show crypto debug-condition")
    cli(second, dlab, "rtr-keep", "debug crypto condition reset")
    cli(second, dlab, "rtr-keep", "no debug all")
    assert cli(second, dlab, "rtr-keep", "show debugging") == ""


def test_asa9_prints_on_the_enabling_session_only(
    dlab: RunningLab, connect: Callable[..., Any]
) -> None:
    owner, other = connect(dlab, "fw9"), connect(dlab, "fw9")
    for conn in (owner, other):
        conn.enable()
    cli(owner, dlab, "fw9", "debug crypto condition peer 203.0.113.10")
    assert cli(owner, dlab, "fw9", "debug crypto ikev1 127") == ""
    try:
        watch(owner, lambda s: "[IKEv1]: IP = 203.0.113.10, IKE_DECODE RESENDING Message" in s)
        assert drain(other, 0.5) == ""
        assert cli(other, dlab, "fw9", "show debug") == "debug crypto ikev1 enabled at level 127"
        cond = cli(other, dlab, "fw9", "show crypto debug-condition").splitlines()
        assert cond[0] == "Crypto conditional debug is turned ON"
        assert cond[-2:] == ["IKE peer IP address filters:", "203.0.113.10/32"]
        bad = cli(other, dlab, "fw9", "debug crypto ikev1 300")
        assert is_rejected(bad, family("asa9"))
    finally:
        cli(other, dlab, "fw9", "debug crypto condition reset")
        cli(other, dlab, "fw9", "undebug all")
    assert cli(other, dlab, "fw9", "show debug") == ""


def test_asa82_has_no_conditional_debug(dlab: RunningLab, connect: Callable[..., Any]) -> None:
    conn = connect(dlab, "fw82")
    conn.enable()
    refused = cli(conn, dlab, "fw82", "debug crypto condition peer 203.0.113.10")
    assert is_rejected(refused, family("asa8.2"))
    assert not dlab.lab.node("fw82").state.debug_conditions
    assert is_rejected(cli(conn, dlab, "fw82", "debug crypto ikev1 127"), family("asa8.2"))
    cli(conn, dlab, "fw82", "debug crypto isakmp 127")
    try:
        watch(conn, lambda s: "IKE_DECODE RESENDING" in s)
        assert cli(conn, dlab, "fw82", "show debug") == "debug crypto isakmp enabled at level 127"
    finally:
        cli(conn, dlab, "fw82", "undebug all")


def test_pix6_over_telnet(dlab: RunningLab, connect: Callable[..., Any]) -> None:
    conn = connect(dlab, "pix")
    conn.enable()
    cli(conn, dlab, "pix", "pager 0")
    refused = cli(conn, dlab, "pix", "debug crypto condition peer 203.0.113.10")
    assert is_rejected(refused, family("pix6.3"))
    cli(conn, dlab, "pix", "debug crypto isakmp")
    try:
        assert cli(conn, dlab, "pix", "show debug") == "debug crypto isakmp 1"
        assert drain(conn, DEBUG_PERIOD_S + 0.5) == ""  # console only, until terminal monitor
        cli(conn, dlab, "pix", "terminal monitor")
        watch(conn, lambda s: "ISAKMP (0): retransmitting phase 1 MM_NO_STATE..." in s)
    finally:
        cli(conn, dlab, "pix", "undebug all")
    assert cli(conn, dlab, "pix", "show debug") == ""


def test_lines_never_interrupt_a_command(dlab: RunningLab, connect: Callable[..., Any]) -> None:
    conn = connect(dlab, "rtr")
    conn.enable()
    cli(conn, dlab, "rtr", "terminal monitor")
    cli(conn, dlab, "rtr", "debug crypto isakmp")
    try:
        conn.write_channel("terminal length 24\nshow running-config\n")
        paged = conn.read_until_pattern(r" --More-- ", read_timeout=10)
        waiting = drain(conn, 2 * DEBUG_PERIOD_S + 0.5)  # bursts fall due while paged
        assert "ISAKMP" not in paged.split("show running-config")[-1]
        assert waiting == ""
        conn.write_channel("q")
        watch(conn, lambda s: "retransmitting phase 1" in s and s.endswith("RTR#"), 3)
    finally:
        conn.write_channel("terminal length 0\n")
        cli(conn, dlab, "rtr", "undebug all")


def test_stopping_the_lab_ends_the_debug_task() -> None:
    clock = LabClock()
    lab = Lab(scenario_from_text(SSH_SCENARIO), clock=clock).start()
    node = lab.node("rtr")

    async def arm() -> None:
        node.state.debugs.add("crypto isakmp")
        node.debug_changed()

    lab.call(arm())
    task = node.debug_task
    assert task is not None and not task.done()
    started = time.monotonic()
    lab.stop()
    assert time.monotonic() - started < 5
    assert node.debug_task is None and task.done()
    assert node.state.debugs == {"crypto isakmp"}  # state stays: only the task ends
