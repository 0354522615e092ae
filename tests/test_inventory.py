"""Inventory loading, validation, secrets and selection, plus ``ipsec-ops inventory check``."""

from __future__ import annotations

import os
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from ipsec_ops.errors import EXIT_USAGE, InputFileError, UsageError
from ipsec_ops.inventory import Inventory, load_inventory
from ipsec_ops.lab.scenario import load_scenario
from ipsec_ops.secrets import MASK, Secret, resolve_secret
from ipsec_ops.selection import Selection, select
from ipsec_ops.yamlfile import Where
from tests.conftest import start_lab

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "inventory"
EXAMPLE = ROOT / "inventory" / "example"
ENV = {"INV_PASSWORD": "Pw-from-env-1", "INV_ENABLE": "En-from-env-2", "PIX_PASSWORD": "Pix-3"}
EXAMPLE_ENV = {"IPSEC_OPS_PASSWORD": "Example-pw-9", "IPSEC_OPS_ENABLE": "Example-en-8"}
PLAIN = "Plain-S3cret!"  # a plain-text password written into some test files


def basic() -> Inventory:
    return load_inventory(FIXTURES / "basic", env=ENV)


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m ipsec_ops ARGS`` as a user would."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "ipsec_ops", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=full_env,
        timeout=60,
    )


# -- the two file forms and inheritance --------------------------------------------------


def test_folder_and_single_file_give_the_same_hosts() -> None:
    folder = basic()
    single = load_inventory(FIXTURES / "basic.yaml", env=ENV)
    assert folder.hosts == single.hosts
    assert folder.groups == single.groups == ("asa", "branch", "core", "ios", "pix6")
    assert folder.warnings == single.warnings == ()


# name: (hostname, port, platform, family, transport, username, member_of)
EXPECTED_HOSTS = {
    "r1": ("192.0.2.1", 22, "cisco_ios", "ios15", "ssh", "admin", ("core", "ios")),
    "r2": ("192.0.2.2", 22, "cisco_ios", "ios15", "ssh", "admin", ("core", "ios")),
    "br1": ("198.51.100.1", 22, "cisco_xe", "xe17", "ssh", "branchadmin", ("branch", "ios")),
    "fw1": ("198.51.100.2", 2222, "cisco_asa", "asa9", "ssh", "admin", ("asa",)),
    "fw2": ("198.51.100.3", 2222, "cisco_asa", "asa8.2", "ssh", "admin", ("asa", "core", "ios")),
    "pix6": ("192.0.2.30", 23, "cisco_pix", "pix6.3", "telnet", "admin", ("pix6",)),
    "pix7": ("192.0.2.31", 22, "cisco_pix", "pix7", "ssh", "admin", ()),
}


@pytest.mark.parametrize("name", sorted(EXPECTED_HOSTS))
def test_inherited_fields_family_and_port(name: str) -> None:
    host = basic().hosts[name]
    got = (host.hostname, host.port, host.platform, host.family, host.transport, host.username)
    assert (*got, host.member_of) == EXPECTED_HOSTS[name]


# name: (site, role, tags): host data, then groups in order (depth-first), then defaults
EXPECTED_DATA = {
    "r1": ("hq", "hub", ["router"]),  # site and role from core, tags from ios (two levels)
    "r2": ("hq", "spare", ["router", "spare"]),  # the host's own keys win
    "br1": ("branch", "router", ["router"]),  # branch has no role: ios before defaults
    "fw1": ("default-site", "firewall", ["firewall", "dc"]),
    "fw2": ("hq", "firewall", ["firewall", "dc"]),  # asa before core
    "pix7": ("default-site", "unknown", None),  # defaults only
}


@pytest.mark.parametrize("name", sorted(EXPECTED_DATA))
def test_data_merge_precedence(name: str) -> None:
    data = basic().hosts[name].data
    assert (data["site"], data["role"], data.get("tags")) == EXPECTED_DATA[name]
    assert "enable_secret" not in data  # moved to Host.enable_secret, never left in data


