"""The daily report over time: a lab whose clock the test moves, collected over SSH.

Seven runs of ``report daily`` against a two-router lab, each recorded at the lab's
time (the devices' own clock), with the clock moved between runs:

* a flapping tunnel caught up, down, up, down, up: "went down" and "came back" in
  the changes, then FLAPPING (history) once four transitions fall within the hour;
* a healthy pair whose SAs rekey (new SPIs) between two runs: never a transition,
  never flapping;
* the healthy pair cleared between two runs: its counters restart from zero, the
  delta is the new value (never negative) and the reset is flagged.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ipsec_ops.daily import DailyResult, run_daily
from ipsec_ops.gather import gather
from ipsec_ops.history import History
from ipsec_ops.lab.engine import LabClock
from ipsec_ops.lab.runtime import Lab
from ipsec_ops.lab.scenario import scenario_from_text
from ipsec_ops.lab.timeline import RENEGOTIATE_S
from ipsec_ops.options import DeviceOptions
from ipsec_ops.trends import FlapRule, TunnelHistory

SCENARIO = """
name: daily-clock
description: a healthy router pair and a flapping partner tunnel
defaults: {username: admin, password: Pw-Daily-1, enable_secret: En-Daily-2}
devices:
  left:
    platform: cisco_ios
    family: ios15
    interfaces: [{name: Gi0/0, address: 192.0.2.11/24, crypto_map: VPN}]
    crypto_map:
      - {peer: 192.0.2.12, acl: ["10.11.0.0/24 10.12.0.0/24"], psk: K-P, transform_set: TS}
      - {peer: 203.0.113.6, acl: ["10.11.6.0/24 10.9.6.0/24"], psk: K-6, transform_set: TS,
         faults: [flapping]}
  right:
    platform: cisco_ios
    family: ios15
    interfaces: [{name: Gi0/0, address: 192.0.2.12/24, crypto_map: VPN}]
    crypto_map:
      - {peer: 192.0.2.11, acl: ["10.12.0.0/24 10.11.0.0/24"], psk: K-P, transform_set: TS}
peers:
  - {address: 203.0.113.6, psk: K-6}
"""
FLAPPER = "203.0.113.6"
PAIR = "192.0.2.12"
DAY = 86400.0
MARGIN_S = 20.0  # the state must hold this long around a run (collection takes seconds)


@dataclass
class Runs:
    results: list[DailyResult]
    labels: list[str]
    docs: list[dict[str, Any]]  # latest.json after each run
    db: Path
    out: Path

    def changes(self, label: str) -> list[tuple[str, str | None, str]]:
        result = self.results[self.labels.index(label)]
        return [(c.kind, c.device, c.peer) for c in result.changes]

    def history(self, label: str, peer: str) -> TunnelHistory:
        result = self.results[self.labels.index(label)]
        return next(h for h in result.availability if h.device == "left" and h.peer == peer)


def link(lab: Lab, peer: str, at: float) -> str:
    """The flapping tunnel's state in the lab engine at lab time ``at``: up or down."""
    node = lab.node("left")
    view = next(v for v in lab.engine.tunnels(node.device, at) if str(v.peer) == peer)
    return "up" if view.session_status.startswith("UP-ACTIVE") else "down"


def move_to(lab: Lab, clock: LabClock, peer: str, want: str) -> None:
    """Advance the lab clock to the next moment ``peer`` is ``want`` and stays so."""
    t = clock.now() + 1
    for _ in range(2000):
        window = [t + s for s in (-2.0, 0.0, MARGIN_S / 2, MARGIN_S)]
        if all(link(lab, peer, x) == want for x in window):
            clock.advance(t - clock.now())
            return
        t += 2
    raise AssertionError(f"{peer} never {want} in the lab timeline")


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runs]:
    tmp = tmp_path_factory.mktemp("daily-lab")
    clock = LabClock()
    lab = Lab(scenario_from_text(SCENARIO), clock=clock).start()
    try:
        folder = lab.write_inventory(tmp / "inv")
        devices = DeviceOptions(inventory=folder, known_hosts=folder / "known_hosts", quiet=True)
        db, out = tmp / "history.db", tmp / "reports"
        done = Runs([], [], [], db, out)

        def run(label: str) -> None:
            got = gather(devices, None, quiet=True)
            assert all(d.status == "ok" for d in got.report.devices), got.report.devices
            # Recorded at the devices' time: the lab clock the test moves.
            done.results.append(run_daily(got.report, db, out, DAY, clock.now(), False))
            done.labels.append(label)
            done.docs.append(json.loads((out / "latest.json").read_text()))

        for label, want in (("a", "up"), ("b", "down"), ("c", "up"), ("d", "down"), ("e", "up")):
            move_to(lab, clock, FLAPPER, want)
            run(label)
        # Past the pair's soft lifetime (0.9 x 3600 s): its SAs rekeyed, new SPIs.
        clock.advance(3300)
        run("rekeyed")
        # A clear of the pair: counters start again from zero after renegotiation.
        lab.engine.clear(lab.node("left").device, lab.node("left").device.map_entries[0].peer)
        clock.advance(RENEGOTIATE_S + 30)
        run("cleared")
        yield done
    finally:
        lab.stop()


