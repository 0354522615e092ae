"""The lab over real SSH (and telnet for PIX 6), driven by netmiko as production drives a router."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import paramiko
import pytest
from netmiko.exceptions import NetmikoAuthenticationException, ReadTimeout

from ipsec_ops.lab.commands import grammars
from ipsec_ops.lab.grammar import expand
from ipsec_ops.lab.scenario import scenario_from_text
from ipsec_ops.platforms import family, is_rejected
from tests.conftest import RunningLab, start_lab

SSH_DEVICES = ["hq-rtr", "br-xe", "fw-asa9", "fw-asa82", "pix7"]
ALL_DEVICES = [*SSH_DEVICES, "pix6"]


def renderer_commands(running: RunningLab, name: str) -> list[str]:
    """Every renderer command of the device's family, parameters filled from its config."""
    from ipsec_ops.lab.commands import _renderer_module
    from ipsec_ops.lab.personality import PERSONALITIES

    dev = running.lab.node(name).device
    module = _renderer_module(PERSONALITIES[dev.family].style)
    entry = dev.map_entries[0]
    values = {"ip": str(entry.peer), "word": entry.acl_name, "int": "1"}
    out = []
    for syntax, _ in module.commands(dev.family):
        for tokens in expand(syntax):
            words = [
                values[t.strip("<>").split(":")[0]] if t.startswith("<") else t for t in tokens
            ]
            out.append(" ".join(words))
    return sorted(set(out))


def paging_off(conn: Any, name: str, running: RunningLab) -> None:
    """PIX 6 has no `terminal length`: the transport turns paging off with `pager 0`."""
    fam = family(running.lab.node(name).device.family)
    if fam.transport == "telnet":
        conn.send_command(fam.paging_off)


@pytest.mark.parametrize("name", ALL_DEVICES)
def test_netmiko_runs_every_command(
    default_lab: RunningLab, connect: Callable[..., Any], name: str
) -> None:
    conn = connect(default_lab, name)
    conn.enable()
    assert conn.check_enable_mode()
    paging_off(conn, name, default_lab)
    hostname = default_lab.lab.node(name).device.hostname
    assert conn.base_prompt.startswith(hostname)
    commands = renderer_commands(default_lab, name)
    assert any("crypto" in c for c in commands)
    fam = family(default_lab.lab.node(name).device.family)
    for command in commands:
        output = conn.send_command(command, read_timeout=20)
        assert not is_rejected(output, fam), f"{name}: {command!r} rejected:\n{output}"
        assert "--More--" not in output and "<--- More --->" not in output
        assert hostname + "#" not in output, "prompt leaked into output"


def test_asa_failover_prompt(default_lab: RunningLab, connect: Callable[..., Any]) -> None:
    conn = connect(default_lab, "fw-asa9")
    assert conn.find_prompt() == "FW-ASA9/pri/act#"
    assert "P_PRIV" in conn.send_command("show curpriv")


def _raw_shell(running: RunningLab, name: str) -> tuple[paramiko.SSHClient, paramiko.Channel]:
    e = running.lab.endpoint(name)
    client = paramiko.SSHClient()
    client.load_host_keys(str(running.known_hosts))
    client.set_missing_host_key_policy(paramiko.RejectPolicy())
    client.connect(
        e.host, e.port, e.username, e.password, allow_agent=False, look_for_keys=False, timeout=10
    )
    chan = client.invoke_shell(term="vt100", width=511, height=1000)
    chan.settimeout(10)
    return client, chan


def _read_until(chan: paramiko.Channel, pattern: str, timeout: float = 10) -> str:
    buf = ""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if chan.recv_ready():
            buf += chan.recv(65536).decode()
            if re.search(pattern, buf):
                return buf
        else:
            time.sleep(0.01)
    raise AssertionError(f"{pattern!r} not seen in {buf[-500:]!r}")


@pytest.mark.parametrize(
    ("name", "more"), [("hq-rtr", " --More-- "), ("fw-asa9", "<--- More --->")]
)
def test_paging_until_turned_off(default_lab: RunningLab, name: str, more: str) -> None:
    client, chan = _raw_shell(default_lab, name)
    try:
        _read_until(chan, r"[>#] ?$")
        chan.send("enable\n")
        _read_until(chan, "Password: ")
        chan.send(default_lab.lab.endpoint(name).enable_secret + "\n")
        _read_until(chan, r"# ?$")
        chan.send("show running-config\n")
        first = _read_until(chan, re.escape(more))
        assert len(first.splitlines()) <= 26
        chan.send(" ")
        _read_until(chan, re.escape(more))
        chan.send("q")
        _read_until(chan, r"# ?$")
    finally:
        client.close()


def test_echo_exactly_once_and_secret_not_echoed(default_lab: RunningLab) -> None:
    client, chan = _raw_shell(default_lab, "hq-rtr")
    try:
        _read_until(chan, r"HQ-RTR>$")
        secret = default_lab.lab.endpoint("hq-rtr").enable_secret
        chan.send("enable\r\n")
        _read_until(chan, "Password: ")
        chan.send(secret + "\r")
        out = _read_until(chan, r"HQ-RTR#$")
        assert secret not in out
        chan.send("terminal length 0\n")
        _read_until(chan, r"HQ-RTR#$")
        chan.send("show version\n")
        out = _read_until(chan, r"HQ-RTR#$")
        assert out.count("show version") == 1
        assert "Cisco IOS Software" in out
    finally:
        client.close()


