"""Debug and syslog transcript analysis, table-driven: a transcript -> the findings per peer.

The fixtures (tests/fixtures/debug/*.log) are transcripts written for this project from
the message formats and fragments of the reference (ipsec-facts.md section 0 and 3) and
the debug runs of its sources; each names its sources in a leading ``#`` comment, which
:func:`transcript` strips before the analysis (a real capture has no such comment).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ipsec_ops.analyze import (
    UNKNOWN_PEER,
    Analysis,
    analyze,
    analyze_file,
    render_json,
    render_table,
)
from ipsec_ops.errors import InputFileError, UsageError
from ipsec_ops.knowledge import HERE, knowledge
from ipsec_ops.lab.engine import Engine
from ipsec_ops.lab.personality import PERSONALITIES
from ipsec_ops.lab.render import asa, ios, pix6
from ipsec_ops.lab.render.base import context_for
from ipsec_ops.lab.scenario import load_scenario
from ipsec_ops.yamlfile import load

FIXTURES = Path(__file__).parent / "fixtures" / "debug"
REFERENCE = Path("/work/shared/reference/ipsec-facts.md")


def transcript(name: str) -> str:
    """A fixture without its leading source comment."""
    lines = (FIXTURES / name).read_text(encoding="utf-8").splitlines()
    while lines and lines[0].startswith("#"):
        lines.pop(0)
    return "\n".join(lines) + "\n"


def by_peer(a: Analysis) -> dict[str, tuple[list[str], str]]:
    """peer -> (finding codes, health)."""
    return {p.peer: ([f.code for f in p.findings], p.health) for p in a.peers}


# (fixture, platform given, {peer: (codes, health)})
CASES: list[tuple[str, str | None, dict[str, tuple[list[str], str]]]] = [
    ("ios_ikev1_success.log", "ios15", {"192.0.2.2": ([], "up")}),
    ("ios_peer_not_responding.log", "cisco_ios", {"203.0.113.10": (["PEER_UNREACHABLE"], "down")}),
    (
        "ios_policy_mismatch_responder.log",
        None,
        {"192.0.2.20": (["IKE_POLICY_MISMATCH"], "down")},
    ),
    ("ios_psk_mismatch.log", "ios15", {"192.0.2.30": (["IKE_AUTH_FAILED"], "down")}),
    ("ios_transform_mismatch.log", "xe17", {"192.0.2.40": (["PHASE2_MISMATCH"], "down")}),
    ("ios_proxy_mismatch.log", "ios", {"192.0.2.2": (["PROXY_ID_MISMATCH"], "down")}),
    (
        "ios_invalid_spi_replay.log",
        "ios15",
        {
            "203.0.113.40": (["STALE_SA"], "down"),
            "192.0.2.50": (["STALE_SA"], "up"),  # recovered: the session came back up
            "203.0.113.30": (["REPLAY_ERRORS"], "degraded"),
            UNKNOWN_PEER: (["REPLAY_ERRORS"], "degraded"),
        },
    ),
    (
        "ios_two_peers.log",
        None,
        {
            "192.0.2.70": ([], "up"),
            "203.0.113.80": (["PEER_UNREACHABLE"], "down"),
            "192.0.2.90": (["IKE_AUTH_FAILED"], "down"),
        },
    ),
    ("asa_ikev1_mm_success.log", "asa9", {"203.0.113.5": ([], "up")}),
    ("asa_mm_wait_msg2.log", "asa9", {"203.0.113.10": (["PEER_UNREACHABLE"], "down")}),
    (
        "asa_psk_mismatch.log",
        "asa9",
        {
            "203.0.113.5": (["IKE_AUTH_FAILED"], "down"),
            "203.0.113.6": (["IKE_AUTH_FAILED"], "down"),  # the resend was answered
        },
    ),
    ("asa_policy_mismatch.log", "cisco_asa", {"192.0.2.60": (["IKE_POLICY_MISMATCH"], "down")}),
    (
        "asa_proxy_mismatch.log",
        "asa8.2",
        {
            "198.51.100.2": (["PROXY_ID_MISMATCH"], "down"),
            "192.0.2.77": (["PROXY_ID_MISMATCH"], "down"),
        },
    ),
    (
        "asa_ikev2_750003.log",
        "asa9",
        {
            "203.0.113.25": (["IKE_AUTH_FAILED"], "down"),
            "203.0.113.26": (["PROXY_ID_MISMATCH"], "down"),
            "203.0.113.27": ([], "up"),
        },
    ),
    ("pix6_402101.log", "pix6.3", {UNKNOWN_PEER: (["STALE_SA"], "down")}),
]


@pytest.mark.parametrize(("name", "platform", "expected"), CASES, ids=[c[0] for c in CASES])
def test_fixture_findings_per_peer(
    name: str, platform: str | None, expected: dict[str, tuple[list[str], str]]
) -> None:
    a = analyze(transcript(name), platform)
    assert by_peer(a) == expected
    for p in a.peers:
        assert p.lines > 0
        for f in p.findings:
            assert f.summary and "{" not in f.summary, f.summary
            assert f.next_steps and all("{" not in s for s in f.next_steps), f.next_steps
            assert 1 <= len([e for e in f.evidence if not e.startswith("recovered:")]) <= 5


@pytest.mark.parametrize(
    ("name", "peer", "first_evidence", "in_summary"),
    [
        # The most telling line first: the attribute named, the proxy refused, the state.
        ("asa_policy_mismatch.log", "192.0.2.60", "Group Description: Rcv'd: Group 2", ""),
        ("ios_policy_mismatch_responder.log", "192.0.2.20", "no offers accepted!", ""),
        ("ios_proxy_mismatch.log", "192.0.2.2", "proxy identities not supported", ""),
        ("ios_transform_mismatch.log", "192.0.2.40", "not supported for identity", ""),
        ("asa_mm_wait_msg2.log", "203.0.113.10", "713136", "stuck at MM_WAIT_MSG2"),
        ("ios_peer_not_responding.log", "203.0.113.10", "retransmitting", "stuck at MM_NO_STATE"),
        ("ios_psk_mismatch.log", "192.0.2.30", "reserved not zero", "stuck at MM_KEY_EXCH"),
        ("asa_psk_mismatch.log", "203.0.113.5", "invalid payloads", "stuck at MM_WAIT_MSG5"),
        ("asa_ikev2_750003.log", "203.0.113.25", "750003", "Failed to receive the AUTH msg"),
    ],
)
def test_strongest_evidence_first(
    name: str, peer: str, first_evidence: str, in_summary: str
) -> None:
    a = analyze(transcript(name))
    f = next(p for p in a.peers if p.peer == peer).findings[0]
    assert first_evidence in f.evidence[0]
    assert in_summary in f.summary


def test_policy_evidence_names_every_attribute_and_repeats_are_counted() -> None:
    a = analyze(transcript("ios_policy_mismatch_responder.log"))
    evidence = a.peers[0].findings[0].evidence
    for attribute in ("Encryption algorithm", "Hash algorithm", "Diffie-Hellman group"):
        assert any(attribute in e for e in evidence)
    a = analyze(transcript("ios_peer_not_responding.log"))
    evidence = a.peers[0].findings[0].evidence
    assert any(e.endswith("[x5]") and "attempt 1 of 5" in e for e in evidence)  # one shape
    assert any("Death by retransmission P1" in e for e in evidence)


def test_two_peers_are_judged_separately_and_conn_ids_attribute_lines() -> None:
    a = analyze(transcript("ios_two_peers.log"))
    peers = {p.peer: p for p in a.peers}
    # Lines of 203.0.113.80 name no address: `ISAKMP:(1012):` and `ISAKMP (0:1012):` do.
    unreachable = peers["203.0.113.80"]
    assert unreachable.messages["C01"] == 11 and unreachable.messages["C03"] == 1
    assert all("203.0.113.80" not in e for e in unreachable.findings[0].evidence[:3])
    # 192.0.2.70 resent MM5 once and was answered: no finding, and its lines stay its own.
    assert peers["192.0.2.70"].messages["C01"] == 2
    assert peers["192.0.2.70"].findings == []
    assert peers["192.0.2.90"].lines == 1


IOS = "*Nov 29 08:00:0{s}.000: "
C12 = IOS + "ISAKMP:(0):atts are not acceptable. Next payload is 0"
C13 = IOS + "ISAKMP:(0):Hash algorithm offered does not match policy!"
C14 = IOS + "ISAKMP:(0):no offers accepted!"
PEER = (
    IOS + "ISAKMP (0:0): received packet from 192.0.2.5 dport 500 sport 500 Global (R) MM_NO_STATE"
)
RESEND = "%ASA-7-713236: IP = 192.0.2.5, IKE_DECODE RESENDING Message (msgid=0) with payloads"
RECEIVED = "%ASA-7-713236: IP = 192.0.2.5, IKE_DECODE RECEIVED Message (msgid=0) with payloads"
BAD = (
    "%CRYPTO-4-IKMP_BAD_MESSAGE: IKE message from 192.0.2.5 failed its sanity check or is malformed"
)
P1_DONE = IOS + "ISAKMP:(1001):Old State = IKE_I_MM6  New State = IKE_P1_COMPLETE"
QM_FAIL = "%CRYPTO-6-IKMP_MODE_FAILURE: Processing of Quick mode failed with peer at 192.0.2.5"


def status(minute: int, second: int, event: str) -> str:
    return (
        f"*Nov 29 08:{minute:02d}:{second:02d}.000: %CRYPTO-5-SESSION_STATUS: Crypto tunnel is "
        f"{event}  .  Peer 192.0.2.5:500       Id: 192.0.2.5"
    )


RULES = [
    # (name, lines, {peer: (codes, health)})
    ("atts not acceptable alone", [PEER, C13, C12], {"192.0.2.5": ([], "up")}),
    (
        "atts not acceptable then no offers accepted",
        [PEER, C13, C12, C14],
        {"192.0.2.5": (["IKE_POLICY_MISMATCH"], "down")},
    ),
    (
        "rejection before the attribute lines does not adopt them",
        [PEER, C14, C12],
        {"192.0.2.5": (["IKE_POLICY_MISMATCH"], "down")},
    ),
    ("one resend is no outage", [RESEND], {"192.0.2.5": ([], "up")}),
    (
        "resends without reply",
        [RESEND, RESEND, RESEND],
        {"192.0.2.5": (["PEER_UNREACHABLE"], "down")},
    ),
    ("resends then a reply", [RESEND, RESEND, RECEIVED], {"192.0.2.5": ([], "up")}),
    (
        "reply then new resends without reply",
        [RESEND, RECEIVED, RESEND, RESEND],
        {"192.0.2.5": (["PEER_UNREACHABLE"], "down")},
    ),
    (
        "failure then phase 1 complete: recovered",
        [IOS + BAD, IOS + "ISAKMP (0:1001): received packet from 192.0.2.5", P1_DONE],
        {"192.0.2.5": (["IKE_AUTH_FAILED"], "up")},
    ),
    (
        "phase 1 complete does not recover a phase 2 failure",
        [IOS + QM_FAIL, IOS + "ISAKMP (0:1001): received packet from 192.0.2.5", P1_DONE],
        {"192.0.2.5": (["PHASE2_MISMATCH"], "down")},
    ),
    (
        "down and up three times: flapping",
        [status(m + dm, 0, ev) for m in (1, 3, 5) for dm, ev in ((0, "DOWN"), (1, "UP"))],
        {"192.0.2.5": (["FLAPPING"], "degraded")},
    ),
    (
        "down then up within the hold-down: a rekey, not a flap",
        [status(m, s, ev) for m in (1, 3, 5) for s, ev in ((0, "DOWN"), (2, "UP"))],
        {"192.0.2.5": ([], "up")},
    ),
]


@pytest.mark.parametrize(("name", "lines", "expected"), RULES, ids=[r[0] for r in RULES])
def test_rules_beyond_the_catalog(
    name: str, lines: list[str], expected: dict[str, tuple[list[str], str]]
) -> None:
    text = "\n".join(line.format(s=i % 10) for i, line in enumerate(lines))
    assert by_peer(analyze(text)) == expected


def test_recovered_finding_says_so_and_exits_zero() -> None:
    a = analyze(transcript("ios_invalid_spi_replay.log"))
    recovered = next(p for p in a.peers if p.peer == "192.0.2.50").findings[0]
    assert recovered.severity == "info"
    assert "recovered afterwards: tunnel up at Nov 29 11:07:33.902" in recovered.summary
    assert recovered.evidence[-1].startswith("recovered: ")


def test_unknown_lines_are_counted_and_summarised() -> None:
    text = "\n".join(
        [
            "*Mar  1 00:00:01.000: ISAKMP:(1001): processing vendor id payload",
            "*Mar  1 00:00:01.000: ISAKMP:(1002): processing vendor id payload",
            "*Mar  1 00:00:02.000: ISAKMP:(1003): processing vendor id payload",
            "*Mar  1 00:00:03.000: ISAKMP: local port 500, remote port 500",
            "*Mar  1 00:00:04.000: %CRYPTO-4-IKMP_BAD_MESSAGE: IKE message from 192.0.2.7 "
            "failed its sanity check or is malformed",
            "",
            "something else entirely 0x1F2E",
        ]
    )
    a = analyze(text)
    assert (a.lines, a.matched, a.unknown, a.noise["blank"]) == (7, 1, 5, 1)
    assert a.matched + a.unknown + sum(a.noise.values()) == a.lines  # nothing dropped
    shape, count, example = a.shapes[0]
    assert (shape, count) == ("ISAKMP:(<n>): processing vendor id payload", 3)
    assert example.startswith("*Mar  1 00:00:01.000: ISAKMP:(1001)")
    assert ("something else entirely <hex>", 1) in [(s, n) for s, n, _ in a.shapes]
    data = json.loads(render_json(a))
    assert data["unknown"]["count"] == 5 and data["unknown"]["distinct"] == 3
    assert data["unknown"]["shapes"][0] == {"shape": shape, "count": 3, "example": example}
    table = render_table(a)
    assert "Unknown lines: 5 in 3 shapes" in table
    assert re.search(r"^ +3 +ISAKMP:\(<n>\): processing vendor id payload$", table, re.M)


IOS_HEADER = (
    (
        "Syslog logging: enabled (0 messages dropped, 0 messages rate-limited, 0 flushes, "
        "0 overruns, xml disabled, filtering disabled)\n"
    )
    + """\

