"""The commands the findings' next steps name (``Family.check_commands``) work where named.

Every family's check commands are filled in the way :mod:`ipsec_ops.diagnose` fills them
(peer, ACL, map of one of the device's crypto map entries) and must be answered by the
lab's grammar for that family and allowed by ``ipsec-ops show``, except the configuration
views ``show`` deliberately never offers (:data:`ipsec_ops.showcmd.EXCLUDED`: configuration
can hold keys). An output modifier (``| include X``) is applied by the device to the
command before it; the command itself is checked against both tables, and the whole line
(modifier included) must be what ``ipsec-ops show`` sends. On the devices of the default
scenario each filled command is also sent over SSH / telnet and must not be rejected.

PIX 6.3 ``show isakmp policy`` and ``show crypto ipsec transform-set`` are parsed from live
telnet output and compared with the device's configured policies and transform sets.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from ipsec_ops import showcmd
from ipsec_ops.lab.commands import grammars
from ipsec_ops.lab.config import Device
from ipsec_ops.lab.grammar import Match
from ipsec_ops.lab.scenario import load_scenario
from ipsec_ops.parse import parse
from ipsec_ops.platforms import FAMILIES, family, is_rejected
from tests.conftest import RunningLab, lab_cli

# One device of the default scenario per family it has (ios12.4 and xe16 have none: their
# check commands are matched against the grammar only, filled from a device of the platform).
DEVICE_OF = {"ios15": "hq-rtr", "xe17": "br-xe", "asa9": "fw-asa9", "asa8.2": "fw-asa82",
             "pix7": "pix7", "pix6.3": "pix6"}  # fmt: skip
STAND_IN = {"ios12.4": "hq-rtr", "xe16": "br-xe"}


def _device(name: str) -> Device:
    return load_scenario("default").device({**DEVICE_OF, **STAND_IN}[name])


def filled(name: str) -> dict[str, str]:
    """Each check command of a family with its placeholders filled from one map entry."""
    dev = _device(name)
    entry = dev.map_entries[0]
    values = {"peer": str(entry.peer), "acl": entry.acl_name, "map": entry.map_name}
    return {key: text.format(**values) for key, text in family(name).check_commands.items()}


def split(command: str) -> tuple[str, str]:
    """The command and its output modifier (``| include X``), if any.

    >>> split("show crypto isakmp sa | include 192.0.2.1")
    ('show crypto isakmp sa', 'include 192.0.2.1')
    >>> split("show crypto map")
    ('show crypto map', '')
    """
    base, _, modifier = command.partition("|")
    return base.strip(), modifier.strip()


CASES = [(name, key) for name in sorted(FAMILIES) for key in family(name).check_commands]


def test_every_family_names_the_seven_checks() -> None:
    keys = {"acl_hits", "route_peer", "ike_sa", "policies", "ipsec_sa", "transform_sets"}
    for name in FAMILIES:
        assert keys | {"crypto_map"} == set(family(name).check_commands), name


@pytest.mark.parametrize(("name", "key"), CASES)
def test_check_command_is_answered_by_the_lab_grammar(name: str, key: str) -> None:
    command, modifier = split(filled(name)[key])
    assert isinstance(grammars(name)["enable"].match(command), Match), (name, command)
    assert modifier == "" or re.fullmatch(r"include \S+", modifier), modifier


@pytest.mark.parametrize(("name", "key"), CASES)
def test_check_command_is_allowed_by_show_or_deliberately_not(name: str, key: str) -> None:
    full = filled(name)[key]
    command, _ = split(full)
    allowed = showcmd.canonical(command, family(name))
    if showcmd.EXCLUDED.search(command):  # configuration: never offered by `show`
        assert allowed is None, (name, command)
    else:
        assert allowed == command, (name, command)
        # As the next step spells it, output filter included, `show` sends it unchanged.
        assert showcmd.check(full, [family(name)]).by_family[name] == full, (name, full)


# -- over SSH / telnet ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def lab(default_lab: RunningLab) -> RunningLab:
    """The session's default lab: these tests only read it."""
    return default_lab


@pytest.fixture(scope="module")
def cli(lab: RunningLab) -> Iterator[Callable[[str, str], str]]:
    """Run one command on one lab device over SSH/telnet with netmiko (sessions reused);
    the family's ``after_enable`` lines (PIX 6: ``pager 0``) are sent first, as the tool does."""
    ready: set[str] = set()
    with lab_cli(lab) as run:

        def command(device: str, text: str) -> str:
            if device not in ready:
                for line in family(lab.lab.endpoint(device).family).after_enable:
                    run(device, line)
                ready.add(device)
            return run(device, text)

        yield command


@pytest.mark.parametrize("name", sorted(DEVICE_OF))
def test_check_commands_run_on_the_device(lab: RunningLab, cli: Any, name: str) -> None:
    device = DEVICE_OF[name]
    assert lab.lab.endpoint(device).family == name
    for key, command in filled(name).items():
        output = cli(device, command)
        assert not is_rejected(output, family(name)), (name, key, command, output)
        if not split(command)[1]:  # every unfiltered check prints something on these devices
            assert output.strip(), (name, key, command)


def test_pix6_isakmp_policy_lists_the_configured_policies(lab: RunningLab, cli: Any) -> None:
    records = parse("pix6.3", "show isakmp policy", cli("pix6", "sh isa pol"))
    policies = sorted(lab.lab.engine.scenario.device("pix6").ike_policies, key=lambda p: p.priority)
    configured = [r for r in records if not r["default"]]
    assert [int(r["priority"]) for r in configured] == [p.priority for p in policies] != []
    for r, p in zip(configured, policies, strict=True):
        assert (int(r["dh_group"]), int(r["lifetime"])) == (p.group, p.lifetime)
        cipher, _, bits = p.encryption.partition(" ")
        assert r["key_size"] == (bits or "128") and r["encryption"].startswith(cipher.upper())
        assert r["auth"] == {"pre-share": "Pre-Shared Key"}.get(p.auth, r["auth"])
        assert r["hash"] == {"sha": "Secure Hash Standard", "md5": "Message Digest 5"}[p.hash]
    assert [(r["default"], r["priority"]) for r in records][-1] == ("Default", "")


def test_pix6_transform_sets_list_the_configured_sets(lab: RunningLab, cli: Any) -> None:
    output = cli("pix6", "show crypto ipsec transform-set")
    records = parse("pix6.3", "show crypto ipsec transform-set", output)
    sets = lab.lab.engine.scenario.device("pix6").transform_sets
    assert [r["name"] for r in records] == [ts.name for ts in sets] != []
    for r, ts in zip(records, sets, strict=True):
        assert r["transforms"] == ["-".join(t.split()) for t in ts.transforms]  # esp-aes-256
        assert r["mode"].lower() == ts.mode


def test_pix6_route_table_lists_each_connected_network(lab: RunningLab, cli: Any) -> None:
    rows = [line.split() for line in cli("pix6", "show route").splitlines() if line.strip()]
    dev = lab.lab.engine.scenario.device("pix6")
    connected = {(i.nameif, str(i.address)) for i in dev.interfaces}
    assert {(r[0], r[3]) for r in rows if r[5] == "CONNECT"} == connected
    assert [r[1:3] for r in rows if r[5] == "OTHER"] == [["0.0.0.0", "0.0.0.0"]]
