"""The health report end to end: the lab over SSH, saved bundles, bad input."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ipsec_ops.bundle import read_bundle
from ipsec_ops.health import build_report
from ipsec_ops.isotime import utc_now
from ipsec_ops.lab.scenario import load_scenario

# What the report must say for each condition tag of the default lab's descriptions.
EXPECTED = {
    "healthy": set(),
    "peer-unreachable": {"PEER_UNREACHABLE"},
    "ike-policy-mismatch": {"IKE_POLICY_MISMATCH"},
    "psk-mismatch": {"IKE_AUTH_FAILED"},
    "phase2-mismatch": {"PHASE2_MISMATCH"},
    "acl-not-mirrored": {"PROXY_ID_MISMATCH"},
    "one-way-traffic": {"ONE_WAY_TRAFFIC"},
    "no-interesting-traffic": {"NO_INTERESTING_TRAFFIC"},
    "stale-sa": {"STALE_SA"},
    "flapping": {"FLAPPING"},
}
HEALTH = {
    "healthy": {"up"},
    "no-interesting-traffic": {"degraded"},
    "flapping": {"degraded", "down"},
}


def _run(args: list[str], **kw: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ipsec_ops", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ},
        **kw,
    )


def test_every_lab_condition_gets_its_finding(lab_bundle: Path) -> None:
    report = build_report(read_bundle(lab_bundle), utc_now())
    by_key = {(t.device, t.peer): t for t in report.tunnels}
    scenario = load_scenario("default")
    checked = 0
    for device in scenario.devices:
        for entry in device.map_entries:
            tag = entry.description.split("]")[0].strip("[")
            t = by_key.get((device.name, str(entry.peer)))
            assert t is not None, f"{device.name} -> {entry.peer} missing from the report"
            codes = {f.code for f in t.findings}
            assert EXPECTED[tag] <= codes, f"{device.name} {entry.peer} [{tag}]: {codes}"
            if tag == "healthy":
                assert not t.findings, f"{device.name} {entry.peer}: {codes}"
            assert t.health in HEALTH.get(tag, {"down"}), f"{device.name} {entry.peer} {t.health}"
            assert t.configured
            checked += 1
    assert checked == sum(len(d.map_entries) for d in scenario.devices)
    assert all(d.status == "ok" for d in report.devices)
    assert report.exit_code() == 2


def test_findings_carry_evidence_and_ordered_next_steps(lab_bundle: Path) -> None:
    report = build_report(read_bundle(lab_bundle), utc_now())
    for t in report.tunnels:
        for f in t.findings:
            assert f.evidence and all(isinstance(e, str) and e for e in f.evidence)
            assert f.next_steps
    one_way = next(f for t in report.tunnels for f in t.findings if f.code == "ONE_WAY_TRAFFIC")
    assert "encaps" in " ".join(one_way.evidence)
    assert "hit counts" in one_way.next_steps[0]


def test_spis_and_counters_match_the_devices(lab_bundle: Path) -> None:
    """The same SA seen from both ends: one's outbound SPI is the other's inbound."""
    report = build_report(read_bundle(lab_bundle), utc_now())
    hq = next(t for t in report.tunnels if (t.device, t.peer) == ("hq-rtr", "198.51.100.3"))
    asa = next(t for t in report.tunnels if (t.device, t.peer) == ("fw-asa9", "198.51.100.1"))
    assert hq.ipsec and asa.ipsec
    assert hq.ipsec[0].spi_out == asa.ipsec[0].spi_in
    assert hq.ipsec[0].spi_in == asa.ipsec[0].spi_out
    assert hq.ipsec[0].encaps > 0 and asa.ipsec[0].decaps > 0
    assert hq.ike is not None and hq.ike.state == "QM_IDLE"
    assert asa.ike is not None and asa.ike.state == "MM_ACTIVE"


def test_json_contract_from_the_cli(lab_bundle: Path, tmp_path: Path) -> None:
    result = _run(["health", "--from", str(lab_bundle), "--format", "json"])
    assert result.returncode == 2, result.stderr
    data = json.loads(result.stdout)
    assert {"generated_at", "devices", "tunnels"} <= set(data)
    t = data["tunnels"][0]
    for key in (
        "device",
        "peer",
        "local",
        "fvrf",
        "ivrf",
        "interface",
        "crypto_map",
        "seq",
        "configured",
        "ike",
        "ipsec",
        "health",
        "findings",
    ):
        assert key in t
    assert {f["code"] for t in data["tunnels"] for f in t["findings"]} >= {"STALE_SA"}


def test_failed_device_is_unknown_with_its_reason(lab_bundle: Path, tmp_path: Path) -> None:
    bundle = tmp_path / "bundle"
    shutil.copytree(lab_bundle, bundle)
    meta = bundle / "fw-asa82" / "device.json"
    record = json.loads(meta.read_text())
    record.update(status="failed", errors=[{"class": "auth", "message": "authentication failed"}])
    meta.write_text(json.dumps(record))
    result = _run(["health", "--from", str(bundle), "--format", "json"])
    assert result.returncode == 3
    device = next(d for d in json.loads(result.stdout)["devices"] if d["name"] == "fw-asa82")
    assert device["status"] == "unknown"
    assert "authentication failed" in device["error"]
    assert device["findings"][0]["code"] == "COLLECTION_FAILED"


@pytest.mark.parametrize(
    ("setup", "words", "code"),
    [
        ("missing", "no such bundle folder", 64),
        ("empty", "empty bundle", 64),
        ("platform", "unknown platform 'junos'", 64),
        ("nojson", "device.json", 64),
        ("badjson", "not valid JSON", 64),
    ],
)
def test_bad_bundles(tmp_path: Path, setup: str, words: str, code: int) -> None:
    bundle = tmp_path / "b"
    if setup != "missing":
        bundle.mkdir()
    if setup in ("platform", "nojson", "badjson"):
        (bundle / "r1").mkdir()
        (bundle / "r1" / "show_crypto_isakmp_sa.txt").write_text("IPv4 Crypto ISAKMP SA\n")
    if setup == "platform":
        (bundle / "r1" / "device.json").write_text('{"name": "r1", "platform": "junos"}')
    if setup == "badjson":
        (bundle / "r1" / "device.json").write_text('{"name": "r1",\n "platform": }')
    result = _run(["health", "--from", str(bundle)])
    assert result.returncode == code
    assert words in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_unparseable_file_makes_the_device_unknown_naming_file_and_line(tmp_path: Path) -> None:
    folder = tmp_path / "b" / "r1"
    folder.mkdir(parents=True)
    (folder / "device.json").write_text('{"name": "r1", "platform": "cisco_asa"}')
    (folder / "show_crypto_ipsec_sa.txt").write_text(
        "interface: outside\n    Crypto map tag: M, seq num: 1, local addr: 192.0.2.1\n"
        "      this line is nothing an ASA prints\n"
    )
    result = _run(["health", "--from", str(tmp_path / "b"), "--format", "json"])
    assert result.returncode == 3
    device = json.loads(result.stdout)["devices"][0]
    assert device["status"] == "unknown"
    assert "show_crypto_ipsec_sa.txt" in device["error"] and "line 3" in device["error"]


LIFETIMES = """
name: lifetimes
description: map entries with their own IPsec SA lifetimes
defaults: {username: admin, password: Pw-Life-1, enable_secret: En-Life-2}
devices:
  rtr:
    platform: cisco_ios
    family: ios15
    interfaces: [{name: Gi0/0, address: 192.0.2.1/24, crypto_map: VPN}]
    crypto_map:
      - {peer: 203.0.113.1, acl: ["10.1.0.0/24 10.9.0.0/24"], psk: K-1, transform_set: TS,
         lifetime_s: 28800}
      - {peer: 203.0.113.2, acl: ["10.1.1.0/24 10.9.1.0/24"], psk: K-2, transform_set: TS}
  fw:
    platform: cisco_asa
    family: asa9
    interfaces: [{name: Gi0/0, nameif: outside, address: 192.0.2.3/24, crypto_map: VPN}]
    crypto_map:
      - {peer: 203.0.113.1, acl: ["10.3.0.0/24 10.9.0.0/24"], psk: K-1, transform_set: TS,
         lifetime_s: 1800}
peers:
  - {address: 203.0.113.1, psk: K-1}
  - {address: 203.0.113.2, psk: K-2}
"""


def test_each_map_entry_keeps_its_configured_lifetime(tmp_path: Path) -> None:
    """SA_EXPIRING compares with the entry's own lifetime, read from the device."""
    from ipsec_ops.gather import gather
    from ipsec_ops.lab.runtime import Lab
    from ipsec_ops.lab.scenario import scenario_from_text
    from ipsec_ops.options import DeviceOptions

    with Lab(scenario_from_text(LIFETIMES)) as lab:
        folder = lab.write_inventory(tmp_path / "inv")
        opts = DeviceOptions(inventory=folder, known_hosts=folder / "known_hosts", quiet=True)
        report = gather(opts, None, quiet=True).report
    got = {(t.device, t.peer): t.sa_lifetime_s for t in report.tunnels}
    assert got == {
        ("rtr", "203.0.113.1"): 28800,
        ("rtr", "203.0.113.2"): 3600,
        ("fw", "203.0.113.1"): 1800,
    }
    assert all(t.health == "up" for t in report.tunnels)  # nothing is near its own end
