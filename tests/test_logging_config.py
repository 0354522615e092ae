"""Crypto logging data and planning (pure): which release has what, plans, read-back.

Release facts from the issue: `crypto logging session` from IOS 12.3(14)T, `crypto logging
ezvpn` from 12.4(4)T; a later train built on them (12.4 mainline for session, 15.x for both)
has them [E for the train inheritance].
"""

from __future__ import annotations

import pytest

from ipsec_ops import logging_config as lc
from ipsec_ops.platform_actions import LoggingSyntax, has_logging_feature, release_key
from ipsec_ops.platforms import family


def _syntax(name: str) -> LoggingSyntax:
    syntax = family(name).logging
    assert syntax is not None
    return syntax


IOS = _syntax("ios12.4")
ASA = _syntax("asa9")


@pytest.mark.parametrize(
    ("version", "session", "ezvpn"),
    [
        ("12.2(33)SXH", False, False),
        ("12.3(11)T", False, False),
        ("12.3(14)T", True, False),
        ("12.3(14)T7", True, False),
        ("12.3(26)", False, False),  # 12.3 mainline: not the T train
        ("12.4(3)", True, False),
        ("12.4(2)T", True, False),
        ("12.4(4)T", True, True),
        ("12.4(24)T8", True, True),
        ("12.4(25g)", True, False),  # 12.4 mainline lacks the 12.4(4)T feature
        ("15.0(1)M", True, True),
        ("16.9.8", True, True),
        ("17.9.4a", True, True),
    ],
)
def test_release_table(version: str, session: bool, ezvpn: bool) -> None:
    assert has_logging_feature(IOS.features["session"], version) is session
    assert has_logging_feature(IOS.features["ezvpn"], version) is ezvpn


def test_release_key_of_odd_strings() -> None:
    assert release_key("garbage") == (0, 0, 0, "")
    assert release_key("12.4(25g)") == (12, 4, 25, "")


@pytest.mark.parametrize(
    ("fam", "version", "wanted", "expected"),
    [
        ("ios12.4", "12.4(2)T", [], ("session",)),  # without flags: what the release has
        ("ios15", "15.5(3)M10", [], ("session", "ezvpn")),
        ("ios15", "15.5(3)M10", ["ezvpn"], ("ezvpn",)),
        ("asa9", "9.16(4)", [], ("session",)),
        ("pix7", "7.2(4)", ["session"], ("session",)),
    ],
)
def test_features_for(fam: str, version: str, wanted: list[str], expected: tuple[str, ...]) -> None:
    assert lc.features_for("d", family(fam), version, wanted) == expected


@pytest.mark.parametrize(
    ("fam", "version", "wanted", "names"),
    [
        ("ios12.4", "12.3(11)T", [], "12.3(11)T"),
        ("ios12.4", "12.4(2)T", ["ezvpn"], "12.4(2)T"),
        ("pix6.3", "6.3(5)", [], "6.3(5)"),
        ("asa8.2", "8.2(5)", ["ezvpn"], "8.2(5)"),
    ],
)
def test_refusals_name_the_release(fam: str, version: str, wanted: list[str], names: str) -> None:
    with pytest.raises(lc.LoggingRefused) as err:
        lc.features_for("d", family(fam), version, wanted)
    assert names in str(err.value) and str(err.value).startswith("d: ")
    assert err.value.exit_code == 64


def test_plans() -> None:
    p = lc.plan("r1", IOS, ("session", "ezvpn"), on=False)
    assert p.commands == ("no crypto logging session", "no crypto logging ezvpn")
    assert p.lines() == [
        "r1: disable crypto logging session, ezvpn:",
        "  configure terminal",
        "  no crypto logging session",
        "  no crypto logging ezvpn",
        "  end",
    ]
    on = lc.plan("fw", ASA, ("session",), on=True)
    assert on.commands[:2] == ("logging enable", "logging buffered informational")
    assert "logging message 602303" in on.commands


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ("logging enable\nlogging buffered informational\n", True),
        ("logging enable\nlogging buffered debugging\n", True),
        ("logging enable\nlogging buffered warnings\n", False),  # 602303/4 are level 6
        ("logging buffered informational\n", False),  # logging not enabled
        ("logging enable\nlogging buffered 6\nno logging message 713050\n", False),
    ],
)
def test_asa_status(config: str, expected: bool) -> None:
    assert lc.status_of(ASA, ("session",), config) == {"session": expected}
