"""Playbook schema: every error is one line naming file, line and field, exits 64, and
nothing is contacted (a listener stands where the inventory's devices would be)."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from ipsec_ops.cli import main
from ipsec_ops.errors import InputFileError, UsageError
from ipsec_ops.model import Finding, Report, Tunnel
from ipsec_ops.playbooks import variables
from ipsec_ops.playbooks.asserts import evaluate, matches
from ipsec_ops.playbooks.schema import load_playbook

ROOT = Path(__file__).resolve().parents[1]


class Listener:
    """A TCP listener on loopback that counts (and drops) every connection."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            conn.close()

    def close(self) -> None:
        self.sock.close()


@pytest.fixture(scope="module")
def trap(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Listener, Path]]:
    """An inventory whose every device is the listener: any contact is counted."""
    listener = Listener()
    os.environ["IPSEC_OPS_TRAP_PASS"] = "Trap-Pass-1x"
    inv = tmp_path_factory.mktemp("trap") / "inv.yaml"
    inv.write_text(
        f"""
hosts:
  r1: {{hostname: 127.0.0.1, port: {listener.port}, platform: cisco_ios, groups: [core]}}
  fw1: {{hostname: 127.0.0.1, port: {listener.port}, platform: cisco_asa, groups: [edge]}}
  old-pix:
    hostname: 127.0.0.1
    port: {listener.port}
    platform: cisco_pix
    data: {{transport: telnet}}
groups:
  core: {{}}
  edge: {{}}
defaults: {{username: ops, password: 'env:IPSEC_OPS_TRAP_PASS'}}
"""
    )
    yield listener, inv
    listener.close()


GOOD_HEAD = """\
name: t
vars:
  peer: 203.0.113.40
  dur: 5
steps:
  - id: before
    type: health
"""

# (case, playbook text after GOOD_HEAD, the marker on the line the error must name,
#  the field it must name, words of the problem)
CASES = [
    ("unknown type", "  - id: x\n    type: reboot  # <-\n", "steps.1.type", "unknown step type"),
    (
        "missing field",
        "  - id: x  # <-\n    type: debug\n    host: r1\n",
        "steps.1.peer",
        "missing required field",
    ),
    (
        "unknown field",
        "  - id: x\n    type: health\n    formt: json  # <-\n",
        "steps.1.formt",
        "unknown field",
    ),
    (
        "no such step",
        "  - id: x\n    type: assert\n    in: befor  # <-\n    fail_if: {health: down}\n",
        "steps.1.in",
        "no step 'befor' before this one",
    ),
    (
        "later step",
        "  - id: c\n    type: clear\n    peers:\n      from: after  # <-\n"
        "  - id: after\n    type: health\n",
        "steps.1.peers.from",
        "comes later",
    ),
    (
        "wrong step kind",
        "  - id: w\n    type: wait\n    seconds: 1\n"
        "  - id: x\n    type: assert\n    in: w  # <-\n    fail_if: {health: down}\n",
        "steps.2.in",
        "is a wait step",
    ),
    (
        "unknown platform",
        "  - id: x\n    type: health\n    select:\n      platforms: [junos]  # <-\n",
        "steps.1.select.platforms.0",
        "'junos' is not one of cisco_ios",
    ),
    (
        "malformed filter",
        "  - id: x\n    type: collect\n    out: b\n    select:\n      filters: [site]  # <-\n",
        "steps.1.select.filters.0",
        "expected KEY=VALUE",
    ),
    (
        "unknown variable",
        "  - id: x\n    type: debug\n    host: r1\n    peer: ${pear}  # <-\n",
        "steps.1.peer",
        "unknown variable ${pear}",
    ),
    (
        "bad address",
        "  - id: x\n    type: clear\n    host: r1\n    peers: [203.0.113.400]  # <-\n",
        "steps.1.peers.0",
        "not an IPv4 address",
    ),
    (
        "unknown finding",
        "  - id: x\n    type: clear\n    peers: {from: before, finding: STALE}  # <-\n",
        "steps.1.peers.finding",
        "'STALE' is not one of",
    ),
    (
        "bad policy",
        "  - id: x\n    type: wait\n    seconds: 1\n    on_failure: retry  # <-\n",
        "steps.1.on_failure",
        "not one of stop, continue",
    ),
    (
        "duplicate id",
        "  - id: before  # <-\n    type: wait\n    seconds: 1\n",
        "steps.1.id",
        "duplicate step id",
    ),
    (
        "bad regex",
        "  - id: x\n    type: debug\n    host: r1\n    peer: ${peer}\n    until: '(['  # <-\n",
        "steps.1.until",
        "bad regular expression",
    ),
    (
        "stuck and peers",
        "  - id: x\n    type: clear\n    stuck: true\n    peers: [203.0.113.4]  # <-\n",
        "steps.1.peers",
        "or stuck",
    ),
]