@pytest.mark.parametrize(
    ("name", "line", "message"),
    [
        ("hq-rtr", "show crypto bogus", "% Invalid input detected at '^' marker."),
        ("fw-asa9", "show crypto bogus", "ERROR: % Invalid input detected at '^' marker."),
    ],
)
def test_invalid_input_caret(
    default_lab: RunningLab, connect: Callable[..., Any], name: str, line: str, message: str
) -> None:
    conn = connect(default_lab, name)
    conn.enable()
    out = conn.send_command(line)
    lines = out.splitlines()
    idx = next(i for i, text in enumerate(lines) if text.strip() == message)
    caret = lines[idx - 1]
    prompt = conn.find_prompt() + (" " if name.startswith("fw") else "")
    assert caret.index("^") == len(prompt) + line.index("bogus")


@pytest.mark.parametrize(
    ("name", "message"),
    [("hq-rtr", "% Incomplete command."), ("fw-asa9", "ERROR: % Incomplete command")],
)
def test_incomplete_command(
    default_lab: RunningLab, connect: Callable[..., Any], name: str, message: str
) -> None:
    conn = connect(default_lab, name)
    conn.enable()
    assert message in conn.send_command("show crypto")


def test_abbreviations(default_lab: RunningLab, connect: Callable[..., Any]) -> None:
    conn = connect(default_lab, "hq-rtr")
    conn.enable()
    full = conn.send_command("show crypto isakmp sa")
    assert "QM_IDLE" in full
    assert conn.send_command("sh cry isa sa") == full
    assert "% Ambiguous command" in conn.send_command("sh c")


def test_wrong_password_is_auth_error(default_lab: RunningLab, connect: Callable[..., Any]) -> None:
    with pytest.raises(NetmikoAuthenticationException):
        connect(default_lab, "hq-rtr", password="not-the-password")


@pytest.mark.parametrize(
    ("name", "refusal"), [("hq-rtr", "% Bad secrets"), ("fw-asa9", "Invalid password")]
)
def test_wrong_enable_secret_refused(default_lab: RunningLab, name: str, refusal: str) -> None:
    client, chan = _raw_shell(default_lab, name)
    try:
        _read_until(chan, r"> ?$")
        chan.send("enable\n")
        for _ in range(3 if name == "hq-rtr" else 1):
            _read_until(chan, "Password: ")
            chan.send("wrong-secret\n")
        out = _read_until(chan, r"> ?$")
        assert refusal in out
    finally:
        client.close()


def test_shell_without_pty_is_refused(default_lab: RunningLab) -> None:
    e = default_lab.lab.endpoint("hq-rtr")
    client = paramiko.SSHClient()
    client.load_host_keys(str(default_lab.known_hosts))
    client.connect(e.host, e.port, e.username, e.password, allow_agent=False, look_for_keys=False)
    try:
        chan = client.get_transport().open_session()  # type: ignore[union-attr]
        with pytest.raises(paramiko.SSHException):
            chan.invoke_shell()
    finally:
        client.close()


def test_exit_closes_channel(default_lab: RunningLab) -> None:
    client, chan = _raw_shell(default_lab, "hq-rtr")
    try:
        _read_until(chan, r"HQ-RTR>$")
        chan.send("exit\n")
        # Read the echo and whatever follows until the server ends the channel (EOF).
        deadline = time.monotonic() + 5
        got_eof = False
        while time.monotonic() < deadline:
            if chan.recv(4096) == b"":
                got_eof = True
                break
        assert got_eof
    finally:
        client.close()


FAULTY = """
devices:
  slow:
    platform: cisco_ios
    latency_ms: 300
    interfaces: [{name: Gi0/0, address: 198.51.100.1/24}]
  hangs:
    platform: cisco_ios
    hang_on: show crypto ipsec sa
    interfaces: [{name: Gi0/0, address: 198.51.100.2/24}]
  drops:
    platform: cisco_asa
    drop_on: show running-config
    interfaces: [{name: Gi0/0, nameif: outside, address: 198.51.100.3/24}]
"""


@pytest.fixture(scope="module")
def faulty_lab(tmp_path_factory: pytest.TempPathFactory) -> Any:
    running = start_lab(scenario_from_text(FAULTY), tmp_path_factory.mktemp("faulty"))
    yield running
    running.lab.stop()


def test_latency_slows_every_reply(faulty_lab: RunningLab, connect: Callable[..., Any]) -> None:
    conn = connect(faulty_lab, "slow")
    start = time.monotonic()
    conn.send_command("show version")
    assert time.monotonic() - start >= 0.3


def test_hang_is_a_timeout(faulty_lab: RunningLab, connect: Callable[..., Any]) -> None:
    conn = connect(faulty_lab, "hangs")
    conn.enable()
    assert "Cisco IOS" in conn.send_command("show version")
    with pytest.raises(ReadTimeout):
        conn.send_command("show crypto ipsec sa", read_timeout=2)
    conn.remote_conn_pre.close()  # a hung device: do not wait for a polite logout


def test_drop_mid_output_closes_channel(
    faulty_lab: RunningLab, connect: Callable[..., Any]
) -> None:
    conn = connect(faulty_lab, "drops")
    with pytest.raises(Exception) as caught:
        conn.send_command("show running-config", read_timeout=5)
    assert not isinstance(caught.value, ReadTimeout) or not conn.is_alive()
    assert not conn.is_alive()


def test_grammars_compile_for_every_family() -> None:
    for fam in ("ios12.4", "ios15", "xe16", "xe17", "asa8.2", "asa9", "pix7", "pix6.3"):
        modes = grammars(fam)
        assert set(modes) == {"user", "enable", "config"}
