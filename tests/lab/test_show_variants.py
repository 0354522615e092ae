"""Show variants (filters, VRF, detail, debug-condition sections) over SSH to the lab.

Each variant a family's platform data lists is answered by the lab, parsed by the
project's templates, and agrees with the engine's state: a filter keeps exactly the
tunnels it names (compared with the engine's TunnelView objects, not with the output
under test), a VRF the lab does not have shows nothing, and a variant a family lacks
gets that family's invalid-input error from the lab and is refused by ``ipsec-ops show``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ipsec_ops import showcmd
from ipsec_ops.lab.commands import grammars
from ipsec_ops.lab.engine import Engine
from ipsec_ops.lab.grammar import Match, expand
from ipsec_ops.lab.render.base import context_for
from ipsec_ops.lab.scenario import load_scenario
from ipsec_ops.lab.views import TunnelView
from ipsec_ops.parse import parse
from ipsec_ops.platforms import FAMILIES, family, is_rejected
from tests.conftest import RunningLab

SAMPLE_ARGS = {"ip": "198.51.100.3", "word": "VPN", "int": "1"}
# One device of the default scenario per family it has.
DEVICE_OF = {"ios15": "hq-rtr", "xe17": "br-xe", "asa9": "fw-asa9", "asa8.2": "fw-asa82",
             "pix7": "pix7", "pix6.3": "pix6"}  # fmt: skip


def _concrete(tokens: list[str]) -> str:
    return " ".join(SAMPLE_ARGS[t.strip("<>").split(":")[0]] if t.startswith("<") else t
                    for t in tokens)  # fmt: skip


@pytest.fixture(scope="module")
def lab(default_lab: RunningLab) -> RunningLab:
    """The session's default lab: these tests only read it."""
    return default_lab


@pytest.fixture(scope="module")
def cli(default_cli: Callable[[str, str], str]) -> Callable[[str, str], str]:
    return default_cli


def _tunnels(lab: RunningLab, device: str) -> list[TunnelView]:
    engine: Engine = lab.lab.engine
    return engine.tunnels(engine.scenario.device(device), engine.clock.now())


# -- data: the platform table, the lab and the allow-list agree --------------------------


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_every_allowed_command_is_answered_by_the_lab(name: str) -> None:
    """What `ipsec-ops show` allows on a family, the lab's grammar for it answers."""
    grammar = grammars(name)["enable"]
    for syntax in showcmd.allowed_syntaxes(family(name)):
        for tokens in expand(syntax):
            command = _concrete(tokens)
            assert isinstance(grammar.match(command), Match), (name, command)


@pytest.mark.parametrize("name", sorted(DEVICE_OF))
def test_every_variant_renders_on_a_device_of_the_family(name: str) -> None:
    engine = Engine(load_scenario("default"))
    ctx = context_for(engine, DEVICE_OF[name])
    grammar = grammars(name)["enable"]
    for syntax in family(name).show_variants:
        for tokens in expand(syntax):
            match = grammar.match(_concrete(tokens))
            assert isinstance(match, Match)
            assert isinstance(match.handler(ctx, match.args), str)


@pytest.mark.parametrize(
    ("name", "command"),
    [
        ("asa8.2", "show crypto ikev1 sa detail"),
        ("pix7", "show crypto ikev1 sa"),
        ("asa8.2", "show crypto debug-condition"),
        ("asa9", "show crypto ipsec sa interface outside"),
        ("pix6.3", "show crypto ipsec sa map outside_map"),
        ("pix6.3", "show crypto isakmp sa detail"),
        ("ios15", "show crypto ipsec sa map"),
    ],
)
def test_a_variant_the_family_lacks_is_refused_by_lab_and_tool(name: str, command: str) -> None:
    assert not isinstance(grammars(name)["enable"].match(command), Match)
    assert showcmd.canonical(command, family(name)) is None


# -- IOS over SSH ---------------------------------------------------------------------------


def test_ios_ipsec_sa_peer_filter_keeps_only_that_peer(lab: RunningLab, cli: Any) -> None:
    peer = "198.51.100.3"
    records = parse(
        "ios15", "show crypto ipsec sa peer X", cli("hq-rtr", f"sh cry ips sa pe {peer}")
    )
    expected = [sa for t in _tunnels(lab, "hq-rtr") if str(t.peer) == peer for sa in t.ipsec]
    assert len(records) == len(expected) > 0
    assert {r["peer"] for r in records} == {peer}


