"""Nagios: state word and exit code follow Report.exit_code(); perfdata syntax."""

from __future__ import annotations

import re

import pytest

from ipsec_ops.model import Report
from ipsec_ops.reports import render
from ipsec_ops.reports.nagios import nagios_state
from tests.reports.sample import tiny_report

STATUS = re.compile(
    r"^IPSEC (OK|WARNING|CRITICAL|UNKNOWN) - (\d+) down, (\d+) degraded, (\d+) up"
    r"(?:, \d+ unknown)?(?:, (\d+) devices unreadable)?(?:, \d+ device findings)?"
    r" \| (.*)$"
)
# label=value[UOM];[warn];[crit];[min];[max], labels without quotes here.
PERF = re.compile(r"^[A-Za-z_]+=-?\d+(\.\d+)?(s|ms|us|%|B|KB|MB|TB|c)?(;[^;= ]*){0,4}$")


@pytest.mark.parametrize(
    ("report", "code", "word"),
    [
        (tiny_report("up", "up"), 0, "OK"),
        (tiny_report("up", "degraded"), 1, "WARNING"),
        (tiny_report("up", "degraded", "down"), 2, "CRITICAL"),
        (tiny_report("up", "down", unreadable=True), 3, "UNKNOWN"),
    ],
    ids=["all-up", "degraded", "down", "unreadable"],
)
def test_state_follows_exit_code(report: Report, code: int, word: str) -> None:
    assert report.exit_code() == code
    assert nagios_state(report) == (code, word)
    first = render(report, "nagios").splitlines()[0]
    m = STATUS.match(first)
    assert m, first
    assert m.group(1) == word
    counts = report.counts()
    assert [int(m.group(i)) for i in (2, 3, 4)] == [
        counts["down"],
        counts["degraded"],
        counts["up"],
    ]
    assert (m.group(5) is not None) == (code == 3)


def test_perfdata_syntax(small_report: Report) -> None:
    first = render(small_report, "nagios").splitlines()[0]
    assert first.count("|") == 1
    perf = first.split(" | ", 1)[1].split(" ")
    assert all(PERF.match(p) for p in perf), perf
    assert perf == ["up=2;;;0", "degraded=1;;;0", "down=2;;;0", "unknown=1;;;0"]


def test_small_report_lines(small_report: Report) -> None:
    lines = render(small_report, "nagios").splitlines()
    assert lines[0].startswith(
        "IPSEC UNKNOWN - 2 down, 1 degraded, 2 up, 1 devices unreadable, 1 device findings | "
    )
    assert lines[1].startswith("br3: COLLECTION_FAILED br3 could not be read")
    assert lines[2].startswith("hub1: DEBUG_LEFT_ON ")
    # Down tunnels of every device come before degraded ones.
    assert [line.split(":")[0] for line in lines[3:]] == [
        "hub1 198.51.100.20",
        "fw1 203.0.113.10",
        "hub1 198.51.100.30",
    ]


def test_long_output_has_no_pipe_or_line_break() -> None:
    report = tiny_report("down")
    report.tunnels[0].findings[0].summary = "stuck | see\nlog"
    lines = render(report, "nagios").splitlines()
    assert len(lines) == 2
    assert lines[1] == "r1 203.0.113.1: PEER_UNREACHABLE stuck / see log"


def test_all_up_has_no_long_output() -> None:
    assert render(tiny_report("up"), "nagios") == (
        "IPSEC OK - 0 down, 0 degraded, 1 up | up=1;;;0 degraded=0;;;0 down=0;;;0 unknown=0;;;0\n"
    )