def test_groups_are_the_hosts_own_and_secrets_resolve() -> None:
    inv = basic()
    assert inv.hosts["fw2"].groups == ("asa", "core")
    assert inv.hosts["pix7"].password.reveal() == "Pix-3"
    assert inv.hosts["r1"].password.reveal() == "Pw-from-env-1"
    assert inv.hosts["r1"].enable_secret == Secret("En-from-env-2")
    assert inv.secrets() == {"Pw-from-env-1", "En-from-env-2", "Pix-3"}


def write(folder: Path, files: dict[str, str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("{transport: telnet}", ("pix6.3", "telnet", 23)),
        ("{family: pix6.3}", ("pix6.3", "telnet", 23)),  # the family implies telnet
        ("{}", ("pix7", "ssh", 22)),
        ("{family: pix7}", ("pix7", "ssh", 22)),
    ],
)
def test_pix_family_transport_and_port(
    tmp_path: Path, data: str, expected: tuple[Any, ...]
) -> None:
    text = "p1:\n  hostname: 192.0.2.9\n  platform: cisco_pix\n  username: u\n"
    text += f"  password: env:INV_PASSWORD\n  data: {data}\n"
    write(tmp_path, {"hosts.yaml": text})
    host = load_inventory(tmp_path, env=ENV).hosts["p1"]
    assert (host.family, host.transport, host.port) == expected


def test_explicit_port_wins_over_the_transport_default(tmp_path: Path) -> None:
    text = "p1: {hostname: h, platform: cisco_pix, username: u, password: env:INV_PASSWORD,"
    text += " port: 2323, data: {transport: telnet}}\n"
    write(tmp_path, {"hosts.yaml": text})
    assert load_inventory(tmp_path, env=ENV).hosts["p1"].port == 2323


def test_connection_options_and_nulls_are_accepted(tmp_path: Path) -> None:
    text = "r1:\n  hostname: h\n  platform: cisco_ios\n  username: u\n  password: env:X\n"
    text += "  port: null\n  groups:\n  data:\n  connection_options: {netmiko: {extras: {}}}\n"
    write(tmp_path, {"hosts.yaml": text, "groups.yaml": "", "defaults.yaml": "{}\n"})
    host = load_inventory(tmp_path, env={"X": "x"}).hosts["r1"]
    assert (host.port, host.groups, dict(host.data), host.enable_secret) == (22, (), {}, None)


# -- the inventory the lab writes --------------------------------------------------------


def test_lab_inventory_loads(tmp_path: Path) -> None:
    running = start_lab(load_scenario("default"), tmp_path)
    try:
        folder = running.lab.write_inventory(tmp_path / "inv")
        inv = load_inventory(folder, env={})
        endpoints = {e.name: e for e in running.lab.endpoints}
        assert set(inv.hosts) == set(endpoints)
        for name, e in endpoints.items():
            host = inv.hosts[name]
            assert (host.hostname, host.port, host.platform) == (e.host, e.port, e.platform)
            assert (host.family, host.transport) == (e.family, e.transport)
            assert (host.username, host.password.reveal()) == (e.username, e.password)
            assert host.enable_secret is not None
            assert host.enable_secret.reveal() == e.enable_secret
            assert host.groups == ("lab",)
        assert {"pix6.3", "asa8.2", "asa9"} <= {h.family for h in inv.hosts.values()}
        assert inv.secrets() >= {e.password for e in endpoints.values()}
        assert inv.secrets() >= {e.enable_secret for e in endpoints.values()}
        # The lab writes plain-text credentials: one warning per field, no value in any.
        assert len(inv.warnings) == 2 * len(endpoints)
        for warning in inv.warnings:
            assert not any(s in warning for s in inv.secrets())
    finally:
        running.lab.stop()


# -- bad input: file, line, field --------------------------------------------------------

