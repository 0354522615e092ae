"""Terminal table: plain text without escapes, grouped and ordered, colour only on terminals."""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console

from ipsec_ops.model import Report
from ipsec_ops.reports import render
from ipsec_ops.reports.table import WIDTH, print_table
from tests.reports.sample import tiny_report

ANSI = re.compile(r"\x1b\[")


def test_plain_text_fits_120_columns(small_report: Report) -> None:
    text = render(small_report, "table")
    assert not ANSI.search(text)
    assert max(len(line) for line in text.splitlines()) <= WIDTH


def test_devices_with_problems_first_and_worst_tunnel_first(small_report: Report) -> None:
    small_report.devices.reverse()  # the order of the report must not matter for problems
    text = render(small_report, "table")
    assert text.index("fw1  cisco_asa") < text.index("hub1  cisco_ios")  # both have a down one
    hub = text[text.index("hub1  cisco_ios") :]
    order = [hub.index(p) for p in ("198.51.100.20", "198.51.100.30", "203.0.113.2 ")]
    assert order == sorted(order)
    assert text.index("Unreadable devices") > text.index("203.0.113.11")
    assert "  br3  cisco_xe  unknown  SSH to 192.0.2.33:22 timed out after 30 s" in text
    assert text.rstrip().splitlines()[-1].startswith("Summary: 2 down, 1 degraded, 2 up, 1 unknown")


def test_healthy_device_comes_after_sick_ones() -> None:
    report = tiny_report("up")
    sick = tiny_report("degraded")
    sick.devices[0].name = sick.tunnels[0].device = "r0"
    report.devices += sick.devices
    report.tunnels += sick.tunnels
    text = render(report, "table")
    assert text.index("r0  cisco_ios") < text.index("r1  cisco_ios")


def test_columns_and_rows(small_report: Report) -> None:
    text = render(small_report, "table")
    assert re.search(r"Peer +Health +IKE +IPsec SA enc/dec +Findings +Summary", text)
    assert re.search(r"203\.0\.113\.11 +up +v2 READY +2 SAs 99277/101732", text)
    assert re.search(
        r"198\.51\.100\.20 +down +v1 MM_KEY_EXCH +no SA +IKE_AUTH_FAILED +phase 1", text
    )


def test_markup_in_device_strings_is_printed_as_written() -> None:
    report = tiny_report("down")
    report.tunnels[0].findings[0].summary = "[bold red]not markup[/] :smile:"
    assert "[bold red]not markup[/] :smile:" in render(report, "table")


def test_print_table_colours_only_a_terminal(small_report: Report) -> None:
    tty = io.StringIO()
    print_table(
        small_report, Console(file=tty, force_terminal=True, width=WIDTH, color_system="standard")
    )
    assert ANSI.search(tty.getvalue())
    assert ANSI.sub("", tty.getvalue()).count("203.0.113.11") == 1
    pipe = io.StringIO()
    print_table(small_report, Console(file=pipe, force_terminal=False, width=WIDTH))
    assert not ANSI.search(pipe.getvalue())
    plain = [line.rstrip() for line in pipe.getvalue().splitlines()]
    assert plain == render(small_report, "table").splitlines()


def test_narrow_console_prints_summaries_under_the_table(small_report: Report) -> None:
    out = io.StringIO()
    print_table(small_report, Console(file=out, width=80))
    lines = out.getvalue().splitlines()
    assert max(len(line) for line in lines) <= 80
    assert not any(line.rstrip().endswith("Summary") for line in lines)
    flat = " ".join(" ".join(lines).split())
    assert 'nothing matches the crypto ACL "BRANCH30-ACL" toward 198.51.100.30, so no SA' in flat
    assert "198.51.100.20: phase 1 stuck at MM_KEY_EXCH" in flat


def test_default_console_on_a_pipe_is_120_wide(
    small_report: Report, capsys: pytest.CaptureFixture[str]
) -> None:
    print_table(small_report)
    printed = [line.rstrip() for line in capsys.readouterr().out.splitlines()]
    assert printed == render(small_report, "table").splitlines()
