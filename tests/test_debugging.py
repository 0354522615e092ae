"""Crypto debugs over SSH to the lab: refusals, reset on every exit path, journal after kill -9.

Each test runs the real CLI in a subprocess against a lab served by the test process,
with its own state directory (the journal lives there).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ipsec_ops.lab.scenario import load_scenario
from tests.conftest import RunningLab, run_cli, start_lab


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningLab, Path]]:
    tmp = tmp_path_factory.mktemp("debuglab")
    running = start_lab(load_scenario("default"), tmp)
    inv = running.lab.write_inventory(tmp / "inv")
    yield running, inv
    running.lab.stop()


def _env(state: Path) -> dict[str, str]:
    return {**os.environ, "XDG_STATE_HOME": str(state)}


def _cli(inv: Path, state: Path, *args: str, **kw: Any) -> subprocess.CompletedProcess[str]:
    return run_cli(inv, *args, state=state, **kw)


def _popen(inv: Path, state: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ipsec_ops",
            *args,
            "-i",
            str(inv),
            "--known-hosts",
            str(inv / "known_hosts"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(state),
    )


def _clean(running: RunningLab, name: str) -> bool:
    state = running.lab.node(name).state
    return not state.debugs and not state.debug_conditions


def _wait_armed(running: RunningLab, name: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if running.lab.node(name).state.debugs:
            return
        time.sleep(0.05)
    raise AssertionError(f"{name}: debugs never armed")


def _journal(state: Path) -> list[dict[str, Any]]:
    path = state / "ipsec-ops" / "debug-journal.json"
    return json.loads(path.read_text())["armed"] if path.exists() else []


def test_normal_end_resets_and_clears_the_journal(
    lab: tuple[RunningLab, Path], tmp_path: Path
) -> None:
    running, inv = lab
    save = tmp_path / "capture.txt"
    result = _cli(
        inv,
        tmp_path,
        "debug",
        "peer",
        "198.51.100.4",
        "--host",
        "hq-rtr",
        "--duration",
        "4",
        "--save",
        str(save),
    )
    assert result.returncode == 0, result.stderr
    assert "reset verified" in result.stderr
    assert _clean(running, "hq-rtr")
    assert _journal(tmp_path) == []
    text = save.read_text()
    assert "198.51.100.4" in text
    # The condition works: no other peer of hq-rtr shows up in the capture.
    others = [str(e.peer) for e in running.lab.node("hq-rtr").device.map_entries]
    assert not [p for p in others if p != "198.51.100.4" and p in text]


def test_until_stops_at_the_first_match(lab: tuple[RunningLab, Path], tmp_path: Path) -> None:
    running, inv = lab
    start = time.monotonic()
    result = _cli(
        inv,
        tmp_path,
        "debug",
        "peer",
        "198.51.100.5",
        "--host",
        "fw-asa9",
        "--until",
        "(?i)MM_WAIT_MSG|PAYLOAD_MALFORMED|decrypt",
        "--kind",
        "isakmp",
    )
    assert result.returncode == 0, result.stderr
    assert "stopped by until" in result.stderr
    assert time.monotonic() - start < 120
    assert _clean(running, "fw-asa9")


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_signals_reset_the_device(lab: tuple[RunningLab, Path], tmp_path: Path, sig: int) -> None:
    running, inv = lab
    proc = _popen(
        inv, tmp_path, "debug", "peer", "198.51.100.4", "--host", "hq-rtr", "--duration", "300"
    )
    try:
        _wait_armed(running, "hq-rtr")
        time.sleep(0.5)
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert "reset verified" in err, err
    assert "stopped by interrupted" in err
    assert _clean(running, "hq-rtr")
    assert _journal(tmp_path) == []


def test_dropped_connection_reconnects_and_resets(
    lab: tuple[RunningLab, Path], tmp_path: Path
) -> None:
    running, inv = lab
    proc = _popen(
        inv, tmp_path, "debug", "peer", "198.51.100.4", "--host", "hq-rtr", "--duration", "300"
    )
    try:
        _wait_armed(running, "hq-rtr")
        node = running.lab.node("hq-rtr")

        async def drop_all() -> None:
            for session in list(node.sessions):
                session.kill()

        running.lab.call(drop_all())
        _, err = proc.communicate(timeout=90)
    finally:
        proc.kill()
    assert "reconnecting to reset" in err, err
    assert "reset verified" in err
    assert _clean(running, "hq-rtr")


def test_kill_9_leaves_a_journal_that_status_shows_and_reset_clears(
    lab: tuple[RunningLab, Path], tmp_path: Path
) -> None:
    running, inv = lab
    proc = _popen(
        inv, tmp_path, "debug", "peer", "198.51.100.3", "--host", "fw-asa9", "--duration", "300"
    )
    try:
        _wait_armed(running, "fw-asa9")
        time.sleep(0.3)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        proc.kill()
    assert not _clean(running, "fw-asa9")  # nobody reset it: that is what kill -9 does
    status = _cli(inv, tmp_path, "debug", "status")
    assert status.returncode == 0, status.stderr
    assert "journal: fw-asa9" in status.stdout and "198.51.100.3" in status.stdout
    assert "device: fw-asa9" in status.stdout
    cleared = _cli(inv, tmp_path, "debug", "reset", "--all")
    assert cleared.returncode == 0, cleared.stdout + cleared.stderr
    assert "fw-asa9" in cleared.stdout and "clean" in cleared.stdout
    assert _clean(running, "fw-asa9")
    assert _journal(tmp_path) == []


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["198.51.100.4", "--host", "hq-rtr", "--no-condition"], "--force"),
        (["198.51.100.1", "--host", "pix6"], "no crypto conditional debug"),
        (["198.51.100.4", "--host", "fw-asa82"], "no crypto conditional debug"),
        (
            [
                "198.51.100.4",
                "--host",
                "hq-rtr",
                "--no-condition",
                "--force",
                "--kind",
                "engine packet",
            ],
            "most expensive",
        ),
        (["not-an-ip", "--host", "hq-rtr"], "not an IPv4 address"),
        (["198.51.100.4"], "exactly one --host"),
    ],
)
def test_refusals_send_nothing(
    lab: tuple[RunningLab, Path], tmp_path: Path, args: list[str], words: str
) -> None:
    running, inv = lab
    logs = {n: len(running.lab.node(n).state.command_log) for n in running.lab.nodes}
    result = _cli(inv, tmp_path, "debug", "peer", *args)
    assert result.returncode == 64, result.stderr
    assert words in result.stderr
    assert "Traceback" not in result.stderr
    for name, count in logs.items():
        sent = [c for _, c in running.lab.node(name).state.command_log[count:]]
        assert not any(c.startswith("debug") for c in sent), (name, sent)
    assert _journal(tmp_path) == []


# What a debug of one peer shows for each condition of the default lab, by its tag.
# One-way traffic and no interesting traffic leave IKE quiet: the health report,
# not a debug, names those.
DEBUG_EXPECTED = {
    "peer-unreachable": "PEER_UNREACHABLE",
    "ike-policy-mismatch": "IKE_POLICY_MISMATCH",
    "psk-mismatch": "IKE_AUTH_FAILED",
    "phase2-mismatch": "PHASE2_MISMATCH",
    "acl-not-mirrored": "PROXY_ID_MISMATCH",
    "stale-sa": "STALE_SA",
}


def _cases() -> list[tuple[str, str, str]]:
    scenario = load_scenario("default")
    out = []
    for device in scenario.devices:
        if not device.family.startswith(("ios", "xe", "asa9")):
            continue  # conditional debug: IOS, IOS-XE and ASA 8.4+
        for entry in device.map_entries:
            tag = entry.description.split("]")[0].strip("[")
            if tag in DEBUG_EXPECTED:
                out.append((device.name, str(entry.peer), DEBUG_EXPECTED[tag]))
    return out


@pytest.mark.parametrize(("host", "peer", "code"), _cases())
def test_debug_then_analyze_names_the_fault(
    lab: tuple[RunningLab, Path], tmp_path: Path, host: str, peer: str, code: str
) -> None:
    running, inv = lab
    save = tmp_path / "capture.txt"
    result = _cli(
        inv, tmp_path, "debug", "peer", peer, "--host", host, "--duration", "5", "--save", str(save)
    )
    assert result.returncode == 0, result.stderr
    assert _clean(running, host)
    analysis = subprocess.run(
        [sys.executable, "-m", "ipsec_ops", "debug", "analyze", str(save), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    data = json.loads(analysis.stdout)
    codes = {f["code"] for p in data["peers"] if p["peer"] == peer for f in p["findings"]}
    assert code in codes, (host, peer, codes)


@pytest.mark.parametrize(
    ("host", "args", "expected"),
    [
        (
            "hq-rtr",
            ["--peer-subnet", "198.51.100.0 255.255.255.0"],
            "peer subnet 198.51.100.0 255.255.255.0",
        ),
        ("hq-rtr", ["--connid", "1002 engine-id 1"], "connid 1002 engine-id 1"),
        (
            "fw-asa9",
            ["--peer-subnet", "198.51.100.0 255.255.255.0"],
            "subnet 198.51.100.0 255.255.255.0",
        ),
    ],
)
def test_extra_conditions_are_set_with_the_peer_and_reset(
    lab: tuple[RunningLab, Path], tmp_path: Path, host: str, args: list[str], expected: str
) -> None:
    running, inv = lab
    proc = _popen(
        inv, tmp_path, "debug", "peer", "198.51.100.4", "--host", host, "--duration", "3", *args
    )
    try:
        _wait_armed(running, host)
        conditions = list(running.lab.node(host).state.debug_conditions)
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert expected in conditions, conditions
    assert proc.returncode == 0, err
    assert _clean(running, host)


def test_condition_the_platform_lacks_is_refused(
    lab: tuple[RunningLab, Path], tmp_path: Path
) -> None:
    _, inv = lab
    result = _cli(
        inv,
        tmp_path,
        "debug",
        "peer",
        "198.51.100.5",
        "--host",
        "fw-asa9",
        "--isakmp-profile",
        "PROF",
    )
    assert result.returncode == 64
    assert "no 'isakmp profile' condition" in result.stderr