def test_ios_ipsec_sa_map_and_interface_filters(lab: RunningLab, cli: Any) -> None:
    tunnels = _tunnels(lab, "hq-rtr")
    everything = {str(t.peer) for t in tunnels if t.ipsec and t.entry.map_name == "VPN"}
    by_map = parse(
        "ios15", "show crypto ipsec sa map VPN", cli("hq-rtr", "show crypto ipsec sa map VPN")
    )
    assert {r["peer"] for r in by_map} == everything
    assert (
        parse("ios15", "show crypto ipsec sa map X", cli("hq-rtr", "sh cry ipsec sa map NOPE"))
        == []
    )
    on_wan = {str(t.peer) for t in tunnels if t.ipsec and t.entry.interface == "GigabitEthernet0/0"}
    detail = parse(
        "ios15",
        "show crypto ipsec sa interface X detail",
        cli("hq-rtr", "sh cry ipsec sa int Gi0/0 det"),
    )
    assert {r["current_peer"] for r in detail} == on_wan
    assert cli("hq-rtr", "show crypto ipsec sa interface GigabitEthernet0/1").strip() == ""


@pytest.mark.parametrize(
    "command",
    [
        "show crypto ipsec sa vrf CUST-A",
        "show crypto ipsec sa vrf CUST-A detail",
        "show crypto isakmp sa vrf CUST-A",
        "show crypto isakmp sa vrf CUST-A detail",
    ],
)
def test_ios_a_vrf_the_lab_does_not_have_shows_nothing(cli: Any, command: str) -> None:
    output = cli("hq-rtr", command)
    assert not is_rejected(output, family("ios15"))
    assert parse("ios15", command, output) == []


def test_ios_isakmp_peer_and_engine_connections(lab: RunningLab, cli: Any) -> None:
    peers = parse(
        "ios15", "show crypto isakmp peers X", cli("hq-rtr", "sh cry isa peer 198.51.100.3")
    )
    assert [r["peer"] for r in peers] == ["198.51.100.3"]
    rows = parse(
        "ios15", "show crypto engine connections active", cli("hq-rtr", "sh cry eng conn act")
    )
    tunnels = _tunnels(lab, "hq-rtr")
    expected = {t.ike.conn_id for t in tunnels if t.ike and t.ike.established and t.ike.policy}
    expected |= {c for t in tunnels for sa in t.ipsec if sa.has_sa
                 for c in (sa.conn_id_in, sa.conn_id_out)}  # fmt: skip
    assert {int(r["conn_id"]) for r in rows} == expected


def test_ios_debug_condition_sections(cli: Any) -> None:
    cli("hq-rtr", "debug crypto condition peer ipv4 198.51.100.3")
    cli("hq-rtr", "debug crypto condition spi 256")
    try:

        def types(kind: str) -> list[str]:
            command = f"show crypto debug-condition {kind}".strip()
            records = parse("ios15", command, cli("hq-rtr", command))
            return [t for r in records for t in r["filter_types"]]

        assert types("") == types("all") == ["IKE peer IP address", "SPI"]
        assert types("peer") == ["IKE peer IP address"]
        assert types("spi") == ["SPI"]
        assert types("fvrf") == types("username") == types("connid") == []
    finally:
        cli("hq-rtr", "debug crypto condition reset")
    assert (
        parse("ios15", "show crypto debug-condition peer", cli("hq-rtr", "sh cry debug-c peer"))
        == []
    )


# -- ASA / PIX over SSH and telnet ------------------------------------------------------------


def test_asa_ipsec_sa_map_detail(lab: RunningLab, cli: Any) -> None:
    with_sa = {str(t.peer) for t in _tunnels(lab, "fw-asa9") if any(s.has_sa for s in t.ipsec)}
    command = "show crypto ipsec sa map outside_map detail"
    records = parse("asa9", command, cli("fw-asa9", "sh cry ipsec sa map outside_map det"))
    assert {r["current_peer"] for r in records} == with_sa
    assert parse("asa9", command, cli("fw-asa9", "show crypto ipsec sa map NOPE detail")) == []


@pytest.mark.parametrize(
    ("device", "command"),
    [
        ("fw-asa9", "show crypto ipsec sa interface outside"),
        ("fw-asa82", "show crypto ikev1 sa detail"),
        ("pix7", "show crypto debug-condition"),
        ("pix6", "show crypto ipsec sa map outside_map"),
    ],
)
def test_lab_answers_a_missing_variant_with_the_family_error(
    lab: RunningLab, cli: Any, device: str, command: str
) -> None:
    fam = family(lab.lab.endpoint(device).family)
    assert is_rejected(cli(device, command), fam)
    assert showcmd.canonical(command, fam) is None


def test_asa82_has_isakmp_sa_detail(lab: RunningLab, cli: Any) -> None:
    records = parse("asa8.2", "show crypto isakmp sa detail", cli("fw-asa82", "sh cry isa sa det"))
    assert {r["peer"] for r in records} == {
        str(t.peer) for t in _tunnels(lab, "fw-asa82") if t.ike is not None
    }


def test_fixture_folder_exists() -> None:
    """The fixtures written from this lab live beside the template fixtures."""
    assert (Path(__file__).parents[1] / "templates" / "cisco_ios").is_dir()