HOST = "  hostname: 192.0.2.1\n  platform: cisco_ios\n  username: u\n  password: env:INV_PASSWORD\n"

# id: (files, file that is blamed, field, words in the problem). A line ending in
# "# <-" is the line the message must name; no marker: the message names no line.
# "inv.yaml" in files means the one-file form; otherwise the folder is loaded.
BAD_INPUTS: dict[str, tuple[dict[str, str], str, str, str]] = {
    "yaml-syntax": (
        {"hosts.yaml": "r1:\n  hostname: h\n  platform: cisco_ios: x  # <-\n"},
        "hosts.yaml",
        "",
        "YAML syntax error",
    ),
    "top-level-list": (
        {"hosts.yaml": "# hosts\n- r1  # <-\n- r2\n"},
        "hosts.yaml",
        "hosts",
        "must be a mapping, got a list",
    ),
    "single-top-level-list": (
        {"inv.yaml": "- hosts  # <-\n"},
        "inv.yaml",
        "",
        "top level must be a mapping",
    ),
    "host-not-a-mapping": (
        {"hosts.yaml": "r1: 192.0.2.1  # <-\n"},
        "hosts.yaml",
        "hosts.r1",
        "must be a mapping of fields, got a string",
    ),
    "no-hosts": ({"hosts.yaml": "# nothing yet\n"}, "hosts.yaml", "hosts", "no hosts defined"),
    "unknown-platform": (
        {"hosts.yaml": "r1:\n  hostname: h\n  platform: junos  # <-\n  username: u\n"},
        "hosts.yaml",
        "hosts.r1.platform",
        "unknown platform 'junos' (known: cisco_ios, cisco_xe, cisco_asa, cisco_pix)",
    ),
    "missing-hostname": (
        {"hosts.yaml": "r1:  # <-\n  platform: cisco_ios\n  username: u\n  password: p\n"},
        "hosts.yaml",
        "hosts.r1.hostname",
        "missing",
    ),
    "missing-platform": (
        {"hosts.yaml": "r0:\n" + HOST + "r1:  # <-\n  hostname: h\n  username: u\n"},
        "hosts.yaml",
        "hosts.r1.platform",
        "missing",
    ),
    "missing-password": (
        {"hosts.yaml": "r1:  # <-\n  hostname: h\n  platform: cisco_ios\n  username: u\n"},
        "hosts.yaml",
        "hosts.r1.password",
        "missing",
    ),
    "unset-env": (
        {"hosts.yaml": "r1:\n" + HOST.replace("env:INV_PASSWORD", "env:NOPE_PW  # <-")},
        "hosts.yaml",
        "hosts.r1.password",
        "environment variable NOPE_PW is not set",
    ),
    "unset-env-enable-in-defaults": (
        {
            "hosts.yaml": "r1:\n" + HOST,
            "defaults.yaml": "data:\n  enable_secret: env:NOPE_EN  # <-\n",
        },
        "defaults.yaml",
        "defaults.data.enable_secret",
        "environment variable NOPE_EN is not set",
    ),
    "duplicate-host": (
        {"hosts.yaml": "r1:\n" + HOST + "r1:  # <-\n" + HOST},
        "hosts.yaml",
        "hosts.r1",
        "duplicate key (first defined on line 1)",
    ),
    "single-duplicate-host": (
        {"inv.yaml": "hosts:\n  r1: {hostname: a}\n  r1: {hostname: b}  # <-\n"},
        "inv.yaml",
        "hosts.r1",
        "duplicate key (first defined on line 2)",
    ),
    "unknown-group": (
        {
            "hosts.yaml": "r1:\n" + HOST + "  groups:\n    - core\n    - cor  # <-\n",
            "groups.yaml": "core: {}\nedge: {}\n",
        },
        "hosts.yaml",
        "hosts.r1.groups.1",
        "unknown group 'cor' (known: core, edge)",
    ),
    "group-cycle": (
        {
            "hosts.yaml": "r1:\n" + HOST + "  groups: [a]\n",
            "groups.yaml": "a:\n  groups: [b]\nb:\n  groups: [c]\nc:\n  groups: [a]  # <-\n",
        },
        "groups.yaml",
        "groups.c.groups.0",
        "group cycle: a -> b -> c -> a",
    ),
    "group-self-cycle": (
        {"hosts.yaml": "r1:\n" + HOST, "groups.yaml": "a:\n  groups: [a]  # <-\n"},
        "groups.yaml",
        "groups.a.groups.0",
        "group cycle: a -> a",
    ),
    "unknown-transport": (
        {"hosts.yaml": "r1:\n" + HOST + "  data:\n    transport: ssh2  # <-\n"},
        "hosts.yaml",
        "hosts.r1.data.transport",
        "unknown transport 'ssh2' (known: ssh, telnet)",
    ),
    "telnet-on-ios": (
        {"hosts.yaml": "r1:\n" + HOST + "  data:\n    transport: telnet  # <-\n"},
        "hosts.yaml",
        "hosts.r1.data.transport",
        "telnet is only for cisco_pix (PIX 6.x); host r1 is cisco_ios",
    ),
    "telnet-in-group-blames-group": (
        {
            "hosts.yaml": "r1:\n" + HOST + "  groups: [old]\n",
            "groups.yaml": "old:\n  data: {transport: telnet}  # <-\n",
        },
        "groups.yaml",
        "groups.old.data.transport",
        "host r1 is cisco_ios",
    ),
    "port-not-integer": (
        {"hosts.yaml": "r1:\n" + HOST + "  port: ssh  # <-\n"},
        "hosts.yaml",
        "hosts.r1.port",
        "must be an integer 1-65535, got 'ssh'",
    ),
    "port-out-of-range": (
        {"hosts.yaml": "r1:\n" + HOST + "  port: 70000  # <-\n"},
        "hosts.yaml",
        "hosts.r1.port",
        "must be an integer 1-65535, got 70000",
    ),
    "port-in-defaults": (
        {"hosts.yaml": "r1:\n" + HOST, "defaults.yaml": "port: 0  # <-\n"},
        "defaults.yaml",
        "defaults.port",
        "must be an integer 1-65535, got 0",
    ),
    "unknown-host-field": (
        {"hosts.yaml": "r1:\n" + HOST + "  ip: 192.0.2.1  # <-\n"},
        "hosts.yaml",
        "hosts.r1.ip",
        "unknown field 'ip' (fields: hostname, port, username, password, platform, groups",
    ),
    "groups-in-defaults": (
        {"hosts.yaml": "r1:\n" + HOST, "defaults.yaml": "groups: [a]  # <-\n"},
        "defaults.yaml",
        "defaults.groups",
        "unknown field 'groups'",
    ),
    "unknown-family": (
        {"hosts.yaml": "r1:\n" + HOST + "  data:\n    family: ios16  # <-\n"},
        "hosts.yaml",
        "hosts.r1.data.family",
        "unknown family 'ios16' (known: ios12.4, ios15,",
    ),
    "family-of-another-platform": (
        {"hosts.yaml": "r1:\n" + HOST + "  data:\n    family: asa9  # <-\n"},
        "hosts.yaml",
        "hosts.r1.data.family",
        "family 'asa9' is not a cisco_ios family (ios12.4, ios15; host r1)",
    ),
    "pix6-family-over-ssh": (
        {
            "hosts.yaml": "p1:\n"
            + HOST.replace("cisco_ios", "cisco_pix")
            + "  data:\n    family: pix6.3\n    transport: ssh  # <-\n"
        },
        "hosts.yaml",
        "hosts.p1.data.transport",
        "family pix6.3 is reached over telnet, not ssh",
    ),
    "bad-platform-in-group": (
        {
            "hosts.yaml": "r1:\n  hostname: h\n  username: u\n  password: p\n  groups: [g]\n",
            "groups.yaml": "g:\n  platform: cisco_nxos  # <-\n",
        },
        "groups.yaml",
        "groups.g.platform",
        "unknown platform 'cisco_nxos'",
    ),
    "password-not-a-string": (
        {"hosts.yaml": "r1:\n" + HOST.replace("env:INV_PASSWORD", "0123  # <-")},
        "hosts.yaml",
        "hosts.r1.password",
        "must be a string (quote it in YAML), got an integer",
    ),
    "bad-env-name": (
        {"hosts.yaml": "r1:\n" + HOST.replace("env:INV_PASSWORD", "'env:Pl@in'  # <-")},
        "hosts.yaml",
        "hosts.r1.password",
        "env: reference needs a variable name",
    ),
    "single-unknown-top-level-key": (
        {"inv.yaml": "hosts:\n  r1: {}\nhost_vars:  # <-\n  x: 1\n"},
        "inv.yaml",
        "host_vars",
        "unknown top-level key",
    ),
    "host-name-with-dots": (
        {"hosts.yaml": "r1.example.com:\n  hostname: h\n  platform: junos  # <-\n"},
        "hosts.yaml",
        "hosts.r1.example.com.platform",
        "unknown platform 'junos'",
    ),
    "groups-not-a-list": (
        {"hosts.yaml": "r1:\n" + HOST + "  groups: core  # <-\n"},
        "hosts.yaml",
        "hosts.r1.groups",
        "must be a list of group names, got 'core'",
    ),
    "single-without-hosts": (
        {"inv.yaml": "groups: {}\n"},
        "inv.yaml",
        "hosts",
        "missing",
    ),
}


