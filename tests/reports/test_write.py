"""The registry, format errors, and atomic writing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ipsec_ops.errors import UsageError
from ipsec_ops.model import Report
from ipsec_ops.reports import FORMATS, render, write_report


def test_registry_names() -> None:
    assert list(FORMATS) == ["table", "json", "csv", "md", "html", "prom", "nagios"]


def test_unknown_format_names_it_and_the_known_ones(small_report: Report, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"'xml'.*table, json, csv, md, html, prom, nagios"):
        render(small_report, "xml")
    with pytest.raises(UsageError):
        write_report(small_report, "xml", tmp_path / "out.xml")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_write_report_writes_the_rendered_text(
    small_report: Report, tmp_path: Path, fmt: str
) -> None:
    out = write_report(small_report, fmt, tmp_path / f"health.{fmt}")
    assert out.read_bytes() == render(small_report, fmt).encode("utf-8")
    assert os.listdir(tmp_path) == [f"health.{fmt}"]


def test_replaces_the_target_atomically(small_report: Report, tmp_path: Path) -> None:
    out = tmp_path / "ipsec.prom"
    out.write_text("old\n")
    out.chmod(0o644)
    before = out.stat().st_ino
    write_report(small_report, "prom", out)
    assert out.stat().st_ino != before  # a new file renamed over it, not rewritten in place
    assert out.read_text().startswith("# HELP ")
    assert out.stat().st_mode & 0o777 == 0o644
    assert os.listdir(tmp_path) == ["ipsec.prom"]


def test_new_file_gets_the_umask_mode(small_report: Report, tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        out = write_report(small_report, "json", tmp_path / "r.json")
    finally:
        os.umask(old)
    assert out.stat().st_mode & 0o777 == 0o644  # readable by node_exporter or a web server


def test_failure_leaves_the_old_file_and_no_temp(
    small_report: Report, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "ipsec.prom"
    out.write_text("old\n")

    def broken_replace(src: str, dst: str) -> None:
        raise OSError("disk gone")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(UsageError, match=r"cannot write the report to .*ipsec\.prom: disk gone"):
        write_report(small_report, "prom", out)
    assert out.read_text() == "old\n"
    assert os.listdir(tmp_path) == ["ipsec.prom"]


def test_missing_folder_is_a_usage_error(small_report: Report, tmp_path: Path) -> None:
    out = tmp_path / "no-such-folder" / "health.json"
    with pytest.raises(UsageError, match=r"no-such-folder/health\.json: No such file"):
        write_report(small_report, "json", out)
