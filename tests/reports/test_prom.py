"""Prometheus: every line valid exposition, the values the spec asks for, label escaping."""

from __future__ import annotations

import pytest

from ipsec_ops.model import Device, Report, Tunnel
from ipsec_ops.reports import render
from tests.reports.promcheck import check_exposition
from tests.reports.sample import GENERATED_AT, tiny_report

EXPECTED_METRICS = [
    "ipsec_report_timestamp_seconds",
    "ipsec_device_up",
    "ipsec_device_findings",
    "ipsec_tunnel_up",
    "ipsec_tunnel_health",
    "ipsec_tunnel_packets_encaps_total",
    "ipsec_tunnel_packets_decaps_total",
    "ipsec_tunnel_send_errors_total",
    "ipsec_tunnel_recv_errors_total",
    "ipsec_tunnel_findings",
]


def test_small_report_is_valid_exposition(small_report: Report) -> None:
    parsed = check_exposition(render(small_report, "prom"))
    assert list(parsed.types) == EXPECTED_METRICS
    assert {n: t for n, t in parsed.types.items() if t == "counter"} == {
        n: "counter" for n in EXPECTED_METRICS if n.endswith("_total")
    }


def test_values(small_report: Report) -> None:
    p = check_exposition(render(small_report, "prom"))
    assert p.value("ipsec_report_timestamp_seconds") == 1795680000  # 2026-11-26T08:00:00Z
    assert [p.value("ipsec_device_up", device=d) for d in ("hub1", "fw1", "br3")] == [1, 1, 0]
    up = {"device": "fw1", "peer": "203.0.113.11"}
    assert p.value("ipsec_tunnel_up", **up) == 1
    assert p.value("ipsec_tunnel_health", **up) == 0
    assert p.value("ipsec_tunnel_packets_encaps_total", **up) == 98765 + 512  # two SAs
    assert p.value("ipsec_tunnel_packets_decaps_total", **up) == 101234 + 498
    assert p.value("ipsec_tunnel_recv_errors_total", **up) == 1
    down = {"device": "fw1", "peer": "203.0.113.10"}
    assert p.value("ipsec_tunnel_up", **down) == 0  # it has an SA, but traffic is one way
    assert p.value("ipsec_tunnel_health", **down) == 2
    assert p.value("ipsec_tunnel_findings", **down, code="ONE_WAY_TRAFFIC") == 1
    idle = {"device": "hub1", "peer": "198.51.100.30"}
    assert p.value("ipsec_tunnel_health", **idle) == 1
    assert p.value("ipsec_tunnel_up", **idle) == 0  # degraded without an SA
    assert p.value("ipsec_device_findings", device="br3", code="COLLECTION_FAILED") == 1
    assert len([s for s in p.samples if s[0] == "ipsec_tunnel_findings"]) == 3


def test_degraded_with_sa_counts_as_up() -> None:
    p = check_exposition(render(tiny_report("degraded", "down"), "prom"))
    assert p.value("ipsec_tunnel_up", device="r1", peer="203.0.113.1") == 1
    assert p.value("ipsec_tunnel_health", device="r1", peer="203.0.113.1") == 1
    assert p.value("ipsec_tunnel_up", device="r1", peer="203.0.113.2") == 0


def test_label_values_are_escaped() -> None:
    name = 'lab "east" \\ core'
    peer = "peer\nwith break"
    report = Report(
        GENERATED_AT,
        [Device(name=name, platform="cisco_ios")],
        [Tunnel(device=name, peer=peer, health="unknown")],
    )
    text = render(report, "prom")
    assert 'device="lab \\"east\\" \\\\ core",peer="peer\\nwith break"' in text
    p = check_exposition(text)
    assert p.value("ipsec_tunnel_health", device=name, peer=peer) == 3
    assert p.value("ipsec_device_up", device=name) == 1


def test_output_is_in_stable_order(small_report: Report) -> None:
    before = render(small_report, "prom")
    small_report.tunnels.reverse()
    small_report.devices.reverse()
    assert render(small_report, "prom") == before


def test_unparsable_time_leaves_the_gauge_empty() -> None:
    report = tiny_report("up")
    report.generated_at = "yesterday"
    p = check_exposition(render(report, "prom"))
    assert "ipsec_report_timestamp_seconds" in p.types
    with pytest.raises(AssertionError):
        p.value("ipsec_report_timestamp_seconds")


@pytest.mark.parametrize(
    "bad",
    [
        "# TYPE x gauge\nx 1\n",  # no HELP
        '# HELP x h\n# TYPE x gauge\nx{a="1"} one\n',  # value
        '# HELP x h\n# TYPE x gauge\nx{1a="1"} 1\n',  # label name
        '# HELP x h\n# TYPE x gauge\nx{a="q""} 1\n',  # unescaped quote
        '# HELP x h\n# TYPE x gauge\nx{a="1"} 1\nx{a="1"} 2\n',  # duplicate series
        "# HELP x-y h\n# TYPE x-y gauge\nx-y 1\n",  # metric name
    ],
)
def test_checker_rejects(bad: str) -> None:
    with pytest.raises(AssertionError):
        check_exposition(bad)
