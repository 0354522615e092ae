"""Every format of the small report, compared exactly with its golden file."""

from __future__ import annotations

import copy

import pytest

from ipsec_ops.model import Report
from ipsec_ops.reports import FORMATS, render
from tests.reports import sample
from tests.reports.golden import GOLDEN, assert_golden, updating


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_small_report_matches_golden(small_report: Report, fmt: str) -> None:
    assert_golden(f"small.{fmt}", render(small_report, fmt))


def test_every_golden_file_has_a_format() -> None:
    if updating():
        pytest.skip("golden files are being rewritten")
    assert sorted(p.name for p in GOLDEN.iterdir()) == sorted(f"small.{f}" for f in FORMATS)


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_renderers_are_pure(small_report: Report, fmt: str) -> None:
    before = copy.deepcopy(small_report.to_json())
    first = render(small_report, fmt)
    assert render(small_report, fmt) == first
    assert small_report.to_json() == before


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_empty_report_renders(fmt: str) -> None:
    text = render(Report(sample.GENERATED_AT, [], []), fmt)
    assert text.endswith("\n")
    assert "None" not in text
