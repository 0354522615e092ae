"""Clears over SSH to the lab: recovery with new SPIs, nothing else touched, refusals, audit."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ipsec_ops.lab.scenario import scenario_from_text
from tests.conftest import RunningLab, start_lab

# Each platform with a stale SA, a healthy tunnel and (on IOS) a PSK mismatch.
CLEAR_LAB = """
name: clears
defaults: {username: ops, password: Clear-Pass-5r, enable_secret: Clear-Enable-6t}
devices:
  rtr:
    platform: cisco_ios
    interfaces: [{name: Gi0/0, address: 198.51.100.1/24, crypto_map: VPN}]
    crypto_map:
      - {peer: 203.0.113.1, acl: ["10.1.0.0/24 172.16.1.0/24"], psk: Clear-Psk-A1,
         transform_set: TS, faults: [stale], description: "[stale-sa] A"}
      - {peer: 203.0.113.2, acl: ["10.1.0.0/24 172.16.2.0/24"], psk: Clear-Psk-A2,
         transform_set: TS, description: "[healthy] B"}
      - {peer: 203.0.113.3, acl: ["10.1.0.0/24 172.16.3.0/24"], psk: Clear-Psk-Wrong,
         transform_set: TS, description: "[psk-mismatch] C"}
  asa:
    platform: cisco_asa
    crypto_map_name: outside_map
    interfaces: [{name: Gi0/0, nameif: outside, address: 198.51.100.2/24,
                  crypto_map: outside_map}]
    crypto_map:
      - {peer: 203.0.113.4, acl: ["10.2.0.0/24 172.16.4.0/24"], psk: Clear-Psk-A4,
         transform_set: TS, faults: [stale], description: "[stale-sa] D"}
      - {peer: 203.0.113.5, acl: ["10.2.0.0/24 172.16.5.0/24"], psk: Clear-Psk-A5,
         transform_set: TS, description: "[healthy] E"}
  pix:
    platform: cisco_pix
    family: pix7
    crypto_map_name: outside_map
    interfaces: [{name: Ethernet0, nameif: outside, address: 198.51.100.3/24,
                  crypto_map: outside_map}]
    crypto_map:
      - {peer: 203.0.113.6, acl: ["10.3.0.0/24 172.16.6.0/24"], psk: Clear-Psk-A6,
         transform_set: TS, faults: [stale], description: "[stale-sa] F"}
      - {peer: 203.0.113.7, acl: ["10.3.0.0/24 172.16.7.0/24"], psk: Clear-Psk-A7,
         transform_set: TS, description: "[healthy] G"}
  pix6:
    platform: cisco_pix
    family: pix6.3
    crypto_map_name: outside_map
    interfaces: [{name: ethernet0, nameif: outside, address: 198.51.100.4/24,
                  crypto_map: outside_map}]
    crypto_map:
      - {peer: 203.0.113.8, acl: ["10.4.0.0/24 172.16.8.0/24"], psk: Clear-Psk-A8,
         transform_set: TS, faults: [stale], description: "[stale-sa] H"}
      - {peer: 203.0.113.9, acl: ["10.4.0.0/24 172.16.9.0/24"], psk: Clear-Psk-A9,
         transform_set: TS, description: "[healthy] I"}
peers:
  - {address: 203.0.113.8, psk: Clear-Psk-A8}
  - {address: 203.0.113.9, psk: Clear-Psk-A9}
  - {address: 203.0.113.1, psk: Clear-Psk-A1}
  - {address: 203.0.113.2, psk: Clear-Psk-A2}
  - {address: 203.0.113.3, psk: Clear-Psk-A3}
  - {address: 203.0.113.4, psk: Clear-Psk-A4}
  - {address: 203.0.113.5, psk: Clear-Psk-A5}
  - {address: 203.0.113.6, psk: Clear-Psk-A6}
  - {address: 203.0.113.7, psk: Clear-Psk-A7}
