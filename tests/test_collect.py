"""Transport and fleet collection over real SSH to the lab: failures isolated and classified,
host keys enforced, secrets never written, interrupted runs consistent."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncssh
import pytest
import yaml

from ipsec_ops.collect import collect, command_filename
from ipsec_ops.errors import CommandRejected, HostKeyError
from ipsec_ops.inventory import load_inventory
from ipsec_ops.lab.scenario import load_scenario, scenario_from_text
from ipsec_ops.platforms import family
from ipsec_ops.selection import Selection, select
from ipsec_ops.settings import RunSettings, TransportSettings
from ipsec_ops.transport import Redactor, open_session
from tests.conftest import RunningLab, start_lab

MIXED = """
name: mixed
defaults: {username: ops, password: Mixed-Pass-61x, enable_secret: Mixed-Enable-83y}
devices:
  good-ios:
    platform: cisco_ios
    interfaces: [{name: Gi0/0, address: 198.51.100.1/24, crypto_map: VPN}]
    crypto_map:
      - {peer: 198.51.100.2, acl: ["10.1.0.0/24 10.2.0.0/24"], psk: Mixed-Psk-Ab1,
         transform_set: TS}
  good-asa:
    platform: cisco_asa
    crypto_map_name: VPN
    contexts: [admin, cust1]
    interfaces: [{name: Gi0/0, nameif: outside, address: 198.51.100.2/24, crypto_map: VPN}]
    crypto_map:
      - {peer: 198.51.100.1, acl: ["10.2.0.0/24 10.1.0.0/24"], psk: Mixed-Psk-Ab1,
         transform_set: TS}
  old-ios:
    platform: cisco_ios
    family: ios12.4
    interfaces: [{name: Gi0/0, address: 198.51.100.3/24}]
  badpass: {platform: cisco_ios, interfaces: [{name: Gi0/0, address: 198.51.100.4/24}]}
  hangs:
    platform: cisco_ios
    hang_on: show crypto ipsec sa
    interfaces: [{name: Gi0/0, address: 198.51.100.5/24}]
  drops:
    platform: cisco_asa
    drop_on: show crypto ipsec sa
    interfaces: [{name: Gi0/0, nameif: outside, address: 198.51.100.6/24}]
  newkey: {platform: cisco_ios, interfaces: [{name: Gi0/0, address: 198.51.100.7/24}]}
  unknownkey: {platform: cisco_ios, interfaces: [{name: Gi0/0, address: 198.51.100.8/24}]}
