"""`ipsec-ops show "COMMAND"`: allow-list before connecting, one block per device, failures.

The allow-list checks are table-driven over the pure :mod:`ipsec_ops.showcmd`; the
command itself runs against a lab (one per module) over real SSH/telnet, through an
inventory file, and its records are compared with the engine's state.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from ipsec_ops import showcmd
from ipsec_ops.cli import main
from ipsec_ops.errors import EXIT_OK, EXIT_UNKNOWN, EXIT_USAGE
from ipsec_ops.lab.scenario import load_scenario
from ipsec_ops.platforms import family
from tests.conftest import RunningLab, start_lab

REFUSED = [
    "clear crypto sa",
    "clear crypto session remote 198.51.100.2",
    "debug crypto isakmp",
    "conf t",
    "configure terminal",
    "show running-config",
    "show run | redirect flash:out.txt",
    "show crypto isakmp sa | append flash:x",
    "show crypto isakmp sa; reload",
    "show crypto isakmp sa\nreload",
    "show crypto isakmp sa\rreload",
    "show crypto ipsec sa map VPN'x",
    "write terminal",
    "reload",
    "",
    "show",
    "show crypto ipsec sa peer not-an-ip",
    "show crypto isakmp sa | include a | redirect flash:x",
    "show crypto isakmp sa | include",
    'show crypto isakmp sa | include "x"',
    "show crypto isakmp sa | tee flash:x",
]

ACCEPTED = [
    ("sh cry isa sa", "ios15", "show crypto isakmp sa"),
    ("SH CRY ISA SA DET", "ios15", "show crypto isakmp sa detail"),
    ("sh cry isa sa vrf CUST-A det", "xe17", "show crypto isakmp sa vrf CUST-A detail"),
    ("sh cry isa peer 192.0.2.1", "ios15", "show crypto isakmp peers 192.0.2.1"),
    ("sh cry ipsec sa int Gi0/0", "ios12.4", "show crypto ipsec sa interface Gi0/0"),
    ("sh cry eng conn act", "ios15", "show crypto engine connections active"),
    ("sh cry debug-c spi", "xe16", "show crypto debug-condition spi"),
    ("sh cry ikev1 sa det", "asa9", "show crypto ikev1 sa detail"),
    (
        "sh cry ipsec sa map outside_map det",
        "asa8.2",
        "show crypto ipsec sa map outside_map detail",
    ),
    ("show crypto ipsec sa", "pix6.3", "show crypto ipsec sa"),
    ("sh cry isa sa | i 198.51.100.4", "ios15", "show crypto isakmp sa | include 198.51.100.4"),
    ("sh cry ipsec sa | b peer", "asa9", "show crypto ipsec sa | begin peer"),
    ("sh cry map | sec VPN 10", "xe17", "show crypto map | section VPN 10"),
]


@pytest.mark.parametrize("command", REFUSED)
def test_refused_commands(command: str) -> None:
    with pytest.raises(showcmd.CommandRefused):
        showcmd.check(command)


@pytest.mark.parametrize(("typed", "name", "canonical"), ACCEPTED)
def test_accepted_commands_are_sent_in_full(typed: str, name: str, canonical: str) -> None:
    assert showcmd.check(typed, [family(name)]).by_family[name] == canonical


def test_an_ambiguous_abbreviation_is_refused() -> None:
    with pytest.raises(showcmd.CommandRefused, match="ambiguous"):
        showcmd.canonical("sh cry i sa", family("ios15"))  # isakmp / ipsec / ikev2


def test_refused_before_connecting(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A refused command exits 64 with one line and never opens a connection."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(0.5)
    port = listener.getsockname()[1]
    connected: list[object] = []

    def accept() -> None:
        with contextlib.suppress(OSError):  # nobody connected within the timeout
            connected.append(listener.accept())

    thread = threading.Thread(target=accept)
    thread.start()
    inv = tmp_path / "hosts.yaml"
    inv.write_text(
        f"r1:\n  hostname: 127.0.0.1\n  port: {port}\n  platform: cisco_ios\n"
        "  username: u\n  password: env:NO_SUCH_VAR_FOR_TEST\n"
    )
    for bad in ("clear crypto sa", "show run | redirect flash:x"):
        assert main(["show", bad, "-i", str(inv)]) == EXIT_USAGE
    thread.join()
    listener.close()
    assert connected == []
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and all("not an allowed read-only show command" in e for e in err)


@pytest.fixture(scope="module")
def lab_inventory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningLab, Path]]:
    running = start_lab(load_scenario("default"), tmp_path_factory.mktemp("show-lab"))
    folder = running.lab.write_inventory(tmp_path_factory.mktemp("show-inv"))
    yield running, folder
    running.lab.stop()


def _args(folder: Path, *rest: str) -> list[str]:
    return ["-i", str(folder), "--known-hosts", str(folder / "known_hosts"), "-q", *rest]


def test_json_records_agree_with_the_engine(
    lab_inventory: tuple[RunningLab, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    running, folder = lab_inventory
    peer = "198.51.100.1"
    hosts = ("hq-rtr", "fw-asa9", "fw-asa82")
    selection = [a for h in hosts for a in ("--host", h)]
    code = main(["show", f"sh cry ipsec sa peer {peer}", *_args(folder, *selection, "-f", "json")])
    doc = json.loads(capsys.readouterr().out)
    assert code == EXIT_OK
    assert sorted(d["name"] for d in doc["devices"]) == sorted(hosts)
    engine = running.lab.engine
    for d in doc["devices"]:
        assert d["status"] == "ok" and d["command"] == f"show crypto ipsec sa peer {peer}"
        device = engine.scenario.device(d["name"])
        views = [t for t in engine.tunnels(device, engine.clock.now()) if str(t.peer) == peer]
        # IOS: one record per proxy pair (with or without SA); ASA: per established SA pair
        ios = d["family"].startswith("ios")
        expected = sum(1 for t in views for sa in t.ipsec if ios or sa.has_sa)
        key = "peer" if ios else "current_peer"
        assert [r[key] for r in d["records"]] == [peer] * expected, d["name"]
    assert any(d["records"] for d in doc["devices"])  # the peer has SAs somewhere


def test_table_lists_failures_and_exits_3(
    lab_inventory: tuple[RunningLab, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    _, folder = lab_inventory
    code = main(["show", "sh cry ikev1 sa", *_args(folder, "--host", "fw-asa9", "--host", "pix7")])
    out = capsys.readouterr().out
    assert code == EXIT_UNKNOWN
    assert "== fw-asa9 (asa9): show crypto ikev1 sa" in out
    assert "pix7 (pix7): refused:" in out and "failed: 1 of 2 devices" in out


def test_a_command_no_selected_device_has_is_refused(
    lab_inventory: tuple[RunningLab, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    _, folder = lab_inventory
    code = main(["show", "sh cry ikev1 sa", *_args(folder, "--host", "fw-asa82")])
    assert code == EXIT_USAGE
    assert "not available on asa8.2" in capsys.readouterr().err


def test_raw_format_prints_device_text(
    lab_inventory: tuple[RunningLab, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    _, folder = lab_inventory
    code = main(["show", "show crypto isakmp sa", *_args(folder, "--host", "pix6", "-f", "raw")])
    out = capsys.readouterr().out
    assert code == EXIT_OK
    assert "== pix6 (pix6.3): show crypto isakmp sa [raw]" in out and "QM_IDLE" in out


def test_an_output_filter_prints_the_device_lines(
    lab_inventory: tuple[RunningLab, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    running, folder = lab_inventory
    peer = "198.51.100.4"  # hq-rtr's psk-mismatch peer: an IKE SA stuck in phase 1
    typed = f"sh cry isa sa | i {peer}"
    code = main(["show", typed, *_args(folder, "--host", "hq-rtr", "--host", "pix6", "-f", "json")])
    doc = json.loads(capsys.readouterr().out)
    by_name = {d["name"]: d for d in doc["devices"]}
    assert code == EXIT_UNKNOWN  # pix6 (PIX 6.3) has no output filters: refused, not sent
    assert by_name["pix6"]["status"] == "refused"
    rtr = by_name["hq-rtr"]
    assert rtr["command"] == f"show crypto isakmp sa | include {peer}"
    assert rtr["status"] == "ok" and rtr["records"] is None
    lines = [line for line in rtr["raw"].splitlines() if line.strip()]
    assert lines and all(peer in line for line in lines)
    engine = running.lab.engine
    views = engine.tunnels(engine.scenario.device("hq-rtr"), engine.clock.now())
    assert any(str(v.peer) == peer and v.ike is not None for v in views)
