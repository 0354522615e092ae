"""Easy VPN sessions: `show crypto session` variants over SSH, and the health report (issue 10).

The default lab's `ra-hub` is an Easy VPN server with three clients (scenario
`ezvpn.clients`); expected users, groups and addresses come from the scenario, never
from the output under test.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ipsec_ops import ezvpn
from ipsec_ops.bundle import read_bundle
from ipsec_ops.health import build_report
from ipsec_ops.isotime import utc_now
from ipsec_ops.lab.config import EzvpnClient
from ipsec_ops.lab.scenario import load_scenario
from ipsec_ops.parse import parse
from ipsec_ops.reports import render
from tests.conftest import RunningLab

CLIENTS = load_scenario("default").device("ra-hub").ezvpn_clients


def _by_user(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["username"]: r for r in records}


def _expect(c: EzvpnClient) -> dict[str, str]:
    return {"peer": str(c.public), "group": c.group, "assigned_address": str(c.assigned)}


@pytest.mark.parametrize(
    ("command", "keep"),
    [
        ("show crypto session", lambda c: True),
        ("show crypto session detail", lambda c: True),
        ("show crypto session group RA-STAFF", lambda c: c.group == "RA-STAFF"),
        ("show crypto session group RA-KIOSK detail", lambda c: c.group == "RA-KIOSK"),
        ("show crypto session username alice", lambda c: c.username == "alice"),
        ("show crypto session username bob detail", lambda c: c.username == "bob"),
        ("show crypto session username nobody", lambda c: False),
        ("show crypto session fvrf INET", lambda c: False),
        ("show crypto session ivrf CORP detail", lambda c: False),
    ],
)
def test_session_variants_parse_and_agree_with_the_lab(
    default_lab: RunningLab, connect: Any, command: str, keep: Any
) -> None:
    conn = connect(default_lab, "ra-hub")
    conn.enable()
    records = parse("cisco_ios", command, conn.send_command(command))
    got = _by_user([r for r in records if ezvpn.is_remote_access(r)])
    wanted = {c.username: c for c in CLIENTS if keep(c)}
    assert set(got) == set(wanted)
    for user, c in wanted.items():
        assert {k: got[user][k] for k in ("peer", "group", "assigned_address")} == _expect(c)
        assert got[user]["session_status"] == "UP-ACTIVE"
        if command.endswith("detail"):
            assert got[user]["uptime"]  # detail prints how long the client has been on


def test_site_to_site_sessions_are_unchanged_by_the_filters(
    default_lab: RunningLab, connect: Any
) -> None:
    conn = connect(default_lab, "hq-rtr")
    conn.enable()
    plain = parse("cisco_ios", "show crypto session", conn.send_command("show crypto session"))
    peers = {str(e.peer) for e in load_scenario("default").device("hq-rtr").map_entries}
    assert {r["peer"] for r in plain} == peers
    for command in ("show crypto session username alice", "show crypto session fvrf X"):
        assert parse("cisco_ios", command, conn.send_command(command)) == []


@pytest.fixture(scope="module")
def report_json(lab_bundle: Path) -> dict[str, Any]:
    report = build_report(read_bundle(lab_bundle), utc_now())
    return dict(json.loads(render(report, "json")))


def test_health_lists_the_sessions(report_json: dict[str, Any]) -> None:
    sessions = {s["user"]: s for s in report_json["ezvpn_sessions"]}
    assert set(sessions) == {c.username for c in CLIENTS}
    for c in CLIENTS:
        s = sessions[c.username]
        assert (s["device"], s["group"], s["public"], s["assigned"], s["mode"]) == (
            "ra-hub",
            c.group,
            str(c.public),
            str(c.assigned),
            c.mode,
        )
        assert s["status"] == "UP-ACTIVE" and s["since"] and s["uptime"]


def test_clients_are_not_tunnels(report_json: dict[str, Any]) -> None:
    publics = {str(c.public) for c in CLIENTS}
    assert not [t for t in report_json["tunnels"] if t["peer"] in publics]
    assert not [t for t in report_json["tunnels"] if t["device"] == "ra-hub"]
    ra = next(d for d in report_json["devices"] if d["name"] == "ra-hub")
    assert ra["status"] == "ok" and ra["findings"] == []


@pytest.mark.parametrize("fmt", ["table", "md", "html"])
def test_every_report_format_has_the_section(lab_bundle: Path, fmt: str) -> None:
    text = render(build_report(read_bundle(lab_bundle), utc_now()), fmt)
    assert "Easy VPN sessions" in text
    for c in CLIENTS:
        assert c.username in text and str(c.assigned) in text


def test_show_command_asks_the_fleet_a_session_variant(tmp_path: Path) -> None:
    alice = next(c for c in CLIENTS if c.username == "alice")
    r = subprocess.run(
        [
            *(sys.executable, "-m", "ipsec_ops", "show", "show crypto session username alice"),
            *("--lab", "--host", "ra-hub", "--format", "json"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "XDG_STATE_HOME": str(tmp_path)},
    )
    assert r.returncode == 0, r.stderr
    (device,) = json.loads(r.stdout)["devices"]
    (record,) = device["records"]
    assert {k: record[k] for k in ("peer", "group", "assigned_address")} == _expect(alice)
