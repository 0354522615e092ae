"""Scenario files: derived tunnel state over SSH, and bad input answered with file, line, field."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from ipsec_ops.errors import InputFileError
from ipsec_ops.lab.scenario import builtin_names, load_scenario, scenario_from_text
from tests.conftest import RunningLab, start_lab

PAIR = """
name: pair
defaults:
  username: admin
  password: pw-{tag}
  enable_secret: en-{tag}
devices:
  {first}:
    platform: {first_platform}
    crypto_map_name: VPN
    interfaces: [{{name: Gi0/0, nameif: outside, address: 198.51.100.1/24, crypto_map: VPN}}]
    crypto_map:
      - {{peer: 198.51.100.2, acl: ["10.1.0.0/24 10.2.0.0/24"], psk: {psk_a}, transform_set: TS}}
  {second}:
    platform: {second_platform}
    crypto_map_name: VPN
    interfaces: [{{name: Gi0/0, nameif: outside, address: 198.51.100.2/24, crypto_map: VPN}}]
    crypto_map:
      - {{peer: 198.51.100.1, acl: ["10.2.0.0/24 10.1.0.0/24"], psk: {psk_b}, transform_set: TS}}
"""

IKE_TABLE = {"cisco_ios": "show crypto isakmp sa", "cisco_asa": "show crypto ikev1 sa"}


def _pair(tag: str, first: str, second: str, psk_b: str) -> str:
    return PAIR.format(
        tag=tag,
        first="a",
        second="b",
        first_platform=first,
        second_platform=second,
        psk_a="Key-One",
        psk_b=psk_b,
    )


def _ike_state(running: RunningLab, connect: Callable[..., Any], name: str) -> str:
    conn = connect(running, name)
    conn.enable()
    platform = running.lab.node(name).device.platform
    return str(conn.send_command(IKE_TABLE[platform]))


@pytest.mark.parametrize(
    ("initiator", "responder", "init_state", "resp_state", "up_state"),
    [
        # IOS initiates (lower address): IOS stuck at MM_KEY_EXCH, the ASA responder at MSG5.
        ("cisco_ios", "cisco_asa", "MM_KEY_EXCH", "MM_WAIT_MSG5", "QM_IDLE"),
        # ASA initiates: stuck at MM_WAIT_MSG6 (reference 1.2).
        ("cisco_asa", "cisco_ios", "MM_WAIT_MSG6", "MM_KEY_EXCH", "MM_ACTIVE"),
    ],
)
def test_psk_mismatch_then_fixed(
    tmp_path: Path,
    connect: Callable[..., Any],
    initiator: str,
    responder: str,
    init_state: str,
    resp_state: str,
    up_state: str,
) -> None:
    broken = start_lab(scenario_from_text(_pair("x", initiator, responder, "Key-Two")), tmp_path)
    try:
        assert init_state in _ike_state(broken, connect, "a")
        assert resp_state in _ike_state(broken, connect, "b")
    finally:
        broken.lab.stop()
    fixed_dir = tmp_path / "fixed"
    fixed_dir.mkdir()
    fixed = start_lab(scenario_from_text(_pair("y", initiator, responder, "Key-One")), fixed_dir)
    try:
        assert up_state in _ike_state(fixed, connect, "a")
        conn = connect(fixed, "a")
        conn.enable()
        sas = conn.send_command("show crypto ipsec sa")
        assert "current outbound spi: 0x0(0)" not in sas
        assert "spi: 0x" in sas
    finally:
        fixed.lab.stop()


@pytest.mark.parametrize(
    ("text", "where", "words"),
    [
        ("devices: [", ":1", "YAML syntax error"),
        ("devices:\n  r1:\n    platform: junos\n", ":3: devices.r1.platform", "unknown platform"),
        (
            "devices:\n  r1:\n    platform: cisco_ios\n    family: asa9\n",
            ":4: devices.r1.family",
            "unknown family",
        ),
        (
            "devices:\n  r1:\n    platform: cisco_ios\n    colour: red\n",
            ":4: devices.r1.colour",
            "unknown field",
        ),
        (
            "devices:\n  r1:\n    platform: cisco_ios\n    address: 10.0.0.1\n",
            ":4: devices.r1.address",
            "127.0.0.0/8",
        ),
        (
            "devices:\n  r1:\n    platform: cisco_ios\n"
            "    interfaces: [{name: g0, address: 198.51.100.1/24, crypto_map: VPN}]\n"
            "    crypto_map:\n      - {peer: 1.2.3.4, psk: k, transform_set: TS}\n",
            ":6: devices.r1.crypto_map.0.acl",
            "at least one ACL line",
        ),
        (
            "devices:\n  r1:\n    platform: cisco_ios\n"
            "    interfaces: [{name: g0, address: 198.51.100.1/24, crypto_map: VPN}]\n"
            "    crypto_map:\n      - {peer: 1.2.3.4, acl: ['10.0.0.0/24 x'], psk: k,"
            " transform_set: TS, faults: [broken]}\n",
            "devices.r1.crypto_map.0",
            "bad value",
        ),
        ("peers: []\n", "devices", "at least one device"),
    ],
)
def test_bad_scenario_names_file_line_field(text: str, where: str, words: str) -> None:
    with pytest.raises(InputFileError) as caught:
        scenario_from_text(text, "scen.yaml")
    message = str(caught.value)
    assert message.startswith("scen.yaml")
    assert where in message
    assert words in message


def test_missing_scenario_file(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="file not found"):
        load_scenario(str(tmp_path / "nope.yaml"))


def test_default_scenario_covers_every_platform_and_condition() -> None:
    scenario = load_scenario("default")
    families = {d.family for d in scenario.devices}
    assert {"ios15", "xe17", "asa9", "asa8.2", "pix7", "pix6.3"} <= families
    tags = {e.description.split("]")[0].strip("[") for d in scenario.devices for e in d.map_entries}
    assert tags == {
        "healthy",
        "peer-unreachable",
        "ike-policy-mismatch",
        "psk-mismatch",
        "phase2-mismatch",
        "acl-not-mirrored",
        "one-way-traffic",
        "no-interesting-traffic",
        "stale-sa",
        "flapping",
    }


def test_fleet_serves_500_devices(tmp_path: Path, connect: Callable[..., Any]) -> None:
    running = start_lab(load_scenario("fleet", devices=500), tmp_path)
    try:
        assert len(running.lab.endpoints) == 500
        for name in ("site0001", "site0250", "site0500"):
            conn = connect(running, name)
            conn.enable()
            assert name.upper() in conn.find_prompt()
    finally:
        running.lab.stop()


def test_cli_lists_scenarios() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "ipsec_ops", "lab", "scenarios"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for name in builtin_names():
        assert name in out
    assert len(out.strip().splitlines()) == len(builtin_names())


def test_lab_up_serves_until_interrupted(tmp_path: Path, connect: Callable[..., Any]) -> None:
    inv = tmp_path / "inv"
    env_home = {"XDG_STATE_HOME": str(tmp_path / "state"), "PATH": "/usr/bin:/bin"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ipsec_ops",
            "lab",
            "up",
            "--port",
            "0",
            "--telnet-port",
            "0",
            "--inventory-out",
            str(inv),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env_home,
    )
    try:
        deadline = time.monotonic() + 30
        while not (inv / "known_hosts").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        hosts = yaml.safe_load((inv / "hosts.yaml").read_text())
        assert set(hosts) == {d.name for d in load_scenario("default").devices}
        assert hosts["pix6"]["data"]["transport"] == "telnet"
        h = hosts["hq-rtr"]
        from netmiko import ConnectHandler

        conn = ConnectHandler(
            device_type="cisco_ios",
            host=h["hostname"],
            port=h["port"],
            username=h["username"],
            password=h["password"],
            secret=h["data"]["enable_secret"],
            ssh_strict=True,
            system_host_keys=False,
            alt_host_keys=True,
            alt_key_file=str(inv / "known_hosts"),
        )
        conn.enable()
        assert "QM_IDLE" in conn.send_command("show crypto isakmp sa")
        conn.disconnect()
    finally:
        proc.send_signal(2)
        out, _ = proc.communicate(timeout=20)
    assert proc.returncode == 0, out
    assert "lab stopped" in out
    assert "Traceback" not in out
