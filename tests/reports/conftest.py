"""Fixtures of the report tests: the small fixed report of :mod:`tests.reports.sample`."""

from __future__ import annotations

import pytest

from ipsec_ops.model import Report
from tests.reports import sample


@pytest.fixture(name="small_report")
def small_report_fixture() -> Report:
    """A fresh copy of the small fixed report (renderers must not change it, but tests may)."""
    return sample.small_report()
