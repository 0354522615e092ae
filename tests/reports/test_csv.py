"""CSV: parsed back with the csv module, one row per tunnel plus the unreadable devices."""

from __future__ import annotations

import csv
import io

from ipsec_ops.model import Report
from ipsec_ops.reports import render
from ipsec_ops.reports.csv_report import COLUMNS
from tests.reports.sample import QUOTED_SUMMARY


def rows(report: Report) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(render(report, "csv"), newline="")))


def test_header_and_one_row_per_tunnel_and_unreadable_device(small_report: Report) -> None:
    text = render(small_report, "csv")
    assert text.splitlines()[0] == ",".join(COLUMNS)
    parsed = rows(small_report)
    assert len(parsed) == len(small_report.tunnels) + 1
    keys = [(r["device"], r["peer"]) for r in parsed]
    assert keys == [
        ("br3", ""),
        ("fw1", "203.0.113.10"),
        ("fw1", "203.0.113.11"),
        ("hub1", "198.51.100.20"),
        ("hub1", "198.51.100.30"),
        ("hub1", "203.0.113.2"),
    ]


def test_comma_and_quotes_survive(small_report: Report) -> None:
    by_peer = {r["peer"]: r for r in rows(small_report)}
    assert by_peer["198.51.100.30"]["summary"] == QUOTED_SUMMARY
    assert '"nothing matches the crypto ACL ""BRANCH30-ACL"" toward' in render(small_report, "csv")


def test_tunnel_values(small_report: Report) -> None:
    by_peer = {r["peer"]: r for r in rows(small_report)}
    up = by_peer["203.0.113.11"]
    assert (up["health"], up["ike_version"], up["ike_state"], up["ike_role"]) == (
        "up",
        "2",
        "READY",
        "responder",
    )
    assert (up["ipsec_sas"], up["encaps"], up["decaps"], up["recv_errors"]) == (
        "2",
        "99277",
        "101732",
        "1",
    )
    assert up["finding_codes"] == "" and up["configured"] == "true"
    idle = by_peer["198.51.100.30"]
    assert (idle["ike_version"], idle["ike_state"], idle["ipsec_sas"]) == ("", "", "0")
    assert idle["finding_codes"] == "NO_INTERESTING_TRAFFIC"


def test_unreadable_device_row(small_report: Report) -> None:
    br3 = rows(small_report)[0]
    assert br3["health"] == "unknown"
    assert br3["summary"] == "SSH to 192.0.2.33:22 timed out after 30 s"
    assert br3["finding_codes"] == "COLLECTION_FAILED"


def test_several_codes_are_joined_with_semicolons(small_report: Report) -> None:
    t = small_report.tunnels[1]
    t.findings = [*t.findings, t.findings[0], *small_report.tunnels[2].findings]
    row = next(r for r in rows(small_report) if r["peer"] == t.peer)
    assert row["finding_codes"] == "IKE_AUTH_FAILED;NO_INTERESTING_TRAFFIC"
