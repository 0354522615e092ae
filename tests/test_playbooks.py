"""Playbooks over real SSH to the lab: the shipped playbooks as shipped (``--lab``), the
failure policy, the dry run, and a debug step interrupted mid-way (the device is reset).

Expected results come from the lab's scenario (each crypto map entry's description
starts with its condition, e.g. ``[stale-sa]``), not from the output under test.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import pty
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ipsec_ops.cli import main
from ipsec_ops.lab.scenario import load_scenario
from tests.conftest import RunningLab, start_lab

ROOT = Path(__file__).resolve().parents[1]
PLAYBOOKS = ROOT / "playbooks"


def _tagged(tag: str) -> set[tuple[str, str]]:
    """(device, peer) of the default scenario's map entries described ``[tag] ...``."""
    return {
        (device.name, str(entry.peer))
        for device in load_scenario("default").devices
        for entry in device.map_entries
        if entry.description.startswith(f"[{tag}]")
    }


def _secrets() -> set[str]:
    """Every password, enable secret and pre-shared key of the default scenario."""
    out: set[str] = set()
    for device in load_scenario("default").devices:
        out |= {u.password for u in device.users} | {device.enable_secret}
        out |= {e.psk for e in device.map_entries if e.psk}
    return {s for s in out if s}


def _no_secret(*texts: str) -> None:
    leaked = [s for s in _secrets() if any(s in t for t in texts)]
    assert not leaked, leaked


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in a fresh folder (the playbooks write relative paths) with its own state dir."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    return tmp_path


def _run(*args: str) -> int:
    return main(["run", *args])