"""
SECRETS = ["Mixed-Pass-61x", "Mixed-Enable-83y", "Mixed-Psk-Ab1"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningLab, Path]]:
    tmp = tmp_path_factory.mktemp("mixed")
    running = start_lab(scenario_from_text(MIXED), tmp)
    inv = running.lab.write_inventory(tmp / "inv")
    hosts = yaml.safe_load((inv / "hosts.yaml").read_text())
    hosts["badpass"]["password"] = "Wrong-Pass-00z"
    hosts["old-ios"]["platform"] = "cisco_xe"  # the inventory is wrong: the box runs 12.4
    del hosts["old-ios"]["data"]["family"]
    hosts["refused"] = {**hosts["good-ios"], "hostname": "127.0.0.1", "port": free_port()}
    (inv / "hosts.yaml").write_text(yaml.safe_dump(hosts))
    other = asyncssh.generate_private_key("ssh-ed25519").export_public_key("openssh").decode()
    lines = []
    for line in (inv / "known_hosts").read_text().splitlines():
        ep_new, ep_unknown = running.lab.endpoint("newkey"), running.lab.endpoint("unknownkey")
        if line.startswith(f"[{ep_new.host}]:{ep_new.port} "):
            line = f"[{ep_new.host}]:{ep_new.port} {other.strip()}"
        if line.startswith(f"[{ep_unknown.host}]:{ep_unknown.port} "):
            continue
        lines.append(line)
    (inv / "known_hosts").write_text("\n".join(lines) + "\n")
    yield running, inv
    running.lab.stop()


def _settings(inv: Path, **transport: Any) -> RunSettings:
    base = TransportSettings(known_hosts=inv / "known_hosts", connect_timeout=5, command_timeout=5)
    return RunSettings(transport=dataclasses.replace(base, **transport), quiet=True)


def test_fleet_failures_are_isolated_and_classified(
    mixed: tuple[RunningLab, Path], tmp_path: Path
) -> None:
    _, inv = mixed
    inventory = load_inventory(inv)
    hosts = select(inventory, Selection())
    bundle = tmp_path / "bundle"
    report = collect(hosts, bundle, _settings(inv), Redactor(inventory.secrets()))
    kinds = {o.host.name: o.error_kind for o in report.outcomes}
    assert kinds == {
        "good-ios": None,
        "good-asa": None,
        "old-ios": None,
        "badpass": "auth",
        "hangs": "timeout",
        "drops": "closed",
        "newkey": "host_key",
        "unknownkey": "host_key",
        "refused": "unreachable",
    }
    for name in kinds:
        record = json.loads((bundle / name / "device.json").read_text())
        assert record["name"] == name
        assert {"name", "platform", "hostname", "collected_at", "version", "errors"} <= set(record)
        if kinds[name] is None:
            assert record["status"] == "ok"
        else:
            assert record["status"] in ("failed", "partial")
            assert record["errors"][-1]["class"] == kinds[name]
            assert "\n" not in record["errors"][-1]["message"]
    # Good devices are complete: every command of their family saved, none half-written.
    for name in ("good-ios", "good-asa"):
        record = json.loads((bundle / name / "device.json").read_text())
        statuses = {c["command"]: c["status"] for c in record["commands"]}
        for command in family(record["family"]).show_commands:
            assert statuses[command] == "ok"
            assert (bundle / name / command_filename(command)).exists()
        assert "show version" in statuses
    assert not list(bundle.rglob("*.tmp"))
    # A hung device never delayed the others: they were written before its timeout fired.
    hung_at = (bundle / "hangs" / "device.json").stat().st_mtime
    assert (bundle / "good-ios" / "device.json").stat().st_mtime < hung_at
    # The changed key names host and fingerprint.
    newkey = json.loads((bundle / "newkey" / "device.json").read_text())["errors"][-1]["message"]
    assert "CHANGED" in newkey and "SHA256:" in newkey
    # The hang and the drop left what they had collected before failing.
    assert (bundle / "hangs" / "show_version.txt").exists()
    assert json.loads((bundle / "drops" / "device.json").read_text())["status"] == "partial"


def test_rejected_command_is_recorded_and_run_goes_on(
    mixed: tuple[RunningLab, Path], tmp_path: Path
) -> None:
    _, inv = mixed
    inventory = load_inventory(inv)
    hosts = select(inventory, Selection(hosts=("old-ios",)))
    report = collect(hosts, tmp_path / "b", _settings(inv), Redactor(inventory.secrets()))
    assert report.outcomes[0].ok
    record = json.loads((tmp_path / "b" / "old-ios" / "device.json").read_text())
    rejected = [e for e in record["errors"] if e["class"] == "rejected"]
    assert rejected and rejected[0]["command"] == "show crypto ikev2 sa detailed"
    assert "Invalid input" in rejected[0]["message"]
    statuses = {c["command"]: c["status"] for c in record["commands"]}
    assert statuses["show crypto ikev2 sa detailed"] == "rejected"
    assert statuses["show logging"] == "ok"  # commands after the rejected one still ran


def test_accept_new_saves_keys_and_changed_key_is_always_refused(
    mixed: tuple[RunningLab, Path], tmp_path: Path
) -> None:
    running, inv = mixed
    inventory = load_inventory(inv)
    redactor = Redactor(inventory.secrets())
    host = inventory.hosts["good-ios"]
    empty = tmp_path / "known_hosts"
    with pytest.raises(HostKeyError, match="unknown host key"):
        open_session(host, _settings(inv, known_hosts=empty).transport, redactor)
    with open_session(
        host, _settings(inv, known_hosts=empty, accept_new=True).transport, redactor
    ) as session:
        assert session.run("show version").output
    ep = running.lab.endpoint("good-ios")
    assert f"[{ep.host}]:{ep.port} ssh-ed25519" in empty.read_text()
    with open_session(host, _settings(inv, known_hosts=empty).transport, redactor) as session:
        assert not session.run("show crypto isakmp sa").rejected
    with pytest.raises(HostKeyError, match="CHANGED"):
        open_session(inventory.hosts["newkey"], _settings(inv, accept_new=True).transport, redactor)


def test_asa_context_and_rejected_context(mixed: tuple[RunningLab, Path]) -> None:
    _, inv = mixed
    inventory = load_inventory(inv)
    redactor = Redactor(inventory.secrets())
    host = inventory.hosts["good-asa"]
    with open_session(host, _settings(inv, context="cust1").transport, redactor) as session:
        assert session.prompt.endswith("/cust1")
        assert "IKE Peer" in session.run("show crypto ikev1 sa").output
    with pytest.raises(CommandRejected, match="nosuch"):
        open_session(host, _settings(inv, context="nosuch").transport, redactor)


def test_jump_host_through_ssh_config(mixed: tuple[RunningLab, Path], tmp_path: Path) -> None:
    _, inv = mixed
    inventory = load_inventory(inv)
    host = inventory.hosts["good-ios"]
    proxy = Path(__file__).parent / "tools" / "stdio_proxy.py"
    config = tmp_path / "ssh_config"
    config.write_text(
        f"Host {host.hostname}\n  Port {host.port}\n  ProxyCommand {sys.executable} {proxy} %h %p\n"
    )
    settings = _settings(inv, ssh_config=config)
    with open_session(host, settings.transport, Redactor(inventory.secrets())) as session:
        assert "QM_IDLE" in session.run("show crypto isakmp sa").output


def _run_cli(
    args: list[str], env_extra: dict[str, str] | None = None, **kw: Any
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **(env_extra or {})}
    return subprocess.run(
        [sys.executable, "-m", "ipsec_ops", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
        **kw,
    )


def test_no_secret_anywhere_in_a_run(tmp_path: Path) -> None:
    bundle, logs = tmp_path / "bundle", tmp_path / "logs"
    result = _run_cli(["collect", "--lab", "--out", str(bundle), "--session-log", str(logs)])
    assert result.returncode == 0, result.stdout + result.stderr
    scenario = load_scenario("default")
    secrets = {u.password for d in scenario.devices for u in d.users}
    secrets |= {d.enable_secret for d in scenario.devices}
    secrets |= {e.psk for d in scenario.devices for e in d.map_entries}
    secrets |= {p.psk for p in scenario.peers if p.psk}
    assert len(list(logs.glob("*.log"))) == len(scenario.devices)
    texts = [result.stdout, result.stderr]
    texts += [
        p.read_text(errors="replace") for p in [*bundle.rglob("*"), *logs.rglob("*")] if p.is_file()
    ]
    for secret in secrets:
        assert not any(secret in text for text in texts), f"secret leaked: {secret[:3]}..."
    assert any("QM_IDLE" in t for t in texts)  # the run did capture real output


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_interrupted_run_leaves_a_consistent_bundle(tmp_path: Path, sig: int) -> None:
    running = start_lab(load_scenario("fleet", devices=24), tmp_path, latency_ms=150)
    try:
        inv = running.lab.write_inventory(tmp_path / "inv")
        bundle = tmp_path / "bundle"
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "ipsec_ops",
                "collect",
                "-i",
                str(inv),
                "--out",
                str(bundle),
                "--known-hosts",
                str(inv / "known_hosts"),
                "--workers",
                "4",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # wait until some devices are done
            if len(list(bundle.glob("*/device.json"))) >= 2:
                break
            time.sleep(0.05)
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=60)
    finally:
        running.lab.stop()
    assert proc.returncode == 3, out + err
    assert "interrupted; not reached:" in out
    assert "Traceback" not in err
    records = [json.loads(p.read_text()) for p in bundle.glob("*/device.json")]
    assert len(records) == 24  # every device says what happened to it
    statuses = {r["status"] for r in records}
    assert "ok" in statuses and "not_reached" in statuses
    assert not list(bundle.rglob("*.tmp"))
    summary = json.loads((bundle / "bundle.json").read_text())
    assert summary["interrupted"] is True


def test_collect_usage_errors(tmp_path: Path) -> None:
    result = _run_cli(["collect", "--out", str(tmp_path / "b")])
    assert result.returncode == 64
    assert "--inventory" in result.stderr
    assert "Traceback" not in result.stderr
    result = _run_cli(["collect", "--lab", "--host", "nope", "--out", str(tmp_path / "b")])
    assert result.returncode == 64
    assert "nope" in result.stderr


SLOW = """
defaults: {username: ops, password: Slow-Pass-1, enable_secret: Slow-Enable-2}
devices:
""" + "".join(
    f"  slow{i}: {{platform: cisco_ios, latency_ms: 250, "
    f"interfaces: [{{name: Gi0/0, address: 198.51.100.{i + 1}/24}}]}}\n"
    for i in range(12)
)


def test_enable_on_slow_devices_ignores_stale_prompts(tmp_path: Path) -> None:
    """netmiko's prompt search can leave prompts in flight on a slow device: the enable
    step must not take one of them for the device's answer (seen under load)."""
    running = start_lab(scenario_from_text(SLOW), tmp_path)
    try:
        inv = running.lab.write_inventory(tmp_path / "inv")
        inventory = load_inventory(inv)
        report = collect(
            select(inventory, Selection()),
            tmp_path / "b",
            _settings(inv),
            Redactor(inventory.secrets()),
        )
    finally:
        running.lab.stop()
    assert [o.error for o in report.outcomes if not o.ok] == []