def marked_line(files: dict[str, str], blamed: str) -> int | None:
    """Return the 1-based line of the ``# <-`` marker in the blamed file, if any."""
    for i, line in enumerate(files[blamed].splitlines(), 1):
        if line.rstrip().endswith("# <-"):
            return i
    return None


def bad_inventory(tmp_path: Path, case: str) -> tuple[Path, str, int | None, str, str]:
    """Write one BAD_INPUTS case; returns (path to load, blamed file, line, field, problem)."""
    files, blamed, dotted, problem = BAD_INPUTS[case]
    write(tmp_path / "inv", files)
    path = tmp_path / "inv" / "inv.yaml" if "inv.yaml" in files else tmp_path / "inv"
    return path, str(tmp_path / "inv" / blamed), marked_line(files, blamed), dotted, problem


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_names_file_line_and_field(tmp_path: Path, case: str) -> None:
    path, blamed, line, dotted, problem = bad_inventory(tmp_path, case)
    with pytest.raises(InputFileError) as caught:
        load_inventory(path, env=ENV)
    exc = caught.value
    assert (exc.path, exc.line, exc.field) == (blamed, line, dotted), str(exc)
    assert problem in exc.problem
    place = f"{blamed}:{line}" if line else blamed
    assert str(exc).startswith(f"{place}: {dotted}: " if dotted else f"{place}: ")
    assert "\n" not in str(exc)
    assert exc.exit_code == EXIT_USAGE
    assert not any(secret in str(exc) for secret in ENV.values())