def test_tunnel_down_and_back_between_runs_appears_in_changes(runs: Runs) -> None:
    assert ("down", "left", FLAPPER) in runs.changes("b")
    assert ("up", "left", FLAPPER) in runs.changes("c")
    # The healthy pair never changed in those runs.
    assert not [c for c in runs.changes("b") + runs.changes("c") if c[2] == PAIR]
    kinds = [c["kind"] for c in runs.docs[runs.labels.index("b")]["changes"]]
    assert "down" in kinds


def test_flapping_tunnel_is_flagged_from_history(runs: Runs) -> None:
    rule = FlapRule.from_knowledge()
    assert rule.min_transitions == 4  # the runs below are built for this threshold
    before = runs.history("d", FLAPPER)
    assert len(before.transitions) == 3 and not before.flapping
    flagged = runs.history("e", FLAPPER)
    assert len(flagged.transitions) == 4 and flagged.flapping
    assert ("flapping", "left", FLAPPER) in runs.changes("e")
    # The report of that run carries FLAPPING on the tunnel, and its history.
    doc = runs.docs[runs.labels.index("e")]
    tunnel = next(t for t in doc["tunnels"] if t["device"] == "left" and t["peer"] == FLAPPER)
    assert "FLAPPING" in [f["code"] for f in tunnel["findings"]]
    assert tunnel["history"]["flapping"] is True and tunnel["history"]["transitions"] == 4
    with History(runs.db) as h:
        stored = h.snapshot(h.runs()[runs.labels.index("e")])
    assert "FLAPPING" in stored.tunnels[("left", FLAPPER)].findings


def test_a_rekey_is_not_a_flap(runs: Runs) -> None:
    with History(runs.db) as h:
        snaps = [h.snapshot(r) for r in h.runs()]
    spis = [s.tunnels[("left", PAIR)].spi_out for s in snaps]
    before, after = spis[runs.labels.index("e")], spis[runs.labels.index("rekeyed")]
    assert before and after and before != after  # the SAs really rekeyed
    pair = runs.history("rekeyed", PAIR)
    assert pair.transitions == [] and not pair.flapping
    assert pair.availability == 1.0
    assert not [c for c in runs.changes("rekeyed") if c[2] == PAIR]


def test_counter_reset_after_a_clear_is_never_negative(runs: Runs) -> None:
    with History(runs.db) as h:
        snaps = [h.snapshot(r) for r in h.runs()]
    prev = snaps[runs.labels.index("rekeyed")].tunnels[("left", PAIR)]
    cur = snaps[runs.labels.index("cleared")].tunnels[("left", PAIR)]
    assert cur.encaps < prev.encaps  # the lab really restarted the counters
    last = runs.history("cleared", PAIR).last_rate
    assert last is not None and last.reset
    assert last.encaps == cur.encaps and last.decaps == cur.decaps  # the new value, not negative
    assert last.out_pps >= 0 and last.in_pps >= 0
    assert not [c for c in runs.changes("cleared") if c[2] == PAIR and c[0] == "down"]
    doc = json.loads((runs.out / "latest.json").read_text())
    pair = next(t for t in doc["tunnels"] if t["device"] == "left" and t["peer"] == PAIR)
    assert pair["history"]["counter_reset"] is True and pair["history"]["out_pps"] >= 0