No Active Message Discriminator.

No Inactive Message Discriminator.

    Console logging: disabled
    Monitor logging: level debugging, 0 messages logged, xml disabled,
                     filtering disabled
    Buffer logging:  level debugging, 52 messages logged, xml disabled,
                    filtering disabled
    Exception Logging: size (4096 bytes)
    Count and timestamp logging messages: disabled
    Persistent logging: disabled

No active filter modules.

    Trap logging: level informational, 52 message lines logged
        Logging Source-Interface:       VRF Name:

Log Buffer (51200 bytes):
"""
)


def test_crlf_prompts_echoed_commands_and_logging_header() -> None:
    plain = transcript("ios_psk_mismatch.log")
    wrapped = "R-HQ#terminal length 0\nR-HQ#show logging\n" + IOS_HEADER + plain + "R-HQ#\n"
    crlf = wrapped.replace("\n", "\r\n") + " --More-- \x08\x08\x08\x08\x08\x08\x08\x08\x08\r\n"
    a, b = analyze(plain), analyze(crlf)
    assert by_peer(b) == by_peer(a) == {"192.0.2.30": (["IKE_AUTH_FAILED"], "down")}
    assert (b.matched, b.unknown) == (a.matched, a.unknown)
    assert b.noise["prompt"] == 3 and b.noise["header"] >= 15
    assert b.peers[0].first_seen == "Nov 29 09:14:02.115"
    assert b.peers[0].last_seen == "Nov 29 09:14:32.191"


def test_platform_given_detected_or_refused() -> None:
    assert analyze(transcript("asa_policy_mismatch.log")).platform == "asa9"
    assert analyze(transcript("pix6_402101.log")).platform == "pix6.3"
    given = analyze(transcript("asa_policy_mismatch.log"), "cisco_pix")
    assert (given.platform, given.platform_detected) == ("pix7", False)
    ios_lines = analyze(transcript("ios_psk_mismatch.log"), "asa9")  # ASA entries only
    assert ios_lines.peers == [] and ios_lines.matched == 0
    with pytest.raises(UsageError, match="unknown platform 'junos'"):
        analyze("x", "junos")


def test_next_steps_use_the_platform_commands_and_the_device() -> None:
    a = analyze(transcript("asa_policy_mismatch.log"), device="fw-asa9")
    steps = a.peers[0].findings[0].next_steps
    assert any("show running-config crypto ikev1" in s for s in steps)
    assert any("ipsec-ops debug peer 192.0.2.60 --host fw-asa9" in s for s in steps)
    unknown = analyze(transcript("pix6_402101.log")).peers[0].findings[0]
    assert "<peer>" in unknown.summary and "--host -" in unknown.next_steps[-1]


def test_table_and_json_renderings() -> None:
    a = analyze(transcript("asa_psk_mismatch.log"), device="fw-asa9")
    table = render_table(a)
    assert "\x1b[" not in table
    assert "IPsec debug analysis  device fw-asa9" in table
    assert "203.0.113.6" in table and "IKE_AUTH_FAILED" in table
    assert "INVALID_COOKIE" in table and "next" in table
    assert table.rstrip().endswith("critical, 0 warning, 0 info")
    assert "\x1b[" in render_table(a, styled=True)
    data = json.loads(render_json(a))
    assert data["exit_code"] == 2 and data["platform"] == "asa9"
    assert data["totals"]["findings"] == {"info": 0, "warning": 0, "critical": 2}
    peer = data["peers"][0]
    assert set(peer) == {
        "peer",
        "lines",
        "first_seen",
        "last_seen",
        "health",
        "messages",
        "findings",
    }
    assert set(peer["findings"][0]) == {"code", "severity", "summary", "evidence", "next_steps"}


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("ios_ikev1_success.log", 0),
        ("asa_ikev1_mm_success.log", 0),
        ("ios_psk_mismatch.log", 2),
        ("pix6_402101.log", 2),
    ],
)
def test_analyze_file_exit_codes(tmp_path: Path, name: str, code: int) -> None:
    path = tmp_path / name
    path.write_text(transcript(name), encoding="utf-8")
    text, exit_code = analyze_file(path, None, "table")
    assert exit_code == code and "Summary:" in text
    text, exit_code = analyze_file(path, None, "json")
    assert json.loads(text)["exit_code"] == exit_code == code
    # The fixture itself, with its source notes: `#` lines are ignored, the verdict is the same.
    text, exit_code = analyze_file(FIXTURES / name, None, "json")
    data = json.loads(text)
    assert exit_code == code and data["totals"]["ignored"]["comment"] >= 5
    assert {p["peer"]: [f["code"] for f in p["findings"]] for p in data["peers"]} == {
        p.peer: [f.code for f in p.findings] for p in analyze(transcript(name)).peers
    }


def test_analyze_file_warning_only_exits_one(tmp_path: Path) -> None:
    path = tmp_path / "replay.log"
    path.write_text(
        "*Nov 29 11:05:10.007: %CRYPTO-4-PKT_REPLAY_ERR: decrypt: replay check failed "
        "connection id=2003, sequence number=48211\n"
    )
    assert analyze_file(path, "ios15", "table")[1] == 1


def test_analyze_file_refuses_bad_input(tmp_path: Path) -> None:
    missing = tmp_path / "missing.log"
    with pytest.raises(InputFileError, match=re.escape("missing.log: file not found")):
        analyze_file(missing, None, "table")
    with pytest.raises(InputFileError, match="cannot read"):
        analyze_file(tmp_path, None, "table")  # a directory
    binary = tmp_path / "capture.pcap"
    binary.write_bytes(b"\xd4\xc3\xb2\xa1\x02\x00\x04\x00" + bytes(range(256)) * 4)
    with pytest.raises(InputFileError, match=re.escape("capture.pcap: binary file")):
        analyze_file(binary, None, "table")
    prose = tmp_path / "notes.txt"
    prose.write_text("Meeting notes\nCall the ISP about the circuit.\n")
    with pytest.raises(InputFileError, match=re.escape("notes.txt: no IPsec debug or syslog line")):
        analyze_file(prose, None, "table")
    empty = tmp_path / "empty.log"
    empty.write_text("")
    with pytest.raises(InputFileError, match=re.escape("empty.log")):
        analyze_file(empty, None, "table")
    header_only = tmp_path / "buffer.log"
    header_only.write_text("FW# show logging\nSyslog logging: enabled\n    Facility: 20\n")
    assert analyze_file(header_only, "asa9", "table")[1] == 0  # an empty buffer is fine
    with pytest.raises(UsageError, match="unknown format"):
        analyze_file(header_only, None, "csv")


# -- the lab's own logging buffers ------------------------------------------------------

# The finding each lab condition (the [tag] of a crypto map entry's description) must get.
CONDITION_CODES = {
    "healthy": None,
    "psk-mismatch": "IKE_AUTH_FAILED",
    "ike-policy-mismatch": "IKE_POLICY_MISMATCH",
    "acl-not-mirrored": "PROXY_ID_MISMATCH",
    "phase2-mismatch": "PHASE2_MISMATCH",
    "peer-unreachable": "PEER_UNREACHABLE",
    "stale-sa": "STALE_SA",
    "flapping": "FLAPPING",
    "one-way-traffic": "ONE_WAY_TRAFFIC",
    "no-interesting-traffic": None,
}
# IOS logs only "Processing of Quick mode failed" for a refused quick mode, whatever the
# reason (reference 3B C15): the syslog cannot tell unmirrored ACLs from transform sets.
IOS_SYSLOG = {"acl-not-mirrored": "PHASE2_MISMATCH"}
# Conditions a logging buffer does not show (the lab renders like the devices: IOS does not
# syslog retransmissions, the ASA logs them at debug level only, a frozen SA or one-way
# traffic logs nothing, PIX 6 logs negotiation failures at debug level only).
SILENT = {
    "ios": {"healthy", "peer-unreachable", "stale-sa", "no-interesting-traffic"},
    "asa": {"healthy", "peer-unreachable", "one-way-traffic", "no-interesting-traffic"},
    "pix6": set(CONDITION_CODES),
}
RENDER = {"ios": ios, "asa": asa, "pix6": pix6}


def test_lab_logging_buffers_give_the_codes_the_tunnel_descriptions_name() -> None:
    engine = Engine(load_scenario("default"))
    checked = 0
    for device in engine.scenario.devices:
        style = PERSONALITIES[device.family].style
        show_logging = dict(RENDER[style].commands(device.family))["show logging"]
        output = show_logging(context_for(engine, device.name), {})
        a = analyze(output, device.family, device.name)
        assert a.unknown == 0, a.shapes  # every line the lab prints is catalogued
        peers = {p.peer: p for p in a.peers}
        for entry in device.map_entries:
            condition = re.match(r"\[([\w-]+)\]", entry.description)
            assert condition, entry.description
            tag = condition.group(1)
            expected = CONDITION_CODES[tag]
            if style == "ios":
                expected = IOS_SYSLOG.get(tag, expected)
            found = peers.get(str(entry.peer))
            codes = [f.code for f in found.findings if f.severity != "info"] if found else []
            if found is None or not codes:
                assert tag in SILENT[style], f"{device.name} {entry.peer} [{tag}]: no finding"
                continue
            assert codes == [expected], f"{device.name} {entry.peer} [{tag}]: {codes}"
            checked += 1
        # ... and names only peers the device has: its map entries and (ra-hub, issue 10)
        # its Easy VPN clients.
        clients = {str(c.public) for c in device.ezvpn_clients}
        assert set(peers) <= {str(e.peer) for e in device.map_entries} | clients
    assert checked >= 10  # psk x4, policy x2, acl x2, phase 2, flapping


# -- the catalog ------------------------------------------------------------------------

ALLOWED_CODES = {
    "PEER_UNREACHABLE",
    "IKE_POLICY_MISMATCH",
    "IKE_AUTH_FAILED",
    "PHASE2_MISMATCH",
    "PROXY_ID_MISMATCH",
    "ONE_WAY_TRAFFIC",
    "IPSEC_ERRORS",
    "REPLAY_ERRORS",
    "STALE_SA",
    "SA_EXPIRING",
    "FLAPPING",
}


def test_catalog_entries_compile_are_unique_and_cover_the_reference() -> None:
    raw, _ = load(HERE / "messages.yaml")
    ids = [m["id"] for m in raw["messages"]]
    assert len(ids) == len(set(ids))
    for body in raw["messages"]:
        re.compile(body["pattern"])
        assert set(body["platforms"]) <= {"ios", "asa", "pix"}, body["id"]
        assert body["tag"] in ("D", "F", "E"), body["id"]
        assert body["code"] is None or body["code"] in ALLOWED_CODES, body["id"]
        assert body["meaning"] and body["cause"] and body["next_check"], body["id"]
    for pattern in raw["peer_patterns"]:
        assert "peer" in re.compile(pattern).groupindex
    numbers = {f"C{n:02d}" for n in range(1, 87)}
    if REFERENCE.exists():
        numbers = set(re.findall(r"\*\*(C\d\d)\*\*", REFERENCE.read_text(encoding="utf-8")))
        assert len(numbers) == 86
    assert numbers <= set(ids)
    assert len(knowledge().messages) == len(ids)


ASA = "%ASA-5-713257: "
GRP = "Group = 192.0.2.9, IP = 192.0.2.9, "


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        # Specific entries before the generic ones they overlap.
        (
            ASA + "Phase 2 failure: Mismatched attribute types for class Group Description: "
            "Rcv'd: Group 5 Cfg'd: Group 2",
            "C17Q",
        ),
        (
            ASA + "Phase 2 failure: Mismatched attribute types for class Encapsulation Mode: "
            "Rcv'd: UDP-Tunnel(NAT-T) Cfg'd: Tunnel",
            "C37",
        ),
        (
            ASA + "Phase 1 failure: Mismatched attribute types for class Hash Algorithm: "
            "Rcv'd: MD5 Cfg'd: SHA",
            "C17",
        ),
        (
            "%ASA-5-713068: "
            + GRP
            + "Received non-routine Notify message: No proposal chosen (14)",
            "C53N",
        ),
        (
            "%ASA-5-713068: IP = 192.0.2.9, Received non-routine Notify message: No proposal "
            "chosen (14)",
            "C16",
        ),
        (
            "%ASA-5-713068: " + GRP + "Received non-routine Notify message: Invalid ID info (18)",
            "C53I",
        ),
        ("%ASA-5-713068: " + GRP + "Received non-routine Notify message: Delete (12)", "C53"),
        ("%ASA-3-713048: IP = 192.0.2.9, Error processing payload: Payload ID: 1", "C35S"),
        ("%ASA-3-713048: IP = 192.0.2.9, Error processing payload: Payload ID: 14", "C35"),
        (
            "%ASA-4-750003: Local:198.51.100.3:500 Remote:192.0.2.9:500 Username:192.0.2.9 IKEv2 "
            "Negotiation aborted due to ERROR: There was no IPSEC policy found for received TS",
            "C80T",
        ),
        (
            "%ASA-4-750003: Local:198.51.100.3:500 Remote:192.0.2.9:500 Username:192.0.2.9 IKEv2 "
            "Negotiation aborted due to ERROR: Create child SA negotiation error",
            "C80",
        ),
        # Retransmissions are RESENDING only, not every 713236 line.
        ("%ASA-7-713236: IP = 192.0.2.9, IKE_DECODE RESENDING Message (msgid=0)", "C04"),
        ("%ASA-7-713236: IP = 192.0.2.9, IKE_DECODE SENDING Message (msgid=0)", None),
        ("%ASA-7-713236: IP = 192.0.2.9, IKE_DECODE RECEIVED Message (msgid=0)", "C04R"),
        # The ASA debug form carries the same text without the message id.
        (
            "Nov 29 12:30:41 [IKEv1]: IP = 192.0.2.9, IKE session establishment timed out "
            "[MM_WAIT_MSG4], aborting!",
            "C08",
        ),
        ("ISAKMP:(1001): processing NOTIFY PROPOSAL_NOT_CHOSEN protocol 3", "C43"),
        ("ISAKMP:(1001):Sending NOTIFY PROPOSAL_NOT_CHOSEN protocol 3", "C16S"),
        ("ISAKMP:(0):atts are not acceptable. Next payload is 3", "C12"),
        ("ISAKMP:(0):atts are acceptable. Next payload is 3", "C12A"),
        ("ISAKMP:(0):Preshared authentication offered but does not match policy!", "C13"),
        (
            "ISAKMP (0:1001): incrementing error counter on sa, attempt 2 of 5: retransmit phase 1",
            "C03b",
        ),
        ("%ASA-7-713906: IP = 192.0.2.9, Oakley proposal is acceptable", "C81"),
        ("%ASA-3-713902: IP = 192.0.2.9, an error the catalog does not know", None),
    ],
)
def test_catalog_order_specific_before_generic(line: str, expected: str | None) -> None:
    message = knowledge().match_message(line)
    assert (message.id if message else None) == expected


def test_the_asa_timeout_state_refines_its_finding() -> None:
    line = "%ASA-5-713136: IP = 192.0.2.9, IKE session establishment timed out [{}], aborting!"
    assert by_peer(analyze(line.format("MM_WAIT_MSG2")))["192.0.2.9"][0] == ["PEER_UNREACHABLE"]
    assert by_peer(analyze(line.format("MM_WAIT_MSG4")))["192.0.2.9"][0] == ["IKE_AUTH_FAILED"]
