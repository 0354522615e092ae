"""Report renderers: one module per format, each a pure ``render(report) -> str``.

:data:`FORMATS` maps the names of ``--format`` to renderers; :func:`render`
picks one by name and :func:`write_report` writes its text atomically;
:func:`print_table` prints the table in colour on a terminal.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Callable
from pathlib import Path

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


def _create_temp(out: Path) -> tuple[int, Path]:
    """A new, exclusive temp file beside ``out``; returns its descriptor and path.

    Created with mode 0666 so the umask applies, as for a plain ``open()``: a
    report read by another user (node_exporter, a web server) stays readable.
    The name does not end like ``out`` (collectors matching ``*.prom`` skip it).
    """
    while True:
        tmp = out.parent / f".{out.name}.{secrets.token_hex(6)}.tmp"
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), tmp
        except FileExistsError:  # pragma: no cover - 48 random bits collide only in theory
            continue


def _fsync_dir(folder: Path) -> None:
    """Make the rename durable; some platforms cannot open a folder, which is fine."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_report(report: Report, fmt: str, out: Path) -> Path:
    """Render ``report`` as ``fmt`` into ``out`` atomically; returns ``out``.

    The text goes to a temp file in the same folder, is flushed to disk, then
    renamed over ``out``: a reader sees the old file or the new one, never half
    of one, and a failure leaves no temp file behind. A folder that does not
    exist or cannot be written raises UsageError naming ``out``.
    """
    return write_text(render(report, fmt), out)  # rendered first: a bad format writes nothing


def write_text(text: str, out: Path) -> Path:
    """Write ``text`` into ``out`` atomically (see :func:`write_report`); returns ``out``."""
    out = Path(out)
    try:
        fd, tmp = _create_temp(out)
    except OSError as e:  # a missing or read-only folder: a bad --out, not a crash
        raise UsageError(f"cannot write the report to {out}: {e.strerror or e}") from e
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(text.encode("utf-8"))
            f.flush()
            os.fsync(f.fileno())
        with contextlib.suppress(FileNotFoundError):
            # Replacing a report keeps its mode (someone may have opened it up or down).
            os.chmod(tmp, out.stat().st_mode & 0o7777)
        os.replace(tmp, out)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    _fsync_dir(out.parent)
    return out


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
