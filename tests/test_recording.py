"""Recording runs in the history and reading it back into the report: FLAPPING from
history, the per-tunnel ``history`` object, Prometheus and Nagios with and without
history (checked with prometheus-client's own parser), charts in the daily HTML
(checked in headless Chromium), and ``health --db`` on the command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from ipsec_ops.bundle import read_bundle
from ipsec_ops.daily import report_date, run_daily
from ipsec_ops.health import build_report
from ipsec_ops.history import History
from ipsec_ops.isotime import utc_now
from ipsec_ops.model import Device, Finding, IkeSa, IpsecSa, Report, Tunnel
from ipsec_ops.recording import annotate, record_run
from ipsec_ops.reports import nagios, prom, render, sparkline
from ipsec_ops.settings import HistorySettings
from ipsec_ops.trends import FlapRule, TunnelHistory, snapshot_of, summarize
from tests.reports.png import has_block, read_png
from tests.reports.test_html import CHROMIUM_FLAGS, chromium, dump_dom

T0 = 1_795_000_000.0
HOUR = 3600.0
RULE = FlapRule(min_transitions=4, window_s=3600, hold_down_s=10)


def tunnel(peer: str, health: str, encaps: int = 100, decaps: int = 100) -> Tunnel:
    up = health in ("up", "degraded")
    sa = IpsecSa("10.1.0.0/24", "10.2.0.0/24", "0x1", "0xA" if up else None, encaps, decaps)
    findings = [] if up else [Finding("CONFIGURED_NOT_UP", "critical", "no IKE SA")]
    ike = IkeSa(1, "QM_IDLE" if up else "MM_NO_STATE", conn_id=1001)
    return Tunnel("hub1", peer, ike=ike, ipsec=[sa], health=health, findings=findings)


def report(*tunnels: Tunnel) -> Report:
    return Report(utc_now(), [Device("hub1", "cisco_ios", "ios15")], list(tunnels))


def flapping_window(healths: list[str], peer: str = "p1") -> list[TunnelHistory]:
    """The window of ``peer`` sampled every 5 minutes with these healths."""
    snaps = [
        snapshot_of(report(tunnel(peer, h, encaps=10 * i)), i, T0 + 300 * i)
        for i, h in enumerate(healths)
    ]
    return summarize(snaps, RULE)


# --------------------------------------------------------------------------- annotate


def test_history_flapping_adds_the_finding_and_degrades() -> None:
    window = flapping_window(["up", "down", "up", "down", "up"])
    assert window[0].flapping
    r = annotate(report(tunnel("p1", "up")), window, RULE)
    t = r.tunnels[0]
    assert [f.code for f in t.findings] == ["FLAPPING"]
    assert t.health == "degraded" and r.exit_code() == 1
    assert all(e.startswith("run history: ") for e in t.findings[0].evidence)
    assert "went down 2 times" in t.findings[0].summary
    assert t.findings[0].next_steps  # the knowledge's steps, filled in
    doc = t.to_json()
    assert doc["history"]["flapping"] is True and doc["history"]["transitions"] == 4


@pytest.mark.parametrize(
    ("healths", "flapping"),
    [
        (["up", "down", "up", "down", "up"], True),
        (["up", "up", "up", "up", "up"], False),
        (["up", "down", "down", "down", "down"], False),  # down once: not a flap
        (["up", "down", "up"], False),  # two transitions, under the threshold
    ],
)
def test_flapping_needs_the_threshold(healths: list[str], flapping: bool) -> None:
    r = annotate(report(tunnel("p1", healths[-1])), flapping_window(healths), RULE)
    assert ("FLAPPING" in [f.code for f in r.tunnels[0].findings]) is flapping


def test_a_flapping_finding_from_the_logs_is_not_doubled() -> None:
    t = tunnel("p1", "up")
    t.findings = [Finding("FLAPPING", "warning", "from the logging buffer")]
    t.health = "degraded"
    r = annotate(report(t), flapping_window(["up", "down", "up", "down", "up"]), RULE)
    assert [f.summary for f in r.tunnels[0].findings] == ["from the logging buffer"]


def test_a_tunnel_without_history_gets_none() -> None:
    r = annotate(report(tunnel("new-peer", "up")), flapping_window(["up", "up"]), RULE)
    assert r.tunnels[0].history is None and "history" not in r.tunnels[0].to_json()


def test_record_run_stores_the_flapping_it_found(tmp_path: Path) -> None:
    settings = HistorySettings(tmp_path / "h.db", since_s=HOUR)
    for i, h in enumerate(["up", "down", "up", "down", "up"]):
        got = record_run(report(tunnel("p1", h)), T0 + 300 * i, settings)
    assert got.window[0].flapping
    with History(settings.db) as hist:
        last = hist.snapshot(got.run)
        assert hist.integrity_check() == "ok"
    assert last.tunnels[("hub1", "p1")].findings == ("FLAPPING",)
    assert last.tunnels[("hub1", "p1")].health == "degraded"


def test_keep_days_prunes_old_runs(tmp_path: Path) -> None:
    day = 86400.0
    for i in range(5):
        got = record_run(
            report(tunnel("p1", "up")), T0 + i * day, HistorySettings(tmp_path / "h.db", day, 2)
        )
    assert got.pruned == 1  # each run prunes what fell out: the oldest one at the fifth
    with History(tmp_path / "h.db") as hist:
        assert [round((hist.snapshot(r).at - T0) / day) for r in hist.runs()] == [2, 3, 4]


# --------------------------------------------------------------------------- monitoring


def parsed(text: str) -> dict[str, dict[tuple[tuple[str, str], ...], float]]:
    """prometheus-client's reading of an exposition: family -> labels -> value."""
    out: dict[str, dict[tuple[tuple[str, str], ...], float]] = {}
    for fam in text_string_to_metric_families(text):
        for s in fam.samples:
            out.setdefault(s.name, {})[tuple(sorted(s.labels.items()))] = s.value
    return out