def _record(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def _step(record: dict[str, Any], step_id: str) -> dict[str, Any]:
    return next(s for s in record["steps"] if s["id"] == step_id)


# -- the shipped playbooks, as shipped, against --lab ---------------------------------------


def test_health_check_writes_html_and_json_and_exits_2_on_down_tunnels(here: Path) -> None:
    code = _run(str(PLAYBOOKS / "health-check.yaml"), "--lab", "--record", "run.json")
    report = json.loads((here / "ipsec-ops-reports" / "health.json").read_text())
    assert (here / "ipsec-ops-reports" / "health.html").read_text().startswith("<!DOCTYPE html>")
    healths = {(t["device"], t["peer"]): t["health"] for t in report["tunnels"]}
    # The scenario's PSK mismatches are down: the check must not exit 0.
    psk = _tagged("psk-mismatch")
    assert psk and all(healths[k] == "down" for k in psk)
    assert code == 2
    record = _record(here / "run.json")
    assert record["exit_code"] == 2 and record["status"] == "ok"
    fleet = _step(record, "fleet")
    assert fleet["code"] == 2 and fleet["duration_s"] > 0
    assert fleet["result"]["outputs"] == {
        "html": "ipsec-ops-reports/health.html",
        "json": "ipsec-ops-reports/health.json",
    }


def test_change_window_recovers_the_stale_sas_and_its_asserts_pass(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stale = _tagged("stale-sa")
    assert stale, "the default lab has stale SAs to clear"
    code = _run(
        str(PLAYBOOKS / "change-window-clear.yaml"), "--lab", "--yes", "--record", "run.json"
    )
    record = _record(here / "run.json")
    assert code == 0, json.dumps(record, indent=1)
    before = json.loads((here / "ipsec-ops-reports" / "change-before.json").read_text())
    after = json.loads((here / "ipsec-ops-reports" / "change-after.json").read_text())
    found = {
        (t["device"], t["peer"])
        for t in before["tunnels"]
        if any(f["code"] == "STALE_SA" for f in t["findings"])
    }
    assert found == stale
    clear = _step(record, "clear")
    cleared = {(h["host"], p["peer"]) for h in clear["result"]["hosts"] for p in h["peers"]}
    assert cleared == stale
    assert all(p["result"] == "recovered" for h in clear["result"]["hosts"] for p in h["peers"])
    assert {(t["device"], t["peer"]) for t in after["tunnels"] if t["health"] == "up"} >= stale
    up = _step(record, "cleared-up")
    assert up["status"] == "ok" and {tuple(k) for k in up["result"]["checked"]} == stale
    assert _step(record, "nothing-new-down")["result"]["passed"] is True
    audit = here / "state" / "ipsec-ops" / "clear-audit.jsonl"
    entries = [json.loads(line) for line in audit.read_text().splitlines()]
    assert {(e["device"], e["peer"]) for e in entries} == stale
    assert all(e["result"] == "recovered" for e in entries)
    out, err = capsys.readouterr()
    _no_secret(out, err, (here / "run.json").read_text(), audit.read_text())


def test_debug_peer_captures_resets_and_names_the_fault(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = _run(str(PLAYBOOKS / "debug-peer.yaml"), "--lab", "--record", "run.json")
    record = _record(here / "run.json")
    host, peer = record["vars"]["host"], record["vars"]["peer"]
    assert (host, peer) in _tagged("psk-mismatch")  # the lab default the playbook documents
    capture = _step(record, "capture")["result"]
    assert capture["reset_verified"] is True and capture["stopped_by"] == "duration"
    assert capture["lines"] > 0
    codes = {c for p in capture["analysis"]["peers"] if p["peer"] == peer for c in p["findings"]}
    assert "IKE_AUTH_FAILED" in codes
    assert code == 2 == capture["analysis"]["exit_code"]
    saved = here / "ipsec-ops-reports" / f"debug-{host}-{peer}.txt"
    assert peer in saved.read_text()
    out, err = capsys.readouterr()
    assert "| " in out and "reset verified" in out  # the capture and the reset, on the log
    _no_secret(out, err, (here / "run.json").read_text(), saved.read_text())


def test_daily_report_records_history_and_writes_dated_files(here: Path) -> None:
    code = _run(str(PLAYBOOKS / "daily-report.yaml"), "--lab", "--record", "run.json")
    out = here / "ipsec-ops-reports"
    day = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d")
    for ext in ("json", "html", "csv"):
        assert (out / f"ipsec-report-{day}.{ext}").is_file()
        assert (out / f"latest.{ext}").is_file()
    assert "ipsec_" in (out / "ipsec.prom").read_text()
    assert (here / "ipsec-ops-history.db").is_file()
    report = json.loads((out / "latest.json").read_text())
    assert any(t["health"] == "down" for t in report["tunnels"])
    assert code == 2
    daily = _step(_record(here / "run.json"), "daily")
    assert daily["result"]["run"] == 1 and daily["code"] == 2


# -- the failure policy, dry runs and interrupts on one shared lab --------------------------


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningLab, Path]]:
    tmp = tmp_path_factory.mktemp("pblab")
    running = start_lab(load_scenario("default"), tmp)
    inv = running.lab.write_inventory(tmp / "inv")
    yield running, inv
    running.lab.stop()


def _inv(inv: Path) -> list[str]:
    return ["-i", str(inv), "--known-hosts", str(inv / "known_hosts")]


def _sent(running: RunningLab, prefix: tuple[str, ...]) -> list[str]:
    out = []
    for device in load_scenario("default").devices:
        out += [
            c for _, c in running.lab.node(device.name).state.command_log if c.startswith(prefix)
        ]
    return out


POLICY = """\
name: policy
on_failure: {policy}
steps:
  - id: look
    type: health
    select: {{hosts: [hq-rtr]}}
    affects_exit: false
  - id: none-down
    type: assert
    in: look
    fail_if: {{health: down}}
{override}  - id: later
    type: wait
    seconds: 0.1
"""


@pytest.mark.parametrize(
    ("policy", "override", "later"),
    [
        ("stop", "", "skipped"),
        ("continue", "", "ok"),
        ("stop", "    on_failure: continue\n", "ok"),  # the step's policy wins
        ("continue", "    on_failure: stop\n", "skipped"),
    ],
)
def test_a_failing_assert_follows_the_failure_policy(
    lab: tuple[RunningLab, Path],
    here: Path,
    policy: str,
    override: str,
    later: str,
) -> None:
    _, inv = lab
    (here / "p.yaml").write_text(POLICY.format(policy=policy, override=override))
    code = _run("p.yaml", *_inv(inv), "--record", "run.json")
    record = _record(here / "run.json")
    # hq-rtr has down tunnels in the scenario (e.g. its PSK mismatch): the assert fails.
    assert any(d == "hq-rtr" for d, _ in _tagged("psk-mismatch"))
    failed = _step(record, "none-down")
    assert failed["status"] == "failed" and failed["code"] == 4
    assert _step(record, "later")["status"] == later
    assert record["status"] == "failed" and code == 4 == record["exit_code"]


def test_a_step_that_cannot_run_stops_the_run_and_sends_nothing(
    lab: tuple[RunningLab, Path], here: Path
) -> None:
    running, inv = lab
    (here / "p.yaml").write_text(
        "steps:\n"
        "  - {id: wrong, type: clear, host: hq-rtr, peers: [192.0.2.77]}\n"
        "  - {id: after, type: health, select: {hosts: [hq-rtr]}}\n"
    )
    code = _run("p.yaml", *_inv(inv), "--yes", "--record", "run.json")
    record = _record(here / "run.json")
    wrong = _step(record, "wrong")
    assert wrong["status"] == "failed" and "neither in the SA table" in wrong["summary"]
    assert _step(record, "after")["status"] == "skipped"
    assert code == 5
    assert not [c for c in _sent(running, ("clear",)) if "192.0.2.77" in c]


def test_dry_run_plans_the_clear_and_changes_nothing(
    lab: tuple[RunningLab, Path], here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    running, inv = lab
    sent_before = _sent(running, ("clear", "debug", "vpn-sessiondb", "undebug"))
    devices = sorted({d for d, _ in _tagged("stale-sa")})
    (here / "stuck.yaml").write_text(
        f"steps:\n  - {{id: s, type: clear, stuck: true, select: {{hosts: {devices}}}}}\n"
    )
    for book in ("change-window-clear.yaml", "debug-peer.yaml", "stuck.yaml"):
        path = PLAYBOOKS / book if book != "stuck.yaml" else here / book
        assert _run(str(path), *_inv(inv), "--dry-run") == 0
    out = capsys.readouterr().out
    for device, peer in _tagged("stale-sa"):  # planned by the reference and by stuck: true
        assert out.count(f"clear {peer}:") == 2 and f"{device}:" in out
    assert "would arm on hq-rtr: debug crypto condition peer ipv4 198.51.100.4" in out
    assert _sent(running, ("clear", "debug", "vpn-sessiondb", "undebug")) == sent_before
    assert not (here / "ipsec-ops-reports").exists()


def test_an_interrupted_debug_step_still_resets_the_device(
    lab: tuple[RunningLab, Path], tmp_path: Path
) -> None:
    running, inv = lab
    node = running.lab.node("hq-rtr")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ipsec_ops",
            "run",
            str(PLAYBOOKS / "debug-peer.yaml"),
            *_inv(inv),
            "--var",
            "duration=300",
            "--var",
            f"out_dir={tmp_path / 'out'}",
            "--record",
            str(tmp_path / "run.json"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "XDG_STATE_HOME": str(tmp_path / "state")},
    )
    try:
        deadline = time.monotonic() + 60
        while not node.state.debugs and time.monotonic() < deadline:
            time.sleep(0.05)
        assert node.state.debugs, "the debug was never armed"
        time.sleep(0.5)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 130, out + err
    assert not node.state.debugs and not node.state.debug_conditions
    assert "reset verified" in out
    record = _record(tmp_path / "run.json")
    assert record["status"] == "interrupted" and record["exit_code"] == 130
    capture = _step(record, "capture")
    assert capture["status"] == "interrupted" and capture["result"]["reset_verified"] is True
    journal = tmp_path / "state" / "ipsec-ops" / "debug-journal.json"
    assert not journal.exists() or json.loads(journal.read_text())["armed"] == []


def _read_until(fd: int, words: str, timeout: float) -> str:
    """Read a pty until ``words`` appear (or EOF / timeout); what was read."""
    seen, deadline = "", time.monotonic() + timeout
    while words not in seen and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk.decode(errors="replace")
    return seen


def test_a_clear_asks_on_a_terminal_and_no_sends_nothing(
    lab: tuple[RunningLab, Path], tmp_path: Path
) -> None:
    running, inv = lab
    device, peer = sorted(_tagged("stale-sa"))[0]
    book = tmp_path / "p.yaml"
    book.write_text(f"steps:\n  - {{id: c, type: clear, host: {device}, peers: [{peer}]}}\n")
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "ipsec_ops", "run", str(book), *_inv(inv)],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env={**os.environ, "XDG_STATE_HOME": str(tmp_path / "state")},
    )
    os.close(slave)
    try:
        shown = _read_until(master, "Send these commands?", 60)
        assert "Send these commands?" in shown, shown
        assert f"clear {peer}:" in shown  # the plan comes before the question
        os.write(master, b"n\n")
        shown += _read_until(master, "playbook p: failed", 60)
        proc.wait(timeout=60)
    finally:
        proc.kill()
        os.close(master)
    assert proc.returncode == 5, shown
    assert "not confirmed: nothing sent" in shown
    assert not [c for c in _sent(running, ("clear", "vpn-sessiondb")) if peer in c]


