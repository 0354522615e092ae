"""Diagnosis rules, table-driven: a tunnel as the model holds it -> the findings it must get.

States, counters and log lines are the ones the reference (ipsec-facts.md sections
1-3) describes for each condition.
"""

from __future__ import annotations

import pytest

from ipsec_ops.diagnose import diagnose, diagnose_tunnel, health_of
from ipsec_ops.knowledge import knowledge
from ipsec_ops.model import Device, IkeSa, IpsecSa, Report, Tunnel
from ipsec_ops.platforms import family

IOS, ASA = family("ios15"), family("asa9")


def sa(encaps: int = 100, decaps: int = 100, **kw: object) -> IpsecSa:
    base: dict[str, object] = dict(
        local_ident="10.1.0.0/24",
        remote_ident="10.2.0.0/24",
        spi_in="0x1E8246FC",
        spi_out="0xDC15BF68",
        encaps=encaps,
        decaps=decaps,
        lifetime_s=3000,
        spis_out=["0xDC15BF68"],
    )
    base.update(kw)
    return IpsecSa(**base)  # type: ignore[arg-type]


def no_sa(no_sa_send: int = 0) -> IpsecSa:
    return IpsecSa(
        "10.1.0.0/24", "10.2.0.0/24", spi_out="0x0", encaps=0, decaps=0, no_sa_send=no_sa_send
    )


def tunnel(
    ike: IkeSa | None,
    ipsec: list[IpsecSa],
    status: str | None = None,
    logs: tuple[str, ...] = (),
    configured: bool = True,
    sa_lifetime_s: int | None = None,
) -> Tunnel:
    return Tunnel(
        sa_lifetime_s=sa_lifetime_s,
        device="r1",
        peer="203.0.113.2",
        local="198.51.100.1",
        configured=configured,
        acl="VPN-ACL",
        ike=ike,
        ipsec=ipsec,
        session_status=status,
        log_lines=list(logs),
    )