def _line_of(text: str, marker: str = "# <-") -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if marker in line)


def _write(tmp: Path, text: str) -> Path:
    path = tmp / "book.yaml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(("case", "tail", "field", "words"), CASES, ids=[c[0] for c in CASES])
def test_schema_errors_name_file_line_and_field_and_contact_nothing(
    trap: tuple[Listener, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    case: str,
    tail: str,
    field: str,
    words: str,
) -> None:
    listener, inv = trap
    text = GOOD_HEAD + tail
    path = _write(tmp_path, text)
    before = listener.accepted
    code = main(["run", str(path), "-i", str(inv), "--yes"])
    err = capsys.readouterr().err
    assert code == 64, err
    assert err.count("\n") == 1, err
    assert err.startswith(f"ipsec-ops: {path}:{_line_of(text)}: {field}: "), err
    assert words in err
    assert listener.accepted == before
    # --check says the same without an inventory
    assert main(["run", "--check", str(path)]) == 64
    assert capsys.readouterr().err == err


@pytest.mark.parametrize(
    ("tail", "field", "words"),
    [
        ("    select: {hosts: [r2]}  # <-\n", "steps.0.select.hosts", "no host 'r2'"),
        ("    select: {groups: [cor]}  # <-\n", "steps.0.select.groups", "no group 'cor'"),
        (
            "  - id: d  # <-\n    type: debug\n    host: old-pix\n    peer: ${peer}\n",
            "steps.1.host",
            "no crypto conditional debug",
        ),
        (
            "  - id: d  # <-\n    type: debug\n    host: r1\n    peer: ${peer}\n"
            "    errors_only: true\n",
            "steps.1.host",
            "has no 'debug crypto condition error'",
        ),
    ],
)
def test_inventory_names_are_checked_before_contact(
    trap: tuple[Listener, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    tail: str,
    field: str,
    words: str,
) -> None:
    listener, inv = trap
    text = GOOD_HEAD + tail
    path = _write(tmp_path, text)
    before = listener.accepted
    assert main(["run", str(path), "-i", str(inv)]) == 64
    err = capsys.readouterr().err
    assert err.startswith(f"ipsec-ops: {path}:{_line_of(text)}: {field}: "), err
    assert words in err and err.count("\n") == 1
    assert listener.accepted == before
    if "select" in field:  # --check with -i checks the names too
        assert main(["run", "--check", str(path), "-i", str(inv)]) == 64


def test_the_trap_does_count_a_contact(
    trap: tuple[Listener, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The probe can fail: a valid playbook does reach the listener (and its device is unknown)."""
    listener, inv = trap
    path = _write(tmp_path, GOOD_HEAD)
    before = listener.accepted
    code = main(["run", str(path), "-i", str(inv), "--host", "r1", "--connect-timeout", "2"])
    capsys.readouterr()
    assert listener.accepted > before
    assert code == 3


def test_var_errors_and_values(
    trap: tuple[Listener, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    listener, inv = trap
    text = GOOD_HEAD + "  - id: d\n    type: debug\n    host: r1\n    peer: ${peer}\n"
    text += "    duration: ${dur}  # <-\n"
    path = _write(tmp_path, text)
    before = listener.accepted
    assert main(["run", str(path), "-i", str(inv), "--var", "per=1"]) == 64
    assert "declares no variable 'per' (declared: dur, peer)" in capsys.readouterr().err
    assert main(["run", str(path), "-i", str(inv), "--var", "dur=soon"]) == 64
    err = capsys.readouterr().err
    assert err.startswith(f"ipsec-ops: {path}:{_line_of(text)}: steps.1.duration: "), err
    book = load_playbook(path, ["peer=198.51.100.9", "dur=2m"])
    step = book.step("d")
    assert (step.peer, step.duration) == ("198.51.100.9", 120.0)  # type: ignore[attr-defined]
    assert listener.accepted == before


def test_confirmation_is_required_before_anything_runs(
    trap: tuple[Listener, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    listener, inv = trap
    path = ROOT / "playbooks" / "change-window-clear.yaml"
    before = listener.accepted
    # pytest's stdin is not a terminal: without --yes the run is refused at once.
    assert main(["run", str(path), "-i", str(inv)]) == 64
    assert "needs confirmation" in capsys.readouterr().err
    assert listener.accepted == before


@pytest.mark.parametrize(
    "name", ["health-check", "change-window-clear", "debug-peer", "daily-report"]
)
def test_shipped_playbooks_pass_the_schema(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--check", str(ROOT / "playbooks" / f"{name}.yaml")]) == 0
    assert "ok" in capsys.readouterr().out


def test_empty_or_not_a_mapping(tmp_path: Path) -> None:
    for text, words in [("", "steps: missing required field"), ("- 1\n", "expected a mapping")]:
        with pytest.raises(InputFileError) as info:
            load_playbook(_write(tmp_path, text))
        assert words in str(info.value)


@pytest.mark.parametrize(
    ("text", "values", "expected"),
    [
        ("${a}", {"a": "1"}, "1"),
        ("x-${a}-${b}", {"a": "1", "b": "2"}, "x-1-2"),
        ("no refs $a {a}", {}, "no refs $a {a}"),
    ],
)
def test_substitution_table(text: str, values: dict[str, str], expected: str) -> None:
    from ipsec_ops.yamlfile import Where

    assert variables.substitute(text, values, Where("p.yaml"), "f") == expected


@pytest.mark.parametrize("text", ["${a", "${1a}", "${}"])
def test_malformed_references(text: str) -> None:
    from ipsec_ops.yamlfile import Where

    with pytest.raises(InputFileError):
        variables.substitute(text, {"a": "1"}, Where("p.yaml"), "f")


def test_bad_var_syntax() -> None:
    with pytest.raises(UsageError):
        variables.overrides(["novalue"], {"novalue": "x"}, "p.yaml")


def _t(peer: str, health: str, *codes: str) -> Tunnel:
    findings = [Finding(c, "critical", c) for c in codes]
    return Tunnel("r1", peer, health=health, findings=findings)


@pytest.mark.parametrize(
    ("candidates", "fail_health", "fail_finding", "failing"),
    [
        (None, ("down",), (), ["192.0.2.2"]),
        (None, (), ("STALE_SA",), ["192.0.2.3"]),
        (None, ("down", "degraded"), ("STALE_SA",), []),
        ([("r1", "192.0.2.1")], ("down",), (), []),
        ([("r1", "192.0.2.9")], ("down",), (), ["192.0.2.9"]),  # missing fails
    ],
)
def test_assert_evaluation_table(
    candidates: list[tuple[str, str]] | None,
    fail_health: tuple[str, ...],
    fail_finding: tuple[str, ...],
    failing: list[str],
) -> None:
    report = Report(
        "t",
        [],
        [
            _t("192.0.2.1", "up"),
            _t("192.0.2.2", "down", "IKE_AUTH_FAILED"),
            _t("192.0.2.3", "up", "STALE_SA"),
        ],
    )
    verdict = evaluate(report, candidates, lambda k: True, fail_health, fail_finding)
    assert [p for (_, p), _ in verdict.failing] == failing
    assert matches(report.tunnels[1], ("down",), ("IKE_AUTH_FAILED",))