@pytest.mark.parametrize(
    ("make", "blamed", "problem"),
    [
        (lambda p: p / "nowhere", "nowhere", "no such inventory file or folder"),
        (lambda p: p, "hosts.yaml", "file not found"),
        (
            lambda p: p / "hosts.yaml",
            "hosts.yaml",
            "no such inventory file or folder",
        ),  # a folder without hosts.yaml
    ],
)
def test_missing_inventory(tmp_path: Path, make: Any, blamed: str, problem: str) -> None:
    with pytest.raises(InputFileError) as caught:
        load_inventory(make(tmp_path))
    assert (caught.value.path, caught.value.line) == (str(tmp_path / blamed), None)
    assert str(caught.value) == f"{tmp_path / blamed}: {problem}"


CLI_CASES = [
    "yaml-syntax",
    "unknown-platform",
    "missing-hostname",
    "unset-env",
    "duplicate-host",
    "group-cycle",
    "telnet-on-ios",
    "port-out-of-range",
    "unknown-host-field",
    "single-unknown-top-level-key",
]


@pytest.mark.parametrize("case", CLI_CASES)
def test_cli_reports_bad_input_in_one_line(tmp_path: Path, case: str) -> None:
    path, blamed, line, dotted, problem = bad_inventory(tmp_path, case)
    # A plain-text password elsewhere in the file must not leak into the error either.
    (tmp_path / "inv" / "defaults.yaml").write_text(f"password: '{PLAIN}'\n")
    result = run_cli("inventory", "check", "-i", str(path), env=ENV)
    assert result.returncode == EXIT_USAGE, result.stderr
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert blamed in result.stderr and dotted in result.stderr and problem in result.stderr
    if line:
        assert f"{blamed}:{line}: " in result.stderr
    for secret in (PLAIN, *ENV.values()):
        assert secret not in result.stdout + result.stderr