def test_collect_report_and_asserts_on_groups_and_peers(
    lab: tuple[RunningLab, Path], here: Path
) -> None:
    _, inv = lab
    healthy = sorted(k for k in _tagged("healthy") if k[0] == "hq-rtr")
    down = sorted(k for k in _tagged("psk-mismatch") if k[0] == "hq-rtr")
    assert healthy and down
    peers = ", ".join(p for _, p in healthy)
    (here / "p.yaml").write_text(
        f"""
vars: {{dir: out}}
select: {{hosts: [hq-rtr]}}
on_failure: continue
steps:
  - {{id: bundle, type: collect, out: "${{dir}}/bundle"}}
  - {{id: daily, type: report, db: "${{dir}}/h.db", out: "${{dir}}/daily", affects_exit: false}}
  - id: healthy-up
    type: assert
    in: daily
    tunnels: {{groups: [lab], peers: [{peers}]}}
    fail_if: {{health: [down, degraded, unknown]}}
  - id: psk-down
    type: assert
    in: daily
    tunnels: {{finding: IKE_AUTH_FAILED}}
    fail_if: {{health: down}}
    max: 0
  - {{id: pause, type: wait, seconds: 0.2}}
"""
    )
    code = _run("p.yaml", *_inv(inv), "--record", "run.json")
    record = _record(here / "run.json")
    assert record["hosts"] == ["hq-rtr"]
    assert (here / "out" / "bundle" / "hq-rtr" / "device.json").is_file()
    assert (here / "out" / "daily" / "latest.json").is_file()
    ok = _step(record, "healthy-up")
    assert ok["status"] == "ok" and {tuple(k) for k in ok["result"]["checked"]} == set(healthy)
    failed = _step(record, "psk-down")
    assert failed["status"] == "failed"
    assert {(m["device"], m["peer"]) for m in failed["result"]["matching"]} >= set(down)
    assert _step(record, "pause")["status"] == "ok"  # on_failure: continue
    assert code == 4