CASES = [
    # (name, platform family, tunnel, expected codes, expected health)
    ("healthy IOS", IOS, tunnel(IkeSa(1, "QM_IDLE"), [sa()], "UP-ACTIVE"), [], "up"),
    ("healthy ASA", ASA, tunnel(IkeSa(1, "MM_ACTIVE"), [sa()]), [], "up"),
    ("healthy IKEv2", IOS, tunnel(IkeSa(2, "READY"), [sa()], "UP-ACTIVE"), [], "up"),
    (
        "IOS MM_NO_STATE: unreachable",
        IOS,
        tunnel(IkeSa(1, "MM_NO_STATE"), [no_sa(40)], "DOWN-NEGOTIATING"),
        ["PEER_UNREACHABLE"],
        "down",
    ),
    (
        "ASA MM_WAIT_MSG2: unreachable",
        ASA,
        tunnel(IkeSa(1, "MM_WAIT_MSG2"), []),
        ["PEER_UNREACHABLE"],
        "down",
    ),
    (
        "ASA MSG2 + no proposal chosen: policy",
        ASA,
        tunnel(
            IkeSa(1, "MM_WAIT_MSG2"),
            [],
            logs=(
                "%ASA-5-713068: IP = 203.0.113.2, Received non-routine Notify message: "
                "No proposal chosen (14)",
            ),
        ),
        ["IKE_POLICY_MISMATCH"],
        "down",
    ),
    (
        "IOS main mode failure: policy",
        IOS,
        tunnel(
            IkeSa(1, "MM_NO_STATE"),
            [no_sa(5)],
            logs=(
                "*Nov 29 08:00:01.123: %CRYPTO-6-IKMP_MODE_FAILURE: Processing of Main mode failed "
                "with peer at 203.0.113.2",
            ),
        ),
        ["IKE_POLICY_MISMATCH"],
        "down",
    ),
    (
        "IOS MM_KEY_EXCH: PSK",
        IOS,
        tunnel(IkeSa(1, "MM_KEY_EXCH"), [no_sa(5)]),
        ["IKE_AUTH_FAILED"],
        "down",
    ),
    (
        "ASA MSG6: PSK",
        ASA,
        tunnel(IkeSa(1, "MM_WAIT_MSG6", role="initiator"), []),
        ["IKE_AUTH_FAILED"],
        "down",
    ),
    (
        "ASA MSG5: PSK",
        ASA,
        tunnel(IkeSa(1, "MM_WAIT_MSG5", role="responder"), []),
        ["IKE_AUTH_FAILED"],
        "down",
    ),
    (
        "QM_IDLE without IPsec SA: phase 2",
        IOS,
        tunnel(IkeSa(1, "QM_IDLE"), [no_sa(9)], "UP-IDLE"),
        ["PHASE2_MISMATCH"],
        "down",
    ),
    (
        "ASA 713061: proxies",
        ASA,
        tunnel(
            IkeSa(1, "MM_ACTIVE"),
            [],
            logs=(
                "%ASA-3-713061: Group = 203.0.113.2, IP = 203.0.113.2, Rejecting IPSec tunnel: no "
                "matching crypto map entry for remote proxy 10.2.0.0/255.255.255.0/0/0 local proxy "
                "10.1.0.0/255.255.255.0/0/0 on interface outside",
            ),
        ),
        ["PROXY_ID_MISMATCH"],
        "down",
    ),
    (
        "encaps rising, decaps 0: one way",
        ASA,
        tunnel(IkeSa(1, "MM_ACTIVE"), [sa(5000, 0)]),
        ["ONE_WAY_TRAFFIC"],
        "down",
    ),
    (
        "decaps only: one way the other way",
        IOS,
        tunnel(IkeSa(1, "QM_IDLE"), [sa(0, 5000)], "UP-ACTIVE"),
        ["ONE_WAY_TRAFFIC"],
        "down",
    ),
    (
        "both zero but SA up: not one way",
        IOS,
        tunnel(IkeSa(1, "QM_IDLE"), [sa(0, 0)], "UP-ACTIVE"),
        [],
        "up",
    ),
    (
        "configured, nothing at all: no traffic",
        IOS,
        tunnel(None, [no_sa(0)], "DOWN"),
        ["CONFIGURED_NOT_UP", "NO_INTERESTING_TRAFFIC"],
        "degraded",
    ),
    (
        "configured, no IKE, packets without SA",
        IOS,
        tunnel(None, [no_sa(120)], "DOWN-NEGOTIATING"),
        ["CONFIGURED_NOT_UP"],
        "down",
    ),
    ("UP-NO-IKE: stale", IOS, tunnel(None, [sa(900, 900)], "UP-NO-IKE"), ["STALE_SA"], "down"),
    (
        "recv errors",
        ASA,
        tunnel(IkeSa(1, "MM_ACTIVE"), [sa(recv_errors=12)]),
        ["IPSEC_ERRORS"],
        "degraded",
    ),
    (
        "replay drops",
        IOS,
        tunnel(IkeSa(1, "QM_IDLE"), [sa(replay_failed=3)], "UP-ACTIVE"),
        ["REPLAY_ERRORS"],
        "degraded",
    ),
    (
        "lifetime almost spent, no successor",
        IOS,
        tunnel(IkeSa(1, "QM_IDLE"), [sa(lifetime_s=60)], "UP-ACTIVE"),
        ["SA_EXPIRING"],
        "degraded",
    ),
    (
        "an 8 h map lifetime may meet a peer's 1 h: 1000 s left is not expiring",
        ASA,
        tunnel(IkeSa(1, "MM_ACTIVE"), [sa(lifetime_s=1000)], sa_lifetime_s=28800),
        [],
        "up",
    ),
    (
        "100 s left of an 8 h map lifetime, no successor",
        ASA,
        tunnel(IkeSa(1, "MM_ACTIVE"), [sa(lifetime_s=100)], sa_lifetime_s=28800),
        ["SA_EXPIRING"],
        "degraded",
    ),
    (
        "10 s left of a 300 s map lifetime, no successor",
        IOS,
        tunnel(IkeSa(1, "QM_IDLE"), [sa(lifetime_s=10)], "UP-ACTIVE", sa_lifetime_s=300),
        ["SA_EXPIRING"],
        "degraded",
    ),
    (
        "a short configured lifetime is not expiring at 100 of 300 s",
        IOS,
        tunnel(IkeSa(1, "QM_IDLE"), [sa(lifetime_s=100)], "UP-ACTIVE", sa_lifetime_s=300),
        [],
        "up",
    ),
    (
        "flapping in the log",
        IOS,
        tunnel(
            IkeSa(1, "QM_IDLE"),
            [sa()],
            "UP-ACTIVE",
            logs=tuple(
                f"*Nov 29 08:0{i}:00.000: %CRYPTO-5-SESSION_STATUS: Crypto tunnel is {ev}.  Peer "
                f"203.0.113.2:500       Id: 203.0.113.2"
                for i, ev in enumerate(["DOWN", "UP", "DOWN", "UP", "DOWN", "UP"])
            ),
        ),
        ["FLAPPING"],
        "degraded",
    ),
    (
        "one down is not a flap",
        IOS,
        tunnel(
            IkeSa(1, "QM_IDLE"),
            [sa()],
            "UP-ACTIVE",
            logs=(
                "*Nov 29 08:00:00.000: %CRYPTO-5-SESSION_STATUS: Crypto tunnel is DOWN.  Peer "
                "203.0.113.2:500       Id: 203.0.113.2",
            ),
        ),
        [],
        "up",
    ),
]


@pytest.mark.parametrize(("name", "fam", "t", "codes", "health"), CASES, ids=[c[0] for c in CASES])
def test_rules(name: str, fam: object, t: Tunnel, codes: list[str], health: str) -> None:
    diagnose_tunnel(t, fam)  # type: ignore[arg-type]
    assert [f.code for f in t.findings] == codes
    assert t.health == health
    for f in t.findings:
        assert f.summary and "{" not in f.summary, f.summary
        assert f.next_steps and all("{" not in s for s in f.next_steps)
        assert f.evidence