# -- secrets -----------------------------------------------------------------------------

WHERE = Where("inv/hosts.yaml", {"hosts.r1.password": 5})


def test_secret_never_prints() -> None:
    secret = Secret("hunter2", "env:X")
    for text in (str(secret), repr(secret), f"{secret}", repr([secret]), repr({"p": secret})):
        assert "hunter2" not in text
    assert str(secret) == repr(secret) == MASK
    assert secret.reveal() == "hunter2"


def test_host_repr_hides_secrets() -> None:
    inv = basic()
    for host in inv.hosts.values():
        for secret in inv.secrets():
            assert secret not in repr(host) and secret not in str(host)
        assert str(host.password) == MASK
        assert str(host.enable_secret) == MASK


@pytest.mark.parametrize(
    ("value", "env", "revealed", "origin"),
    [
        ("env:VPN_PW", {"VPN_PW": "from-env"}, "from-env", "env:VPN_PW"),
        ("env:_X1", {"_X1": "x"}, "x", "env:_X1"),
        ("plain text", {}, "plain text", "plain"),
    ],
)
def test_resolve_secret(value: str, env: dict[str, str], revealed: str, origin: str) -> None:
    secret, warning = resolve_secret(value, WHERE, "hosts.r1.password", env)
    assert (secret.reveal(), secret.origin) == (revealed, origin)
    assert (warning is None) == (origin != "plain")


def test_plain_text_warning_names_host_and_field_not_value() -> None:
    _, warning = resolve_secret("S3cret-plain", WHERE, "hosts.r1.password", {})
    assert warning is not None
    assert "inv/hosts.yaml:5" in warning and "hosts.r1.password" in warning
    assert "S3cret-plain" not in warning


@pytest.mark.parametrize(
    ("value", "env", "words"),
    [
        ("env:VPN_PW", {}, "environment variable VPN_PW is not set"),
        ("env:VPN_PW", {"VPN_PW": ""}, "environment variable VPN_PW is empty"),
        ("env:", {}, "env: reference needs a variable name"),
        ("keyring:no-slash", {}, "keyring:SERVICE/USER"),
    ],
)
def test_resolve_secret_errors(value: str, env: dict[str, str], words: str) -> None:
    with pytest.raises(InputFileError) as caught:
        resolve_secret(value, WHERE, "hosts.r1.password", env)
    assert str(caught.value).startswith("inv/hosts.yaml:5: hosts.r1.password: ")
    assert words in str(caught.value)


def test_env_reference_uses_the_env_argument(tmp_path: Path) -> None:
    write(tmp_path, {"hosts.yaml": "r1:\n" + HOST})
    assert load_inventory(tmp_path, env=ENV).hosts["r1"].password.reveal() == "Pw-from-env-1"
    with pytest.raises(InputFileError, match="INV_PASSWORD is not set"):
        load_inventory(tmp_path, env={})