def test_prometheus_file_of_the_lab_parses_without_history(lab_bundle: Path) -> None:
    r = build_report(read_bundle(lab_bundle), utc_now())
    metrics = parsed(prom.render(r))
    assert len(metrics["ipsec_tunnel_health"]) == len(r.tunnels)
    down = sum(1 for t in r.tunnels if t.health == "down")
    assert sum(1 for v in metrics["ipsec_tunnel_health"].values() if v == 2) == down
    assert "ipsec_tunnel_availability_ratio" not in metrics  # no history: no such family
    assert metrics["ipsec_report_timestamp_seconds"][()] > 1.7e9


def test_prometheus_file_with_history_parses_and_carries_rates(tmp_path: Path) -> None:
    settings = HistorySettings(tmp_path / "h.db", since_s=HOUR)
    record_run(report(tunnel("p1", "up", 1000, 400), tunnel("p2", "down")), T0, settings)
    r = report(tunnel("p1", "up", 1600, 400), tunnel("p2", "down"))
    record_run(r, T0 + 300, settings)
    metrics = parsed(prom.render(r))
    p1 = (("device", "hub1"), ("peer", "p1"))
    p2 = (("device", "hub1"), ("peer", "p2"))
    assert metrics["ipsec_tunnel_out_packets_per_second"][p1] == 2.0  # 600 packets / 300 s
    assert metrics["ipsec_tunnel_in_packets_per_second"][p1] == 0.0  # one-way, seen across runs
    assert metrics["ipsec_tunnel_availability_ratio"] == {p1: 1.0, p2: 0.0}
    assert metrics["ipsec_tunnel_flapping"] == {p1: 0.0, p2: 0.0}


def test_nagios_perfdata_with_and_without_history(tmp_path: Path) -> None:
    plain = nagios.status_line(report(tunnel("p1", "up")))
    assert "flapping=" not in plain and plain.startswith("IPSEC OK - ")
    settings = HistorySettings(tmp_path / "h.db", since_s=HOUR)
    for i, h in enumerate(["up", "down", "up", "down", "up"]):
        r = report(tunnel("p1", h, encaps=300 * i, decaps=150 * i))
        record_run(r, T0 + 300 * i, settings)
    line = nagios.status_line(r)
    assert line.startswith("IPSEC WARNING - 0 down, 1 degraded, 0 up")
    perf = dict(item.split("=") for item in line.split(" | ")[1].split())
    assert perf["flapping"] == "1;;;0"
    assert perf["out_pps"] == "1.000;;;0" and perf["in_pps"] == "0.500;;;0"


