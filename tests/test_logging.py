"""`ipsec-ops logging` and `ipsec-ops events` over SSH to the lab (issue 10).

The real CLI runs in a subprocess against a lab served by this process, so the test can
move the lab's clock (a flapping tunnel goes down and up) between commands. Expected
values come from the lab's own state (DeviceState, the scenario's peers and clients) and
from the reference's message texts (3I), never from the output under test.
"""

from __future__ import annotations

import itertools
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from netmiko import ConnectHandler

from ipsec_ops.lab import syslog
from ipsec_ops.lab.scenario import load_scenario
from ipsec_ops.lab.timeline import FLAP_PERIOD_S
from tests.conftest import RunningLab, netmiko_params, run_cli, start_lab

SCENARIO = Path(__file__).parent / "fixtures" / "logging_lab.yaml"
FLAPPER = "203.0.113.50"


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningLab, Path]]:
    tmp = tmp_path_factory.mktemp("logginglab")
    running = start_lab(load_scenario(str(SCENARIO)), tmp)
    inv = running.lab.write_inventory(tmp / "inv")
    yield running, inv
    running.lab.stop()


def _cli(inv: Path, *args: str, **kw: Any) -> subprocess.CompletedProcess[str]:
    return run_cli(inv, *args, **kw)


def _show(running: RunningLab, name: str, command: str) -> str:
    with ConnectHandler(**netmiko_params(running, name)) as conn:
        conn.enable()
        return str(conn.send_command(command))


def _config_lines(running: RunningLab, name: str) -> list[str]:
    return [cmd for _, cmd in running.lab.node(name).state.command_log if "logging" in cmd]


def test_status_reads_the_running_config(lab: tuple[RunningLab, Path]) -> None:
    running, inv = lab
    state = running.lab.node("r-new").state.log_off
    r = _cli(inv, "logging", "status", "--host", "r-new")
    assert r.returncode == 0, r.stderr
    # The scenario turns session logging off on r-new; ezvpn is off unless asked.
    assert f"session: {'on' if syslog.on_now(state, 'session') else 'off'}" in r.stdout
    assert "ezvpn: off" in r.stdout


def test_dry_run_prints_the_commands_and_sends_nothing(lab: tuple[RunningLab, Path]) -> None:
    running, inv = lab
    before = list(running.lab.node("r-new").state.command_log)
    r = _cli(inv, "logging", "enable", "--session", "--dry-run", "--host", "r-new")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[1:] == [
        "  configure terminal",
        "  crypto logging session",
        "  end",
    ]
    sent = running.lab.node("r-new").state.command_log[len(before) :]
    assert not [c for _, c in sent if "configure" in c or "crypto logging" in c]
    assert not syslog.on_now(running.lab.node("r-new").state.log_off, "session")


def test_enable_then_a_flap_gives_session_messages_and_events(
    lab: tuple[RunningLab, Path],
) -> None:
    running, inv = lab
    node = running.lab.node("r-new")
    r = _cli(inv, "logging", "enable", "--session", "--host", "r-new")
    assert r.returncode == 0, r.stderr
    assert "verified in the running-config: session on" in r.stdout
    assert syslog.on_now(node.state.log_off, "session")
    sent = [c for _, c in node.state.command_log]
    # Config mode was entered and left around the one line.
    i = sent.index("crypto logging session")
    assert sent[i - 1] == "configure terminal" and sent[i + 1] == "end"

    running.lab.engine.clock.advance(2 * FLAP_PERIOD_S + 5)  # the flapping tunnel cycles twice
    log = _show(running, "r-new", "show logging")
    assert f"Crypto tunnel is DOWN  .  Peer {FLAPPER}:500" in log
    assert f"Crypto tunnel is UP  .  Peer {FLAPPER}:500" in log

    r = _cli(inv, "events", "--host", "r-new", "--format", "json")
    assert r.returncode == 0, r.stderr
    peers = {(p["device"], p["peer"]): p["events"] for p in json.loads(r.stdout)["peers"]}
    kinds = [e["kind"] for e in peers[("r-new", FLAPPER)]]
    assert "down" in kinds and "up" in kinds
    assert all(a != b for a, b in itertools.pairwise(kinds))  # transitions only
    # Nothing before the enable: every event is at or after the configuration change.
    enabled_at = next(t for t, c in node.state.command_log if c == "crypto logging session")
    stamps = [e["at"] for e in peers[("r-new", FLAPPER)]]
    assert all(s is not None for s in stamps)
    assert min(stamps) >= _iso(enabled_at - 1)

    table = _cli(inv, "events", "--host", "r-new")
    assert f"r-new {FLAPPER}:" in table.stdout

    # The health report says FLAPPING from the same events, without any history database;
    # the steady tunnel of the same device does not flap.
    health = _cli(inv, "health", "--host", "r-new", "--format", "json")
    tunnels = {t["peer"]: t for t in json.loads(health.stdout)["tunnels"]}
    assert "FLAPPING" in [f["code"] for f in tunnels[FLAPPER]["findings"]]
    assert "FLAPPING" not in [f["code"] for f in tunnels["203.0.113.60"]["findings"]]


