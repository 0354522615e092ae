"""The IKEv2 sub-debugs (reference 4.1): IOS `ikev2 packet|internal|error`, ASA 9 `ikev2
protocol|platform` and `debug crypto condition error` (--errors-only).

Commands are checked against the reference's table (written out here, not read from the
code under test); the lab part renders an IKEv2 negotiation that fails authentication
(keys differ) and checks which of its lines each debug shows; the end-to-end part runs
the real CLI over SSH against a small module lab, watching the device's debug state.
"""

from __future__ import annotations

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
from ipsec_ops.lab.render.base import DeviceState
from ipsec_ops.lab.scenario import scenario_from_text
from ipsec_ops.platforms import family
from tests.conftest import RunningLab, netmiko_params, start_lab

# Reference 4.1: IOS / IOS-XE IKEv2 sub-debugs [E], ASA 8.4+ IKEv2 debugs [D S3].
IOS_IKEV2 = {
    "ikev2 packet": "debug crypto ikev2 packet",
    "ikev2 internal": "debug crypto ikev2 internal",
    "ikev2 error": "debug crypto ikev2 error",
}
ASA_IKEV2 = {
    "ikev2 protocol": "debug crypto ikev2 protocol 127",
    "ikev2 platform": "debug crypto ikev2 platform 127",
}
ASA_ERRORS = "debug crypto condition error"  # reference 4.1, ASA 9.x [E]
XE_PEER, ASA_PEER, OLD_PEER = "203.0.113.121", "203.0.113.122", "203.0.113.123"

SCENARIO = """
name: ikev2-debugs
description: IKEv2 tunnels failing authentication on an IOS-XE router and an ASA 9, and an ASA 8.2
seed: 5
defaults:
  username: admin
  password: Lab-V2dbg-Pass-1
  enable_secret: Lab-V2dbg-Enable-1
  ike_policies:
    - {priority: 10, encryption: aes 256, hash: sha, group: 14, lifetime: 86400}
  transform_sets:
    - {name: TS-AES, transforms: [esp-aes 256, esp-sha-hmac]}
devices:
  xe-rtr:
    platform: cisco_xe
    family: xe17
    version: 17.9.4a
    hostname: XE-RTR
    crypto_map_name: VPN
    interfaces:
      - {name: GigabitEthernet1, address: 192.0.2.1/24, crypto_map: VPN, description: WAN}
      - {name: GigabitEthernet2, address: 10.31.0.1/24, description: LAN}
    crypto_map:
      - seq: 10
        peer: 203.0.113.121
        description: "[psk-mismatch] IKEv2, keys differ"
        ike_version: 2
        acl: ["10.31.0.0/24 10.121.0.0/24"]
        acl_name: TO-P121
        psk: Xe-Side-Wrong-1
        transform_set: TS-AES
  fw9:
    platform: cisco_asa
    family: asa9
    version: 9.16(4)
    hostname: FW9
    crypto_map_name: outside_map
    interfaces:
      - {name: GigabitEthernet0/0, nameif: outside, address: 192.0.2.2/24, crypto_map: outside_map}
      - {name: GigabitEthernet0/1, nameif: inside, security_level: 100, address: 10.32.0.1/24}
    crypto_map:
      - seq: 10
        peer: 203.0.113.122
        description: "[psk-mismatch] IKEv2, keys differ"
        ike_version: 2
        acl: ["10.32.0.0/24 10.122.0.0/24"]
        acl_name: outside_cryptomap_10
        psk: Asa-Side-Wrong-2
        transform_set: TS-AES
  fw82:
    platform: cisco_asa
    family: asa8.2
    version: 8.2(5)
    hostname: FW82
    crypto_map_name: outside_map
    interfaces:
      - {name: Ethernet0/0, nameif: outside, address: 192.0.2.3/24, crypto_map: outside_map}
      - {name: Ethernet0/1, nameif: inside, security_level: 100, address: 10.33.0.1/24}
    crypto_map:
      - seq: 10
        peer: 203.0.113.123
        description: "[healthy] to P123"
        acl: ["10.33.0.0/24 10.123.0.0/24"]
        acl_name: outside_cryptomap_10
        psk: Psk-P123-Ok-3
        transform_set: TS-AES
peers:
  - {address: 203.0.113.121, name: P121, psk: Psk-P121-Right-1}
  - {address: 203.0.113.122, name: P122, psk: Psk-P122-Right-2}
  - {address: 203.0.113.123, name: P123, psk: Psk-P123-Ok-3}
"""