def test_inherited_plain_secret_warns_once_on_its_owner(tmp_path: Path) -> None:
    hosts = "".join(f"r{i}:\n  hostname: h{i}\n  groups: [g]\n" for i in range(3))
    groups = f"g:\n  platform: cisco_ios\n  username: u\n  password: '{PLAIN}'\n"
    write(tmp_path, {"hosts.yaml": hosts, "groups.yaml": groups})
    inv = load_inventory(tmp_path, env={})
    assert len(inv.warnings) == 1
    assert f"{tmp_path / 'groups.yaml'}:4: groups.g.password: plain-text secret" in inv.warnings[0]
    assert PLAIN not in inv.warnings[0]
    assert inv.secrets() == {PLAIN}


def fake_keyring(entries: dict[tuple[str, str], str]) -> types.ModuleType:
    module = types.ModuleType("keyring")
    module.get_password = lambda service, user: entries.get((service, user))  # type: ignore[attr-defined]
    return module


def test_keyring_reference(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "keyring", fake_keyring({("vpn", "admin"): "from-keyring"}))
    secret, warning = resolve_secret("keyring:vpn/admin", WHERE, "hosts.r1.password", {})
    assert (secret.reveal(), secret.origin, warning) == ("from-keyring", "keyring:vpn/admin", None)
    with pytest.raises(InputFileError, match="no keyring entry for service 'vpn' user 'root'"):
        resolve_secret("keyring:vpn/root", WHERE, "hosts.r1.password", {})


def test_keyring_package_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "keyring", None)  # makes `import keyring` fail
    with pytest.raises(InputFileError, match="needs the optional 'keyring' package"):
        resolve_secret("keyring:vpn/admin", WHERE, "hosts.r1.password", {})


# -- selection ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("selection", "names"),
    [
        (Selection(), ["br1", "fw1", "fw2", "pix6", "pix7", "r1", "r2"]),
        (Selection(hosts=("r1",)), ["r1"]),
        (Selection(hosts=("r1", "fw1")), ["fw1", "r1"]),
        (Selection(groups=("core",)), ["fw2", "r1", "r2"]),
        (Selection(groups=("ios",)), ["br1", "fw2", "r1", "r2"]),  # nested membership
        (Selection(groups=("pix6", "branch")), ["br1", "pix6"]),
        (Selection(platforms=("cisco_pix",)), ["pix6", "pix7"]),
        (Selection(groups=("core",), platforms=("cisco_asa",)), ["fw2"]),
        (Selection(hosts=("r1",), platforms=("cisco_asa",)), []),
        (Selection(filters=(("role", "hub"),)), ["r1"]),
        (Selection(filters=(("role", "hub"), ("role", "spare"))), ["r1", "r2"]),
        (Selection(filters=(("site", "hq"), ("role", "firewall"))), ["fw2"]),
        (Selection(filters=(("tags", "dc"),)), ["fw1", "fw2"]),  # list membership
        (Selection(filters=(("family", "asa8.2"),)), ["fw2"]),
        (Selection(filters=(("nokey", "x"),)), []),
    ],
)
def test_select(selection: Selection, names: list[str]) -> None:
    assert [h.name for h in select(basic(), selection)] == names


@pytest.mark.parametrize(
    ("selection", "words"),
    [
        (Selection(hosts=("r9",)), "--host 'r9': not in the inventory"),
        (Selection(hosts=("fw",)), "known: br1, fw1, fw2, pix6, pix7, r1, r2"),
        (Selection(groups=("dmz",)), "--group 'dmz': no such group"),
        (Selection(platforms=("junos",)), "--platform 'junos': unknown platform"),
    ],
)
def test_select_rejects_names_that_cannot_match(selection: Selection, words: str) -> None:
    with pytest.raises(UsageError, match=words):
        select(basic(), selection)


