"""JSON: the DESIGN.md contract, field by field and type by type, plus ``summary``."""

from __future__ import annotations

import json
from typing import Any

from ipsec_ops.model import HEALTHS, Report
from ipsec_ops.reports import render

STR, INT, BOOL, LIST, NONE = str, int, bool, list, type(None)
OPT_STR, OPT_INT = (str, NONE), (int, NONE)

DEVICE = {"name": STR, "platform": STR, "status": STR, "error": OPT_STR}
TUNNEL = {
    "device": STR,
    "peer": STR,
    "local": OPT_STR,
    "fvrf": OPT_STR,
    "ivrf": OPT_STR,
    "interface": OPT_STR,
    "crypto_map": OPT_STR,
    "seq": OPT_INT,
    "configured": BOOL,
    "ike": (dict, NONE),
    "ipsec": LIST,
    "health": STR,
    "findings": LIST,
}
IKE = {"version": INT, "state": STR, "role": OPT_STR, "conn_id": OPT_INT, "lifetime_s": OPT_INT}
IPSEC = {
    "local_ident": STR,
    "remote_ident": STR,
    "spi_in": OPT_STR,
    "spi_out": OPT_STR,
    "encaps": INT,
    "decaps": INT,
    "send_errors": INT,
    "recv_errors": INT,
    "lifetime_s": OPT_INT,
    "lifetime_kb": OPT_INT,
}
FINDING = {"code": STR, "severity": STR, "summary": STR, "evidence": LIST, "next_steps": LIST}


def check(obj: dict[str, Any], shape: dict[str, Any], where: str) -> None:
    """Every field of ``shape`` is in ``obj`` with one of its types (bool is not an int)."""
    for key, types in shape.items():
        assert key in obj, f"{where}: {key} missing"
        value = obj[key]
        allowed = types if isinstance(types, tuple) else (types,)
        assert isinstance(value, allowed), f"{where}.{key}: {value!r} is not {allowed}"
        if isinstance(value, bool):
            assert bool in allowed, f"{where}.{key}: a bool where a number belongs"


def test_contract_fields_and_types(small_report: Report) -> None:
    doc = json.loads(render(small_report, "json"))
    assert isinstance(doc["generated_at"], str)
    assert len(doc["devices"]) == 3 and len(doc["tunnels"]) == 5
    for d in doc["devices"]:
        check(d, DEVICE, f"device {d['name']}")
    for t in doc["tunnels"]:
        where = f"tunnel {t['device']} {t['peer']}"
        check(t, TUNNEL, where)
        assert t["health"] in HEALTHS
        if t["ike"] is not None:
            check(t["ike"], IKE, where + ".ike")
        for sa in t["ipsec"]:
            check(sa, IPSEC, where + ".ipsec")
        for f in t["findings"]:
            check(f, FINDING, where + ".findings")
            assert f["severity"] in ("info", "warning", "critical")
            assert all(isinstance(x, str) for x in f["evidence"] + f["next_steps"])


def test_it_is_the_model_contract_plus_summary(small_report: Report) -> None:
    doc = json.loads(render(small_report, "json"))
    summary = doc.pop("summary")
    assert doc == small_report.to_json()
    assert list(summary) == [
        "up",
        "degraded",
        "down",
        "unknown",
        "tunnels",
        "devices",
        "devices_unreadable",
        "exit_code",
    ]


def test_summary_counts_match(small_report: Report) -> None:
    summary = json.loads(render(small_report, "json"))["summary"]
    assert {h: summary[h] for h in HEALTHS} == small_report.counts()
    assert summary == {
        "up": 2,
        "degraded": 1,
        "down": 2,
        "unknown": 1,
        "tunnels": 5,
        "devices": 3,
        "devices_unreadable": 1,
        "exit_code": 3,
    }


def test_key_order_is_stable_and_indented(small_report: Report) -> None:
    text = render(small_report, "json")
    # `ezvpn_sessions` (issue 10) is added after the contract's keys, never between them.
    keys = ["generated_at", "summary", "devices", "tunnels", "ezvpn_sessions"]
    assert list(json.loads(text)) == keys
    assert text.startswith('{\n  "generated_at": ') and text.endswith("}\n")