def test_next_steps_follow_the_procedure_order() -> None:
    t = tunnel(IkeSa(1, "QM_IDLE"), [sa(5000, 0)], "UP-ACTIVE")
    diagnose_tunnel(t, IOS)
    steps = t.findings[0].next_steps
    assert "hit counts" in steps[0] and "show access-lists VPN-ACL" in steps[0]
    assert "route" in steps[1] and "show ip route 203.0.113.2" in steps[1]
    assert "ipsec-ops debug peer 203.0.113.2 --host r1" in steps[-1]


def test_unmirrored_acls_across_two_ends_give_proxy_mismatch() -> None:
    a = tunnel(IkeSa(1, "QM_IDLE"), [no_sa(3)], "UP-IDLE")
    a.acl_lines = ["10.1.0.0/24 10.2.0.0/24"]
    b = Tunnel(
        device="r2",
        peer="198.51.100.1",
        local="203.0.113.2",
        configured=True,
        acl="B-ACL",
        acl_lines=["10.2.0.0/16 10.1.0.0/24"],
        ike=IkeSa(1, "QM_IDLE"),
        ipsec=[no_sa(2)],
        session_status="UP-IDLE",
    )
    mirrored = Tunnel(
        device="r3",
        peer="198.51.100.1",
        local="203.0.113.9",
        configured=True,
        acl_lines=["10.2.0.0/24 10.1.0.0/24"],
        ike=IkeSa(1, "QM_IDLE"),
        ipsec=[no_sa(2)],
        session_status="UP-IDLE",
    )
    report = Report(
        "2026-11-29T08:00:00Z",
        [
            Device("r1", "cisco_ios", "ios15"),
            Device("r2", "cisco_ios", "ios15"),
            Device("r3", "cisco_ios", "ios15"),
        ],
        [a, b, mirrored],
    )
    diagnose(report)
    assert [f.code for f in a.findings] == ["PROXY_ID_MISMATCH"]
    assert [f.code for f in b.findings] == ["PROXY_ID_MISMATCH"]
    assert [f.code for f in mirrored.findings] == ["PHASE2_MISMATCH"]
    assert any("10.2.0.0/16" in e for e in a.findings[0].evidence)


def test_knowledge_files_are_consistent() -> None:
    k = knowledge()
    assert set(k.codes) >= {
        "CONFIGURED_NOT_UP",
        "PEER_UNREACHABLE",
        "IKE_POLICY_MISMATCH",
        "IKE_AUTH_FAILED",
        "PHASE2_MISMATCH",
        "PROXY_ID_MISMATCH",
        "ONE_WAY_TRAFFIC",
        "NO_INTERESTING_TRAFFIC",
        "IPSEC_ERRORS",
        "REPLAY_ERRORS",
        "STALE_SA",
        "SA_EXPIRING",
        "FLAPPING",
        "DEBUG_LEFT_ON",
        "COLLECTION_FAILED",
    }
    ids = [m.id for m in k.messages]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize(
    ("line", "expected_id", "peer"),
    [
        (
            "%ASA-3-713902: Group = 203.0.113.9, IP = 203.0.113.9, All IPSec SA proposals found "
            "unacceptable!",
            "C42",
            "203.0.113.9",
        ),
        (
            "%CRYPTO-4-IKMP_BAD_MESSAGE: IKE message from 192.0.2.7 failed its sanity check or is "
            "malformed",
            "C22",
            "192.0.2.7",
        ),
        (
            "%CRYPTO-4-RECVD_PKT_INV_SPI: decaps: rec'd IPSEC packet has invalid spi for "
            "destaddr=198.51.100.1, prot=50, spi=0x2F3A(12090), srcaddr=192.0.2.7",
            "C56",
            "192.0.2.7",
        ),
        (
            "%ASA-5-713257: Phase 1 failure: Mismatched attribute types for class "
            "Group Description: Rcv'd: Group 2 Cfg'd: Group 5",
            "C17",
            None,
        ),
    ],
)
def test_message_catalog_matches_reference_lines(
    line: str, expected_id: str, peer: str | None
) -> None:
    k = knowledge()
    message = k.match_message(line)
    assert message is not None and message.id == expected_id
    assert k.peer_of(line, message) == peer


def test_health_of_worst_severity() -> None:
    assert health_of([]) == "up"


def test_responder_that_refused_keeps_no_sa_but_logged_why() -> None:
    t = tunnel(
        None, [], logs=("%PIX-3-713902: IP = 203.0.113.2, All SA proposals found unacceptable",)
    )
    diagnose_tunnel(t, ASA)
    assert [f.code for f in t.findings] == ["CONFIGURED_NOT_UP", "IKE_POLICY_MISMATCH"]
    assert t.health == "down"
    assert "All SA proposals" in t.findings[1].evidence[0]