def _iso(at: float) -> str:
    import datetime as dt

    return dt.datetime.fromtimestamp(at, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")


def test_disable_turns_it_off_and_verifies(lab: tuple[RunningLab, Path]) -> None:
    running, inv = lab
    r = _cli(inv, "logging", "disable", "--session", "--host", "r-new")
    assert r.returncode == 0, r.stderr
    assert "session off" in r.stdout
    assert not syslog.on_now(running.lab.node("r-new").state.log_off, "session")


@pytest.mark.parametrize(
    ("host", "args", "release"),
    [
        ("r-old", ["enable"], "12.3(11)T"),
        ("r-old", ["enable", "--session"], "12.3(11)T"),
        ("pix", ["enable"], "6.3(5)"),
        ("fw", ["enable", "--ezvpn"], "9.16(4)"),
    ],
)
def test_refused_on_a_release_without_the_feature(
    lab: tuple[RunningLab, Path], host: str, args: list[str], release: str
) -> None:
    running, inv = lab
    before = len(_config_lines(running, host))
    r = _cli(inv, "logging", *args, "--host", host)
    assert r.returncode == 64, (r.stdout, r.stderr)
    errors = [ln for ln in r.stderr.splitlines() if ln and "warning:" not in ln]
    assert len(errors) == 1 and release in errors[0], r.stderr
    assert len(_config_lines(running, host)) == before  # nothing was configured


def test_the_lab_itself_refuses_the_line_on_an_old_release(lab: tuple[RunningLab, Path]) -> None:
    running, _ = lab
    with ConnectHandler(**netmiko_params(running, "r-old")) as conn:
        conn.enable()
        out = conn.send_config_set(["crypto logging session"])
    assert "% Invalid input detected" in out
    assert not syslog.on_now(running.lab.node("r-old").state.log_off, "session")


def test_asa_tunnel_messages_follow_logging_message(lab: tuple[RunningLab, Path]) -> None:
    running, inv = lab
    state = running.lab.node("fw").state
    r = _cli(inv, "logging", "disable", "--host", "fw")
    assert r.returncode == 0, r.stderr
    assert "no logging message 713120" in r.stdout
    running.lab.engine.clock.advance(FLAP_PERIOD_S)
    after_off = _show(running, "fw", "show logging")
    muted_since = max(t for t, c in state.command_log if c.startswith("no logging message"))
    # Lines stamped after the change carry none of the muted ids.
    late = [ln for ln in after_off.splitlines() if "%ASA-" in ln and _asa_at(ln) > muted_since]
    assert not [ln for ln in late if "-713120:" in ln or "-713050:" in ln]

    r = _cli(inv, "logging", "enable", "--host", "fw")
    assert r.returncode == 0, r.stderr
    assert "session on" in r.stdout
    running.lab.engine.clock.advance(FLAP_PERIOD_S)
    after_on = _show(running, "fw", "show logging")
    assert "PHASE 2 COMPLETED" in after_on.splitlines()[-1] or any(
        "-713120:" in ln and _asa_at(ln) > muted_since for ln in after_on.splitlines()
    )


def _asa_at(line: str) -> float:
    import calendar
    import time

    stamp = " ".join(line.split()[:4])
    return float(calendar.timegm(time.strptime(stamp, "%b %d %Y %H:%M:%S:")))


def test_ezvpn_connect_and_disconnect_are_events(lab: tuple[RunningLab, Path]) -> None:
    running, inv = lab
    r = _cli(inv, "logging", "enable", "--ezvpn", "--host", "ra")
    assert r.returncode == 0, r.stderr
    running.lab.engine.clock.advance(2 * FLAP_PERIOD_S)  # carol connects and drops
    r = _cli(inv, "events", "--host", "ra", "--format", "json")
    assert r.returncode == 0, r.stderr
    carol = next(c for c in running.lab.node("ra").device.ezvpn_clients if c.username == "carol")
    peers = {p["peer"]: p["events"] for p in json.loads(r.stdout)["peers"]}
    kinds = {e["kind"] for e in peers[str(carol.public)]}
    assert {"ezvpn_up", "ezvpn_down"} <= kinds
    ups = [e for e in peers[str(carol.public)] if e["kind"] == "ezvpn_up"]
    assert (ups[0]["user"], ups[0]["group"], ups[0]["assigned"]) == (
        carol.username,
        carol.group,
        str(carol.assigned),
    )


def test_bad_since_is_a_usage_error(lab: tuple[RunningLab, Path]) -> None:
    _, inv = lab
    r = _cli(inv, "events", "--host", "r-new", "--since", "yesterday")
    assert r.returncode == 64 and "--since" in r.stderr


def test_events_over_the_whole_fleet(lab: tuple[RunningLab, Path]) -> None:
    _, inv = lab
    r = _cli(inv, "events", "--format", "json")
    assert r.returncode == 0, r.stderr
    body = json.loads(r.stdout)
    assert body["failed"] == []
    devices = {p["device"] for p in body["peers"]}
    # Devices whose buffers hold tunnel transitions by now: the flapping tunnels' ends and
    # the Easy VPN server; r-old has session logging off (its release lacks it).
    assert {"r-new", "fw", "ra"} <= devices and "r-old" not in devices
