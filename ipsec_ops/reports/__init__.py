"""Report renderers: one module per format, each a pure ``render(report) -> str``.

:data:`FORMATS` maps the names of ``--format`` to renderers; :func:`render`
picks one by name and :func:`write_report` writes its text atomically;
:func:`print_table` prints the table in colour on a terminal.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ipsec_ops import atomic
from ipsec_ops.errors import UsageError
from ipsec_ops.model import Report
from ipsec_ops.reports import csv_report, html, json_report, markdown, nagios, prom, table
from ipsec_ops.reports.table import print_table

Renderer = Callable[[Report], str]

FORMATS: dict[str, Renderer] = {
    "table": table.render,
    "json": json_report.render,
    "csv": csv_report.render,
    "md": markdown.render,
    "html": html.render,
    "prom": prom.render,
    "nagios": nagios.render,
}


def renderer(fmt: str) -> Renderer:
    """The render function of format ``fmt``; UsageError naming the known ones otherwise.

    >>> renderer("xml")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ipsec_ops.errors.UsageError: unknown report format 'xml' (known: table, json, csv, ...)
    """
    try:
        return FORMATS[fmt]
    except KeyError:
        known = ", ".join(FORMATS)
        raise UsageError(f"unknown report format {fmt!r} (known: {known})") from None


def check_format(fmt: str) -> None:
    """Return quietly when ``fmt`` is a known format, else raise UsageError (before any work)."""
    renderer(fmt)


def render(report: Report, fmt: str) -> str:
    """The report rendered in format ``fmt``."""
    return renderer(fmt)(report)


def write_report(report: Report, fmt: str, out: Path) -> Path:
    """Render ``report`` as ``fmt`` into ``out`` atomically; returns ``out``.

    The text goes to a temp file in the same folder, is flushed to disk, then
    renamed over ``out``: a reader sees the old file or the new one, never half
    of one, and a failure leaves no temp file behind. A folder that does not
    exist or cannot be written raises UsageError naming ``out``.
    """
    return write_text(render(report, fmt), out)  # rendered first: a bad format writes nothing


def write_text(text: str, out: Path) -> Path:
    """Write ``text`` into ``out`` atomically (:mod:`ipsec_ops.atomic`); returns ``out``."""
    try:
        return atomic.write_text(Path(out), text)
    except OSError as e:  # a missing or read-only folder: a bad --out, not a crash
        raise UsageError(f"cannot write the report to {out}: {e.strerror or e}") from e


__all__ = [
    "FORMATS",
    "Renderer",
    "check_format",
    "print_table",
    "render",
    "renderer",
    "write_report",
    "write_text",
]
