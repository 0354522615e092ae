"""Shared fixtures: a lab on loopback with ephemeral ports, and netmiko sessions to it.

Tests talk to the lab exactly as production talks to a router: netmiko over real
SSH (telnet for PIX 6), host keys verified against the lab's known_hosts.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from netmiko import ConnectHandler

from ipsec_ops.lab.runtime import Lab
from ipsec_ops.lab.scenario import load_scenario
from ipsec_ops.platforms import family

SAMPLES = Path(__file__).resolve().parents[1].parent / "shared" / "samples"


@dataclass
class RunningLab:
    lab: Lab
    known_hosts: Path


def start_lab(scenario: Any, tmp: Path, **kwargs: Any) -> RunningLab:
    lab = Lab(scenario, **kwargs).start()
    known = tmp / "known_hosts"
    known.write_text(lab.known_hosts())
    return RunningLab(lab, known)


@pytest.fixture(scope="session")
def default_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningLab]:
    running = start_lab(load_scenario("default"), tmp_path_factory.mktemp("default-lab"))
    yield running
    running.lab.stop()


@pytest.fixture(scope="session")
def lab_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default lab collected over SSH into a bundle, once per test session (read only:
    a test that changes it works on a copy)."""
    from ipsec_ops.collect import collect
    from ipsec_ops.selection import Selection
    from ipsec_ops.settings import RunSettings
    from ipsec_ops.targets import targets

    folder = tmp_path_factory.mktemp("lab-bundle") / "bundle"
    with targets(None, True, Selection(), RunSettings(quiet=True)) as chosen:
        report = collect(chosen.hosts, folder, chosen.settings, chosen.redactor)
    assert all(o.ok for o in report.outcomes), [o.error for o in report.outcomes]
    return folder


def netmiko_params(running: RunningLab, name: str, **overrides: Any) -> dict[str, Any]:
    """ConnectHandler arguments for one lab device, host keys checked strictly."""
    e = running.lab.endpoint(name)
    fam = family(e.family)
    params: dict[str, Any] = {
        "device_type": fam.netmiko_type,
        "host": e.host,
        "port": e.port,
        "username": e.username,
        "password": e.password,
        "secret": e.enable_secret,
        "conn_timeout": 10,
        "timeout": 20,
    }
    if fam.transport == "ssh":
        params.update(
            ssh_strict=True,
            system_host_keys=False,
            alt_host_keys=True,
            alt_key_file=str(running.known_hosts),
        )
    params.update(overrides)
    return params


@pytest.fixture
def connect() -> Iterator[Callable[..., Any]]:
    """Open netmiko sessions to lab devices; all are closed at teardown."""
    opened: list[Any] = []

    def _connect(running: RunningLab, name: str, **overrides: Any) -> Any:
        conn = ConnectHandler(**netmiko_params(running, name, **overrides))
        opened.append(conn)
        return conn

    yield _connect
    for conn in opened:
        with contextlib.suppress(Exception):  # a test may break a session on purpose
            if conn.remote_conn is not None and conn.is_alive():
                conn.disconnect()
            else:
                conn.paramiko_cleanup() if hasattr(conn, "paramiko_cleanup") else None


@contextlib.contextmanager
def lab_cli(running: RunningLab) -> Iterator[Callable[[str, str], str]]:
    """``run(device, command)``: one command on one lab device over SSH/telnet with netmiko,
    in enable mode; one session per device, reused, all closed on exit."""
    opened: dict[str, Any] = {}

    def run(device: str, command: str) -> str:
        if device not in opened:
            opened[device] = ConnectHandler(**netmiko_params(running, device))
            opened[device].enable()
        return str(opened[device].send_command(command))

    try:
        yield run
    finally:
        for conn in opened.values():
            conn.disconnect()


def run_cli(
    inv: Path, *args: str, state: Path | None = None, **kw: Any
) -> subprocess.CompletedProcess[str]:
    """``ipsec-ops ARGS -i INV`` in a child process, host keys from the inventory's
    known_hosts, audit and journal files under ``state`` (default: beside INV)."""
    home = state if state is not None else inv.parent / "state"
    return subprocess.run(
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
        capture_output=True,
        text=True,
        env={**os.environ, "XDG_STATE_HOME": str(home)},
        timeout=120,
        **kw,
    )


@pytest.fixture(scope="module")
def default_cli(default_lab: RunningLab) -> Iterator[Callable[[str, str], str]]:
    """``run(device, command)`` on the session's default lab (sessions kept per module)."""
    with lab_cli(default_lab) as run:
        yield run