"""
SECRETS = ["Clear-Pass-5r", "Clear-Enable-6t", *(f"Clear-Psk-A{i}" for i in range(1, 10))]


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[tuple[RunningLab, Path]]:
    running = start_lab(scenario_from_text(CLEAR_LAB), tmp_path)
    inv = running.lab.write_inventory(tmp_path / "inv")
    yield running, inv
    running.lab.stop()


def _cli(inv: Path, tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XDG_STATE_HOME": str(tmp / "state")}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "ipsec_ops",
            "clear",
            *args,
            "-i",
            str(inv),
            "--known-hosts",
            str(inv / "known_hosts"),
            "--audit",
            str(tmp / "audit.jsonl"),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
    )


def _sent(running: RunningLab, name: str) -> list[str]:
    return [c for _, c in running.lab.node(name).state.command_log]


def _audit(tmp: Path) -> list[dict[str, Any]]:
    path = tmp / "audit.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


@pytest.mark.parametrize(
    ("host", "peer", "healthy", "extra"),
    [
        ("rtr", "203.0.113.1", "203.0.113.2", []),
        ("asa", "203.0.113.4", "203.0.113.5", []),
        ("pix", "203.0.113.6", "203.0.113.7", []),
        # PIX 6 clears phase 2 per peer only (its phase 1 clear is global: refused).
        ("pix6", "203.0.113.8", "203.0.113.9", ["--phase", "2"]),
    ],
)
def test_stale_sa_recovers_and_nothing_else_changes(
    lab: tuple[RunningLab, Path],
    tmp_path: Path,
    host: str,
    peer: str,
    healthy: str,
    extra: list[str],
) -> None:
    running, inv = lab
    result = _cli(
        inv, tmp_path, "--host", host, "--peer", peer, "--yes", "--verify-timeout", "40", *extra
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{host} {peer}: recovered" in result.stdout
    assert "OTHER TUNNELS CHANGED" not in result.stdout
    sent = [c for c in _sent(running, host) if c.startswith(("clear", "vpn-sessiondb"))]
    assert sent and all(peer in c for c in sent), sent
    [entry] = _audit(tmp_path)
    assert entry["device"] == host and entry["peer"] == peer and entry["result"] == "recovered"
    assert set(entry["before"]["spis"]).isdisjoint(entry["after"]["spis"])
    assert entry["other_tunnels_changed"] == []
    assert entry["commands"] == sent and entry["user"]
    text = (tmp_path / "audit.jsonl").read_text() + result.stdout + result.stderr
    assert not any(secret in text for secret in SECRETS)


def test_psk_mismatch_is_still_down_with_its_finding(
    lab: tuple[RunningLab, Path], tmp_path: Path
) -> None:
    _, inv = lab
    result = _cli(
        inv, tmp_path, "--host", "rtr", "--peer", "203.0.113.3", "--yes", "--verify-timeout", "8"
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert "203.0.113.3: still down (IKE_AUTH_FAILED)" in result.stdout
    assert _audit(tmp_path)[0]["result"] == "still down"


def test_dry_run_sends_nothing(lab: tuple[RunningLab, Path], tmp_path: Path) -> None:
    running, inv = lab
    result = _cli(inv, tmp_path, "--host", "rtr", "--peer", "203.0.113.1", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "clear crypto session remote 203.0.113.1" in result.stdout
    assert "must stay untouched: 1 tunnels (203.0.113.2)" in result.stdout
    assert not [c for c in _sent(running, "rtr") if c.startswith("clear")]
    assert _audit(tmp_path) == []


def test_stuck_picks_exactly_the_stale_sas(lab: tuple[RunningLab, Path], tmp_path: Path) -> None:
    _, inv = lab
    result = _cli(inv, tmp_path, "--stuck", "--dry-run")
    assert result.returncode == 0, result.stderr
    for peer in ("203.0.113.1", "203.0.113.4", "203.0.113.6", "203.0.113.8"):
        assert f"clear {peer}:" in result.stdout
    for peer in ("203.0.113.2", "203.0.113.3", "203.0.113.5", "203.0.113.7", "203.0.113.9"):
        assert f"clear {peer}:" not in result.stdout


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--host", "rtr"], "--peer PEER"),
        (["--host", "rtr", "--peer", "192.0.2.77", "--yes"], "neither in the SA table"),
        (
            [
                "--host",
                "rtr",
                "--peer",
                "203.0.113.1",
                "--peer",
                "203.0.113.2",
                "--max",
                "1",
                "--yes",
            ],
            "more than --max 1",
        ),
        (["--host", "rtr", "--peer", "203.0.113.1"], "not confirmed"),
        (["--peer", "203.0.113.1", "--yes"], "exactly one --host"),
        (["--host", "rtr", "--peer", "203.0.113.1", "--phase", "3"], "--phase"),
        (["--host", "pix6", "--peer", "203.0.113.8", "--yes"], "no peer-scoped clear"),
    ],
)
def test_refusals_send_nothing(
    lab: tuple[RunningLab, Path], tmp_path: Path, args: list[str], words: str
) -> None:
    running, inv = lab
    result = _cli(inv, tmp_path, *args)
    assert result.returncode == 64, result.stdout + result.stderr
    assert words in result.stderr
    assert "Traceback" not in result.stderr
    for name in ("rtr", "asa", "pix", "pix6"):
        assert not [c for c in _sent(running, name) if c.startswith(("clear", "vpn-sessiondb"))]