def test_unknown_host_in_a_large_inventory_suggests_close_names(tmp_path: Path) -> None:
    write(tmp_path, {"hosts.yaml": "".join(f"rtr-{i:02}:\n{HOST}" for i in range(12))})
    inv = load_inventory(tmp_path, env=ENV)
    with pytest.raises(UsageError, match=r"--host 'rtr-1': not in the inventory \(did you mean"):
        select(inv, Selection(hosts=("rtr-1",)))
    with pytest.raises(UsageError, match=r"\(12 known\)"):
        select(inv, Selection(hosts=("zzz",)))


def test_from_options() -> None:
    got = Selection.from_options(["r1"], ["core"], None, ["site=hq", "tags=a=b", "note="])
    assert got == Selection(("r1",), ("core",), (), (("site", "hq"), ("tags", "a=b"), ("note", "")))
    assert Selection.from_options(None, None, None, None) == Selection()


@pytest.mark.parametrize("bad", ["site", "=hq", " =x"])
def test_bad_filter_is_a_usage_error(bad: str) -> None:
    with pytest.raises(UsageError) as caught:
        Selection.from_options(None, None, None, ["site=hq", bad])
    assert f"--filter {bad!r}" in str(caught.value)


def test_boolean_data_matches_lower_case(tmp_path: Path) -> None:
    write(tmp_path, {"hosts.yaml": "r1:\n" + HOST + "  data: {managed: true}\n"})
    inv = load_inventory(tmp_path, env=ENV)
    assert [h.name for h in select(inv, Selection(filters=(("managed", "true"),)))] == ["r1"]


# -- inventory check ---------------------------------------------------------------------


def test_check_example_inventory() -> None:
    result = run_cli("inventory", "check", "-i", str(EXAMPLE), env=EXAMPLE_ENV)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # every secret of the example is an env: reference
    lines = result.stdout.splitlines()
    names = ["br-rtr2", "br-xe1", "fw-dc1", "fw-dc2-old", "hq-rtr1", "pix-legacy"]
    assert [line.split()[0] for line in lines[:-1]] == names
    assert lines[-1] == "6 hosts selected of 6"
    assert lines[5].split() == ["pix-legacy", "192.0.2.30:23", "cisco_pix", "pix6.3", "telnet", "-"]
    for secret in EXAMPLE_ENV.values():
        assert secret not in result.stdout


def test_check_with_selection_and_warnings() -> None:
    args = ["--platform", "cisco_asa", "--filter", "site=hq", "--filter", "role=firewall"]
    result = run_cli("inventory", "check", "-i", str(FIXTURES / "basic.yaml"), *args, env=ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "fw2  198.51.100.3:2222  cisco_asa  asa8.2  ssh  asa,core",
        "1 hosts selected of 7",
    ]


def test_check_prints_plain_text_warnings_on_stderr(tmp_path: Path) -> None:
    write(tmp_path, {"hosts.yaml": "r1:\n" + HOST.replace("env:INV_PASSWORD", f"'{PLAIN}'")})
    result = run_cli("inventory", "check", "-i", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith("warning: ") and "hosts.r1.password" in result.stderr
    assert PLAIN not in result.stdout + result.stderr


EXAMPLE_ARG = str(EXAMPLE)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["-i", EXAMPLE_ARG, "--host", "nope"], "--host 'nope'"),
        (["-i", EXAMPLE_ARG, "--filter", "site"], "--filter 'site'"),
        (["-i", EXAMPLE_ARG, "--platform", "junos"], "--platform 'junos'"),
        (["-i", EXAMPLE_ARG, "--group", "dmz"], "--group 'dmz'"),
        (["-i", "no/such/inventory"], "no/such/inventory: no such inventory file or folder"),
        ([], "-i/--inventory"),
    ],
)
def test_check_usage_errors(args: list[str], words: str) -> None:
    result = run_cli("inventory", "check", *args, env=EXAMPLE_ENV)
    assert result.returncode == EXIT_USAGE
    assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.stderr
    assert words in result.stderr
    assert result.stdout == ""