@pytest.mark.parametrize("name", ["ios15", "xe16", "xe17"])
@pytest.mark.parametrize(("kind", "command"), sorted(IOS_IKEV2.items()))
def test_ios_ikev2_kinds_send_their_command(name: str, kind: str, command: str) -> None:
    conditions, debugs = plan(family(name), DebugRequest(XE_PEER, (kind,)))
    assert conditions == [f"debug crypto condition peer ipv4 {XE_PEER}"]
    assert debugs == [command]


@pytest.mark.parametrize(("kind", "command"), sorted(ASA_IKEV2.items()))
def test_asa9_ikev2_kinds_send_their_command(kind: str, command: str) -> None:
    assert plan(family("asa9"), DebugRequest(ASA_PEER, (kind,)))[1] == [command]


def test_asa9_ikev2_is_the_protocol_debug_and_is_sent_once() -> None:
    req = DebugRequest(ASA_PEER, ("ikev2", "ikev2 protocol", "ikev2 platform"))
    assert plan(family("asa9"), req)[1] == list(ASA_IKEV2.values())


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("ios12.4", "ikev2 packet"),
        ("ios12.4", "ikev2 internal"),
        ("ios12.4", "ikev2 error"),
        ("asa9", "ikev2 packet"),
        ("asa9", "ikev2 error"),
        ("xe17", "ikev2 platform"),
        ("asa8.2", "ikev2 protocol"),
        ("pix7", "ikev2 platform"),
        ("pix6.3", "ikev2 protocol"),
    ],
)
def test_an_ikev2_kind_the_family_lacks_is_refused(name: str, kind: str) -> None:
    req = DebugRequest(XE_PEER, (kind,), no_condition=True, force=True)
    with pytest.raises(DebugRefused, match=f"{name} has no '{kind}' debug"):
        plan(family(name), req)


def test_errors_only_is_a_condition_after_the_peer_on_asa9() -> None:
    req = DebugRequest(ASA_PEER, ("ikev2",), errors_only=True)
    conditions, debugs = plan(family("asa9"), req)
    assert conditions == [f"debug crypto condition peer {ASA_PEER}", ASA_ERRORS]
    assert debugs == ["debug crypto ikev2 protocol 127"]
    # unconditional: still a condition, so the condition reset clears it
    forced = DebugRequest(None, ("ikev2",), errors_only=True, no_condition=True, force=True)
    assert plan(family("asa9"), forced)[0] == [ASA_ERRORS]


@pytest.mark.parametrize("name", ["asa8.2", "pix7", "pix6.3", "ios15", "ios12.4"])
def test_errors_only_is_refused_naming_the_family(name: str) -> None:
    req = DebugRequest(XE_PEER, ("isakmp",), errors_only=True, no_condition=True, force=True)
    with pytest.raises(DebugRefused, match=f"^{name} has no 'debug crypto condition error'"):
        plan(family(name), req)


def test_ios_refusal_points_at_the_error_kinds() -> None:
    with pytest.raises(DebugRefused, match="use --kind isakmp error,ipsec error"):
        plan(family("ios15"), DebugRequest(XE_PEER, ("isakmp",), errors_only=True))


# -- what the lab prints --------------------------------------------------------------------


@pytest.fixture(scope="module")
def engine() -> Engine:
    unit = Engine(scenario_from_text(SCENARIO))
    unit.clock.advance(30)
    return unit


def _lines(engine: Engine, name: str) -> list[debug.DebugLine]:
    device = engine.scenario.device(name)
    now = engine.clock.now()
    return debug.lines_between(engine, device, now - 4, now)


def _first_lines(shown: list[str]) -> list[str]:
    """The timestamped (first) lines of an IOS output: continuation lines dropped."""
    return [line for line in shown if line.startswith("*")]


def test_ios_ikev2_error_shows_only_the_error_lines(engine: Engine) -> None:
    lines = _lines(engine, "xe-rtr")
    every = _first_lines(debug.visible(lines, "ios", {"crypto ikev2"}, []))
    errors = _first_lines(debug.visible(lines, "ios", {"crypto ikev2 error"}, []))
    assert errors and all("IKEv2-ERROR" in line for line in errors)
    assert [line for line in every if "ERROR" in line] == errors
    assert len(errors) < len(every)


