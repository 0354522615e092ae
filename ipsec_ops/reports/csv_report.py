"""CSV: one row per tunnel, plus one row per device that could not be read.

Rows come in device-name then peer-address order, not worst first, so the files
of two days diff row by row (an unreadable device keeps its place among them).
Lines end with ``\\n``; the csv module quotes fields holding commas, quotes or
line breaks.
"""

from __future__ import annotations

import csv
import io

from ipsec_ops.model import Device, Report, Tunnel
from ipsec_ops.reports import common

COLUMNS = (
    "device",
    "peer",
    "local",
    "crypto_map",
    "seq",
    "configured",
    "health",
    "ike_version",
    "ike_state",
    "ike_role",
    "ipsec_sas",
    "encaps",
    "decaps",
    "send_errors",
    "recv_errors",
    "finding_codes",
    "summary",
)


def _blank(value: object) -> object:
    """``""`` for None, so a missing value is an empty cell and not the text "None"."""
    return "" if value is None else value


def tunnel_row(t: Tunnel) -> dict[str, object]:
    """The CSV row of one tunnel, keyed by :data:`COLUMNS`."""
    c = common.totals(t)
    return {
        "device": t.device,
        "peer": t.peer,
        "local": _blank(t.local),
        "crypto_map": _blank(t.crypto_map),
        "seq": _blank(t.seq),
        "configured": "true" if t.configured else "false",
        "health": t.health,
        "ike_version": t.ike.version if t.ike else "",
        "ike_state": t.ike.state if t.ike else "",
        "ike_role": _blank(t.ike.role) if t.ike else "",
        "ipsec_sas": common.sa_count(t),
        **c,
        "finding_codes": ";".join(common.codes(t.findings)),
        "summary": common.first_summary(t.findings),
    }


def device_row(d: Device) -> dict[str, object]:
    """The CSV row of a device that could not be read: health unknown, its error as summary."""
    row: dict[str, object] = dict.fromkeys(COLUMNS, "")
    row.update(
        device=d.name,
        health="unknown",
        finding_codes=";".join(common.codes(d.findings)),
        summary=d.error or common.first_summary(d.findings),
    )
    return row


Row = dict[str, object]
RowKey = tuple[str, int, tuple[int, int, str]]


def _keyed_rows(report: Report) -> list[tuple[RowKey, Row]]:
    """Every row with its sort key: by device name, an unreadable device before its tunnels."""
    rows = [((t.device, 1, common.peer_key(t.peer)), tunnel_row(t)) for t in report.tunnels]
    rows += [((d.name, 0, (0, 0, "")), device_row(d)) for d in common.failed_devices(report)]
    return rows


def render(report: Report) -> str:
    """The report as CSV text with a header line."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for _, row in sorted(_keyed_rows(report), key=lambda pair: pair[0]):
        writer.writerow(row)
    return buffer.getvalue()