def test_health_db_on_the_command_line(tmp_path: Path, lab_bundle: Path) -> None:
    db, prom_file = tmp_path / "h.db", tmp_path / "ipsec.prom"
    command = [sys.executable, "-m", "ipsec_ops", "health", "--from", str(lab_bundle)]
    for _ in range(2):
        run = subprocess.run(
            [*command, "--db", str(db), "--format", "prom", "--out", str(prom_file)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert run.returncode in (1, 2, 3), run.stderr
        assert run.stderr == ""
    metrics = parsed(prom_file.read_text())
    assert metrics["ipsec_tunnel_availability_ratio"]  # the history was read back
    with History(db) as hist:
        # The same bundle read twice is one reading: recorded once.
        assert len(hist.runs()) == 1 and hist.integrity_check() == "ok"
        stamps = [hist.snapshot(r).at for r in hist.runs()]
    # A saved bundle is recorded at its collection time, not at the time it was read.
    collected = json.loads(next(lab_bundle.glob("*/device.json")).read_text())["collected_at"]
    assert report_date(stamps[0]) == collected[:10]
    bad = subprocess.run(
        [*command, "--db", str(tmp_path), "--format", "json"], capture_output=True, text=True
    )
    assert bad.returncode == 64 or bad.returncode == 3
    assert bad.stderr.count("\n") == 1 and "Traceback" not in bad.stderr


# --------------------------------------------------------------------------- charts

UP_RGB, DOWN_RGB = (0x1A, 0x7F, 0x37), (0xCF, 0x22, 0x2E)  # --up and --down, light scheme


def charted(tmp_path: Path) -> Path:
    """A daily report whose history has p1 up for two hours, then down for two."""
    db, out = tmp_path / "h.db", tmp_path / "out"
    healths = ["up", "up", "down", "down", "down"]
    for i, h in enumerate(healths):
        r = report(tunnel("p1", h, 5000 * i), tunnel("p2", "up", 2000 * i, 1000 * i))
        run_daily(r, db, out, 4 * HOUR, T0 + i * HOUR, False)
    return out / "latest.html"


def test_daily_html_has_a_chart_per_tunnel(tmp_path: Path) -> None:
    page = charted(tmp_path).read_text()
    assert page.count('class="spark spark-state"') == 2
    assert page.count('class="spark spark-traffic"') == 2
    assert 'data-runs="5"' in page and 'data-intervals="4"' in page
    # p1's strip: two up bars then three down ones, each an hour wide on a 4-hour axis.
    bars = sparkline.state_bars(
        [(T0 + i * HOUR, h) for i, h in enumerate(["up", "up", "down", "down", "down"])],
        T0,
        T0 + 4 * HOUR,
    )
    assert [b[2] for b in bars] == ["up", "up", "down", "down", "down"]
    assert bars[0][:2] == (0.0, 40.0)


def test_daily_html_renders_its_charts_in_chromium(tmp_path: Path) -> None:
    page = charted(tmp_path)
    run = dump_dom(page, tmp_path / "profile")
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.count("<svg") >= 4 and "<polyline" in run.stdout
    console = [line for line in run.stderr.splitlines() if "CONSOLE" in line]
    assert not console, "\n".join(console)
    shot = tmp_path / "shot.png"
    subprocess.run(
        [
            chromium(),
            *CHROMIUM_FLAGS,
            f"--user-data-dir={tmp_path / 'profile2'}",
            "--force-color-profile=srgb",
            "--hide-scrollbars",
            "--window-size=1100,900",
            f"--screenshot={shot}",
            page.resolve().as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=90,
        check=True,
        stdin=subprocess.DEVNULL,
    )
    pixels = read_png(shot)
    # The state strips are drawn: solid bars (an hour = 40 px wide, 12 px high) in the
    # up colour and in the down colour; nothing else on the page is a block that size.
    assert has_block(pixels, UP_RGB, 30, 10)
    assert has_block(pixels, DOWN_RGB, 30, 10)


def test_render_of_json_keeps_the_contract_with_history(tmp_path: Path) -> None:
    settings = HistorySettings(tmp_path / "h.db", since_s=HOUR)
    r = report(tunnel("p1", "up"))
    record_run(r, T0, settings)
    doc = json.loads(render(r, "json"))
    t = doc["tunnels"][0]
    for key in ("device", "peer", "local", "ike", "ipsec", "health", "findings"):
        assert key in t
    assert t["history"]["samples"] == 1 and t["history"]["out_pps"] is None


def test_health_db_html_carries_the_history_panels(tmp_path: Path, lab_bundle: Path) -> None:
    db, page = tmp_path / "h.db", tmp_path / "health.html"
    command = [sys.executable, "-m", "ipsec_ops", "health", "--from", str(lab_bundle)]
    for _ in range(2):
        run = subprocess.run(
            [*command, "--db", str(db), "--format", "html", "--out", str(page)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert run.returncode in (1, 2, 3) and run.stderr == "", run.stderr
    html = page.read_text()
    tunnels = len(build_report(read_bundle(lab_bundle), utc_now()).tunnels)
    assert "Changes since the previous report" in html
    assert html.count('class="spark spark-state"') == tunnels
    assert html.count('data-runs="1"') == tunnels  # the same bundle twice is one run
    plain = subprocess.run([*command, "--format", "html"], capture_output=True, text=True)
    assert "spark-state" not in plain.stdout and "<html" in plain.stdout  # without --db: none


def test_the_same_reading_twice_is_recorded_once(tmp_path: Path) -> None:
    settings = HistorySettings(tmp_path / "h.db", since_s=HOUR)
    first = record_run(report(tunnel("p1", "up", 100, 100)), T0, settings)
    again = record_run(report(tunnel("p1", "up", 100, 100)), T0, settings)
    assert again.run == first.run and again.pruned == 0
    moved = record_run(report(tunnel("p1", "up", 160, 100)), T0, settings)  # other counters
    later = record_run(report(tunnel("p1", "down")), T0 + 300, settings)
    with History(settings.db) as hist:
        assert hist.runs() == [first.run, moved.run, later.run]
    assert [c.kind for c in later.changes] == ["down"]
    replay = record_run(report(tunnel("p1", "down")), T0 + 300, settings)
    assert replay.run == later.run and [c.kind for c in replay.changes] == ["down"]
