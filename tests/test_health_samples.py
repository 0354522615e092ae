"""The health report on real device output: bundles assembled by hand from the public
samples (shared/samples, ntc-templates fixtures), as an engineer would from saved text.

Expected values are read off the raw sample text, not off the report.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ipsec_ops.bundle import read_bundle
from ipsec_ops.health import build_report
from tests.conftest import SAMPLES

NTC = SAMPLES / "ntc-templates"
NOW = "2026-11-29T08:00:00Z"

pytestmark = pytest.mark.skipif(not NTC.exists(), reason="shared/samples not beside the checkout")


def bundle(tmp_path: Path, name: str, platform: str, files: dict[str, Path]) -> Path:
    folder = tmp_path / "bundle" / name
    folder.mkdir(parents=True)
    (folder / "device.json").write_text(json.dumps({"name": name, "platform": platform}))
    for filename, source in files.items():
        shutil.copy(source, folder / filename)
    return tmp_path / "bundle"


def test_asa_ipsec_sample(tmp_path: Path) -> None:
    path = bundle(
        tmp_path,
        "asa",
        "cisco_asa",
        {
            "show_crypto_ipsec_sa.txt": NTC
            / "cisco_asa/show_crypto_ipsec_sa/cisco_asa_show_crypto_ipsec_sa.raw",
        },
    )
    report = build_report(read_bundle(path), NOW)
    tunnels = {t.peer: t for t in report.tunnels}
    assert set(tunnels) == {"172.20.0.21", "8.8.8.8", "REMOTE-PEER-8.8.4.4"}
    colo = tunnels["8.8.8.8"]
    assert colo.crypto_map == "COLO-MAP" and colo.seq is None  # not configured: no config read
    sa = colo.ipsec[0]
    assert (sa.spi_in, sa.spi_out) == ("0x32F752FF", "0x50023DDC")
    assert (sa.encaps, sa.decaps) == (13915315, 23606461)
    assert sa.local_ident == "172.16.122.32/28" and sa.remote_ident == "172.30.1.153/32"
    assert sa.lifetime_kb == 3892153 and sa.lifetime_s == 25461
    assert not colo.findings and colo.health == "up"
    # The remote-access client decapsulates 1145 packets and encapsulates none.
    ra = tunnels["172.20.0.21"]
    assert (ra.ipsec[0].encaps, ra.ipsec[0].decaps) == (0, 1145)
    assert [f.code for f in ra.findings] == ["ONE_WAY_TRAFFIC"]
    # Without any IKE command in the bundle, a missing IKE SA proves nothing.
    assert all(f.code != "STALE_SA" for t in report.tunnels for f in t.findings)


def test_ios_ipsec_detail_sample(tmp_path: Path) -> None:
    path = bundle(
        tmp_path,
        "r1",
        "cisco_ios",
        {
            "show_crypto_ipsec_sa_detail.txt": NTC
            / "cisco_ios/show_crypto_ipsec_sa_detail/cisco_ios_show_crypto_ipsec_sa_detail.raw",
        },
    )
    report = build_report(read_bundle(path), NOW)
    tunnels = {t.peer: t for t in report.tunnels}
    assert set(tunnels) == {"2.2.2.2", "3.3.3.3"}
    first = tunnels["2.2.2.2"].ipsec[0]
    assert (first.spi_in, first.spi_out) == ("0xABCD1234", "0x1234ABCD")
    assert (first.encaps, first.decaps) == (4981028, 4112421)
    assert tunnels["2.2.2.2"].interface == "Tunnel1"
    # "##pkts replay failed (rcv): 1" on the second tunnel.
    assert tunnels["3.3.3.3"].ipsec[0].replay_failed == 1
    assert "REPLAY_ERRORS" in {f.code for f in tunnels["3.3.3.3"].findings}


def test_ios_session_detail_sample(tmp_path: Path) -> None:
    path = bundle(
        tmp_path,
        "r1",
        "cisco_ios",
        {
            "show_crypto_session_detail.txt": NTC
            / "cisco_ios/show_crypto_session_detail/cisco_ios_show_crypto_session_detail.raw",
        },
    )
    report = build_report(read_bundle(path), NOW)
    tunnels = {t.peer: t for t in report.tunnels}
    assert tunnels["192.168.0.1"].session_status == "UP-ACTIVE"
    assert tunnels["10.161.255.14"].session_status == "DOWN-NEGOTIATING"
    # A session stuck negotiating is down even when nothing else was collected.
    assert tunnels["10.161.255.14"].health == "down"
    assert tunnels["10.163.255.14"].health == "down"


def test_crypto_map_applied_to_no_interface_is_a_finding(tmp_path: Path) -> None:
    """`show crypto map` without an `Interfaces using crypto map` section (IOS)."""
    from ipsec_ops.lab.engine import Engine
    from ipsec_ops.lab.grammar import build
    from ipsec_ops.lab.render import ios
    from ipsec_ops.lab.render.base import context_for
    from ipsec_ops.lab.scenario import load_scenario

    ctx = context_for(Engine(load_scenario("default")), "hq-rtr")
    match = build(ios.commands(ctx.device.family), ios.KNOWN).match("show crypto map")
    assert not isinstance(match, type(None))
    text = match.handler(ctx, match.args)  # type: ignore[union-attr]
    unapplied = text.split("\tInterfaces using crypto map")[0]
    assert "Interfaces using" not in unapplied
    folder = tmp_path / "bundle" / "r1"
    folder.mkdir(parents=True)
    (folder / "device.json").write_text(json.dumps({"name": "r1", "platform": "cisco_ios"}))
    (folder / "show_crypto_map.txt").write_text(unapplied)
    report = build_report(read_bundle(tmp_path / "bundle"), NOW)
    [device] = report.devices
    assert [f.code for f in device.findings] == ["CRYPTO_MAP_NOT_APPLIED"]
    assert "VPN" in device.findings[0].summary
    # With the interface section back, no finding.
    (folder / "show_crypto_map.txt").write_text(text)
    assert not build_report(read_bundle(tmp_path / "bundle"), NOW).devices[0].findings