def test_ios_ikev2_packet_shows_the_packets_with_their_headers(engine: Engine) -> None:
    lines = _lines(engine, "xe-rtr")
    shown = debug.visible(lines, "ios", {"crypto ikev2 packet"}, [])
    firsts = _first_lines(shown)
    assert firsts and all("Packet [" in line for line in firsts)
    assert any(f"Sending Packet [To {XE_PEER}:500" in line for line in firsts)
    assert any("Received Packet" in line for line in firsts)
    assert "Initiator SPI" in "\n".join(shown)  # the continuation lines come with it
    assert not any("ERROR" in line for line in shown)


def test_ios_ikev2_internal_prints_nothing_in_the_lab(engine: Engine) -> None:
    # The catalog has no internal-event lines (the lab does not model IKEv2 internals):
    # the device would print some; the lab prints none, so the SSH test asserts the reset.
    assert debug.visible(_lines(engine, "xe-rtr"), "ios", {"crypto ikev2 internal"}, []) == []


def test_asa_errors_only_condition_keeps_the_error_lines(engine: Engine) -> None:
    lines = _lines(engine, "fw9")
    both = {"crypto ikev2 protocol 127", "crypto ikev2 platform 127"}
    every = debug.visible(lines, "asa", both, [f"peer {ASA_PEER}"])
    errors = debug.visible(lines, "asa", both, [f"peer {ASA_PEER}", "error"])
    assert any("IKEv2-PLAT-4" in line for line in every)
    assert errors and all("Received AUTHENTICATION_FAILED notify" in line for line in errors)
    assert errors == [line for line in every if "AUTHENTICATION_FAILED" in line]
    # not a peer filter: alone it lets every peer's error lines through
    assert debug.visible(lines, "asa", both, ["error"]) == errors


# -- end to end over SSH --------------------------------------------------------------------


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningLab, Path]]:
    tmp = tmp_path_factory.mktemp("ikev2-debug-lab")
    running = start_lab(scenario_from_text(SCENARIO), tmp)
    inv = running.lab.write_inventory(tmp / "inv")
    yield running, inv
    running.lab.stop()


def _start(inv: Path, state: Path, *args: str) -> subprocess.Popen[str]:
    cmd = [sys.executable, "-m", "ipsec_ops", *args, "-i", str(inv),
           "--known-hosts", str(inv / "known_hosts")]  # fmt: skip
    env = {**os.environ, "XDG_STATE_HOME": str(state)}
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def _wait_armed(state: DeviceState, debugs: set[str], conditions: set[str]) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if debugs <= state.debugs and conditions <= set(state.debug_conditions):
            return
        time.sleep(0.1)
    raise AssertionError(f"not armed: {state.debugs} {state.debug_conditions}")


def _show(running: RunningLab, name: str, *commands: str) -> list[str]:
    conn = ConnectHandler(**netmiko_params(running, name))
    try:
        conn.enable()
        return [str(conn.send_command(c)) for c in commands]
    finally:
        conn.disconnect()


def _finish(proc: subprocess.Popen[str]) -> str:
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "reset verified" in err
    return err


def test_ios_ikev2_sub_debugs_and_asa_platform_arm_print_and_reset(
    lab: tuple[RunningLab, Path], tmp_path: Path
) -> None:
    running, inv = lab
    rtr, fw = running.lab.node("xe-rtr").state, running.lab.node("fw9").state
    rtr_save, fw_save = tmp_path / "xe.txt", tmp_path / "fw.txt"
    ios = _start(inv, tmp_path, "debug", "peer", XE_PEER, "--host", "xe-rtr", "--kind",
                 ",".join(IOS_IKEV2), "--duration", "5", "--save", str(rtr_save))  # fmt: skip
    asa = _start(inv, tmp_path / "asa", "debug", "peer", ASA_PEER, "--host", "fw9", "--kind",
                 "ikev2 platform", "--duration", "5", "--save", str(fw_save))  # fmt: skip
    _wait_armed(rtr, {c.removeprefix("debug ") for c in IOS_IKEV2.values()}, set())
    _wait_armed(fw, {"crypto ikev2 platform 127"}, {f"peer {ASA_PEER}"})
    (shown,) = _show(running, "xe-rtr", "show debugging")
    for word in ("packet", "internal", "error"):
        assert f"Crypto IKEv2 {word} debugging is on" in shown, shown
    (asa_shown,) = _show(running, "fw9", "show debug")
    assert "debug crypto ikev2 platform enabled at level 127" in asa_shown
    _finish(ios)
    _finish(asa)
    text = rtr_save.read_text()
    assert f"Sending Packet [To {XE_PEER}:500" in text  # ikev2 packet
    assert "IKEv2-ERROR" in text and "Auth exchange failed" in text  # ikev2 error
    assert "Generating IKE_SA_INIT" not in text  # neither a packet nor an error line
    assert rtr.debugs == set() and rtr.debug_conditions == []
    fw_text = fw_save.read_text()
    assert "IKEv2-PLAT-4: SENT PKT [IKE_SA_INIT]" in fw_text and "IKEv2-PROTO" not in fw_text
    assert fw.debugs == set() and fw.debug_conditions == []


