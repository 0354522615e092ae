"""Every debug of the procedure: the command each kind sends, what the lab prints, arm/reset.

The kinds and their IOS commands are the reference's section 4.1-4.2 (checked here as a
table, not copied from the code under test); the lab part renders debug lines from
the engine (a clear makes a tunnel renegotiate) and the end-to-end part runs the real
CLI against a lab over SSH, watching the device's debug state while it runs and after.
"""

from __future__ import annotations

import ipaddress
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from netmiko import ConnectHandler

from ipsec_ops.debugging import DebugRefused, DebugRequest, plan
from ipsec_ops.lab import debug
from ipsec_ops.lab.engine import Engine
from ipsec_ops.lab.scenario import load_scenario
from ipsec_ops.platforms import family
from tests.conftest import RunningLab, netmiko_params, start_lab

# Reference 4.1 / 4.2 (IOS / IOS-XE): kind -> the command that turns it on.
IOS_KINDS = {
    "isakmp": "debug crypto isakmp",
    "isakmp error": "debug crypto isakmp error",
    "isakmp ha": "debug crypto isakmp ha",
    "ipsec": "debug crypto ipsec",
    "ipsec error": "debug crypto ipsec error",
    "routing": "debug crypto routing",
    "ha": "debug crypto ha",
    "engine error": "debug crypto engine error",
    "engine packet": "debug crypto engine packet",
    "ikev2": "debug crypto ikev2",
}
PEER = "198.51.100.3"  # hq-rtr's healthy IKEv1 peer (FW-ASA9)


@pytest.mark.parametrize(("kind", "command"), sorted(IOS_KINDS.items()))
def test_each_ios_kind_sends_its_command_after_the_condition(kind: str, command: str) -> None:
    conditions, debugs = plan(family("xe17"), DebugRequest(PEER, (kind,)))
    assert conditions == [f"debug crypto condition peer ipv4 {PEER}"]
    assert debugs == [command]


def test_unmatched_flags() -> None:
    req = DebugRequest(PEER, ("isakmp",), unmatched=("isakmp", "ipsec", "engine"))
    conditions, _ = plan(family("ios15"), req)
    assert conditions[1:] == [
        f"debug crypto condition unmatched {u}" for u in ("isakmp", "ipsec", "engine")
    ]
    with pytest.raises(DebugRefused, match="--unmatched ike"):
        plan(family("ios15"), DebugRequest(PEER, ("isakmp",), unmatched=("ike",)))
    with pytest.raises(DebugRefused, match="condition unmatched"):
        plan(family("asa9"), DebugRequest(PEER, ("isakmp",), unmatched=("isakmp",)))


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("asa9", "routing"),
        ("asa9", "engine packet"),
        ("asa9", "isakmp error"),
        ("asa8.2", "ikev2"),
        ("pix7", "ha"),
        ("pix6.3", "engine packet"),
        ("ios12.4", "ikev2"),
    ],
)
def test_a_kind_the_family_lacks_is_refused_naming_the_family(name: str, kind: str) -> None:
    fam = family(name)
    assert fam.debug is not None and kind not in fam.debug.kinds
    req = DebugRequest(PEER, (kind,), no_condition=True, force=True)
    with pytest.raises(DebugRefused, match=f"{name} has no '{kind}' debug"):
        plan(fam, req)


# -- what the lab prints for each kind --------------------------------------------------------


@pytest.fixture(scope="module")
def cleared_lines() -> list[debug.DebugLine]:
    """hq-rtr's debug lines over 6 s in which its IKEv1 and IKEv2 peers were cleared."""
    engine = Engine(load_scenario("default"))
    engine.clock.advance(30)
    device = engine.scenario.device("hq-rtr")
    start = engine.clock.now()
    for peer in (PEER, "198.51.100.2"):
        engine.clear(device, ipaddress.IPv4Address(peer))
    engine.clock.advance(6)
    return debug.lines_between(engine, device, start, engine.clock.now())


# A fragment each kind's lines carry in the lab (catalog styles ios / ios2).
MARKERS = {
    "isakmp": "ISAKMP",
    "isakmp error": "retransmit",
    "ipsec": "IPSEC(",
    "ipsec error": "invalid spi",
    "routing": "IPSEC(rte_mgr): VPN Route",
    "engine": "CryptoEngine0: create ISAKMP SKEYID",
    "engine error": "decrypt failed",
    "engine packet": "encrypt packet",
    "ikev2": "IKEv2",
}


@pytest.mark.parametrize("kind", sorted(MARKERS))
def test_the_lab_prints_each_kind(cleared_lines: list[debug.DebugLine], kind: str) -> None:
    shown = "\n".join(debug.visible(cleared_lines, "ios", {f"crypto {kind}"}, []))
    assert MARKERS[kind] in shown
    # a debug shows its own lines only: the per-packet, route and IKEv2 lines are not
    # shown by another debug
    for other in ("routing", "engine packet", "ikev2"):
        if other != kind:
            assert MARKERS[other] not in shown, other


@pytest.mark.parametrize("kind", ["ha", "isakmp ha"])
def test_ha_debugs_are_silent_without_failover(
    cleared_lines: list[debug.DebugLine], kind: str
) -> None:
    assert debug.visible(cleared_lines, "ios", {f"crypto {kind}"}, []) == []


def test_engine_packet_lines_follow_the_peer_condition(
    cleared_lines: list[debug.DebugLine],
) -> None:
    shown = debug.visible(
        cleared_lines, "ios", {"crypto engine packet"}, ["peer ipv4 203.0.113.40"]
    )
    everything = debug.visible(cleared_lines, "ios", {"crypto engine packet"}, [])
    assert len(everything) > len(shown)