def test_asa_errors_only_arms_prints_errors_and_resets(
    lab: tuple[RunningLab, Path], tmp_path: Path
) -> None:
    running, inv = lab
    fw = running.lab.node("fw9").state
    save = tmp_path / "fw.txt"
    proc = _start(inv, tmp_path, "debug", "peer", ASA_PEER, "--host", "fw9", "--kind",
                  "ikev2 protocol,ikev2 platform", "--errors-only", "--duration", "4",
                  "--save", str(save))  # fmt: skip
    _wait_armed(fw, {"crypto ikev2 protocol 127", "crypto ikev2 platform 127"}, {"error"})
    conditions, debugs = _show(running, "fw9", "show crypto debug-condition", "show debug")
    assert "error" in conditions.splitlines() and ASA_PEER in conditions
    assert "debug crypto ikev2 protocol enabled at level 127" in debugs
    err = _finish(proc)
    assert "debug crypto condition reset" in err  # the reset that clears it
    lines = [line for line in save.read_text().splitlines() if line.strip()]
    assert lines and all("Received AUTHENTICATION_FAILED notify" in line for line in lines)
    assert fw.debugs == set() and fw.debug_conditions == []


def test_the_device_refuses_what_its_family_lacks(lab: tuple[RunningLab, Path]) -> None:
    running, _ = lab
    commands = ("debug crypto ikev2 packet", "debug crypto condition error")
    for name, wanted in (("fw9", commands[:1]), ("fw82", commands), ("xe-rtr", commands[1:])):
        for output in _show(running, name, *wanted):
            assert "Invalid input" in output, (name, output)
        assert running.lab.node(name).state.debugs == set()
        assert running.lab.node(name).state.debug_conditions == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--kind", "ikev2 platform"), "asa8.2 has no 'ikev2 platform' debug"),
        (("--kind", "ikev2", "--errors-only"), "asa8.2 has no 'ikev2' debug"),
        (("--kind", "isakmp", "--errors-only"), "asa8.2 has no 'debug crypto condition error'"),
    ],
)
def test_the_tool_refuses_on_asa82_and_sends_nothing(
    lab: tuple[RunningLab, Path], tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    running, inv = lab
    node = running.lab.node("fw82")
    before = len(node.state.command_log)
    proc = _start(inv, tmp_path, "debug", "peer", OLD_PEER, "--host", "fw82", *args,
                  "--no-condition", "--force", "--duration", "2")  # fmt: skip
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 64, err
    assert message in err
    assert not [c for _, c in node.state.command_log[before:] if "debug" in c]
    assert node.state.debugs == set()


def test_the_reset_check_reads_each_new_debug_as_on() -> None:
    """What the lab shows while armed is read back as "on": a reset that left it is caught."""
    from ipsec_ops.parse import parse
    from ipsec_ops.tunnels import active_debugs

    ios = "\n".join(
        ["Cryptographic Subsystem:"] + [f"  Crypto IKEv2 {w} debugging is on" for w in
                                        ("packet", "internal", "error")]
    )  # fmt: skip
    assert len(active_debugs({"show debugging": parse("xe17", "show debugging", ios)})) == 3
    asa = (
        "Crypto conditional debug is turned ON\nIKE debug context unmatched flag:  OFF\n"
        "IPsec debug context unmatched flag:  OFF\n\nOther filters:\nerror"
    )
    parsed = parse("asa9", "show crypto debug-condition", asa)
    assert active_debugs({"show crypto debug-condition": parsed}) == ["condition Other error"]