# -- end to end over SSH ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningLab, Path]]:
    tmp = tmp_path_factory.mktemp("kindslab")
    running = start_lab(load_scenario("default"), tmp)
    inv = running.lab.write_inventory(tmp / "inv")
    yield running, inv
    running.lab.stop()


def _cli(inv: Path, state: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "ipsec_ops", *args, "-i", str(inv),
            "--known-hosts", str(inv / "known_hosts")]  # fmt: skip


def _env(state: Path) -> dict[str, str]:
    return {**os.environ, "XDG_STATE_HOME": str(state)}


def test_every_ios_kind_arms_prints_and_resets(
    lab: tuple[RunningLab, Path], tmp_path: Path
) -> None:
    running, inv = lab
    node = running.lab.node("hq-rtr")
    save = tmp_path / "capture.txt"
    kinds = ",".join([*IOS_KINDS, "engine"])
    args = ["debug", "peer", PEER, "--host", "hq-rtr", "--kind", kinds, "--duration", "6",
            "--save", str(save), *(a for u in ("isakmp", "ipsec", "engine")
                                   for a in ("--unmatched", u))]  # fmt: skip
    proc = subprocess.Popen(
        _cli(inv, tmp_path, *args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, env=_env(tmp_path),
    )  # fmt: skip
    deadline = time.monotonic() + 20
    wanted = {c.removeprefix("debug ") for c in IOS_KINDS.values()}
    while not wanted <= node.state.debugs and time.monotonic() < deadline:
        time.sleep(0.1)
    assert wanted <= node.state.debugs  # armed: every kind is on in the device
    assert f"peer ipv4 {PEER}" in node.state.debug_conditions
    assert {"unmatched isakmp", "unmatched ipsec", "unmatched engine"} <= set(
        node.state.debug_conditions
    )
    conn = ConnectHandler(**netmiko_params(running, "hq-rtr"))
    try:
        conn.enable()
        conn.send_command(f"clear crypto session remote {PEER}")  # renegotiates: lines
    finally:
        conn.disconnect()
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "reset verified" in err
    text = save.read_text()
    for kind in ("isakmp", "ipsec", "engine", "routing", "engine packet"):
        assert MARKERS[kind] in text, kind
    assert PEER in text and "198.51.100.4" not in text  # the condition holds
    assert node.state.debugs == set() and node.state.debug_conditions == []


def test_engine_packet_on_a_hub_without_a_peer_condition_is_refused(
    lab: tuple[RunningLab, Path], tmp_path: Path
) -> None:
    running, inv = lab
    node = running.lab.node("hq-rtr")
    before = len(node.state.command_log)
    args = ["debug", "peer", PEER, "--host", "hq-rtr", "--kind", "engine packet",
            "--no-condition", "--force", "--duration", "2"]  # fmt: skip
    result = subprocess.run(
        _cli(inv, tmp_path, *args), capture_output=True, text=True, env=_env(tmp_path), timeout=60
    )
    assert result.returncode == 64, result.stderr
    assert "on a hub" in result.stderr and "most expensive" in result.stderr
    sent = [c for _, c in node.state.command_log[before:]]
    assert not any("debug" in c for c in sent), sent
    assert node.state.debugs == set()


SPOKE = """
name: spoke
description: One IOS router with one tunnel (not a hub)
seed: 3
devices:
  spoke-rtr:
    platform: cisco_ios
    family: ios15
    version: 15.5(3)M10
    hostname: SPOKE-RTR
    username: admin
    password: Lab-Spoke-Pass-1
    enable_secret: Lab-Spoke-Enable-1
    ike_policies:
      - {priority: 10, encryption: aes 256, hash: sha, group: 14, lifetime: 86400}
    transform_sets:
      - {name: TS-AES, transforms: [esp-aes 256, esp-sha-hmac]}
    crypto_map_name: VPN
    interfaces:
      - {name: GigabitEthernet0/0, address: 192.0.2.1/24, crypto_map: VPN, description: WAN}
      - {name: GigabitEthernet0/1, address: 10.30.0.1/24, description: LAN}
    crypto_map:
      - seq: 10
        peer: 203.0.113.111
        description: "[healthy] the only tunnel"
        acl: ["10.30.0.0/24 10.111.0.0/24"]
        acl_name: TO-HUB
        psk: Spoke-Psk-111
        transform_set: TS-AES
peers:
  - address: 203.0.113.111
    psk: Spoke-Psk-111
    ike_policies: [{priority: 10, encryption: aes 256, hash: sha, group: 14}]
    transform_sets: [{name: TS, transforms: [esp-aes 256, esp-sha-hmac]}]
"""


def test_engine_packet_unconditional_on_a_single_tunnel_router_runs_and_resets(
    tmp_path: Path,
) -> None:
    from ipsec_ops.lab.scenario import scenario_from_text

    running = start_lab(scenario_from_text(SPOKE), tmp_path)
    try:
        inv = running.lab.write_inventory(tmp_path / "inv")
        save = tmp_path / "capture.txt"
        args = ["debug", "peer", "203.0.113.111", "--host", "spoke-rtr", "--kind",
                "engine packet", "--no-condition", "--force", "--duration", "4",
                "--save", str(save)]  # fmt: skip
        result = subprocess.run(
            _cli(inv, tmp_path, *args), capture_output=True, text=True, env=_env(tmp_path),
            timeout=60,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        assert "1 active IPsec SAs" in result.stderr and "reset verified" in result.stderr
        assert MARKERS["engine packet"] in save.read_text()
        assert running.lab.node("spoke-rtr").state.debugs == set()
    finally:
        running.lab.stop()
