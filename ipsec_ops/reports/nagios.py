"""Nagios plugin output: one status line with perfdata, then one line per problem.

The state follows :meth:`Report.exit_code` (0 OK, 1 WARNING, 2 CRITICAL,
3 UNKNOWN), so a check command can ``exit`` with :func:`nagios_state`'s code.
Long output lines carry device strings with ``|`` replaced by ``/``, because
Nagios reads everything after the first ``|`` of the long output as perfdata.
"""

from __future__ import annotations

from ipsec_ops.model import Finding, Report
from ipsec_ops.reports import common


def nagios_state(report: Report) -> tuple[int, str]:
    """The plugin exit code and its word, like ``(2, "CRITICAL")``."""
    code = report.exit_code()
    return code, common.STATE_WORDS.get(code, "UNKNOWN")


def _clean(text: str) -> str:
    """``text`` on one line without ``|`` (which would start perfdata).

    >>> _clean("Branch 20 | backup\\nISP")
    'Branch 20 / backup ISP'
    """
    return common.one_line(text).replace("|", "/")


def status_line(report: Report) -> str:
    """``IPSEC <STATE> - <n> down, <n> degraded, <n> up[, ...] | <perfdata>``.

    Optional parts, only when not zero: tunnels whose health is unknown, devices
    that could not be read, and findings about readable devices themselves (they
    alone can make the state WARNING).
    """
    _, word = nagios_state(report)
    s = common.summary(report)
    text = f"IPSEC {word} - {s['down']} down, {s['degraded']} degraded, {s['up']} up"
    unknown_tunnels = sum(1 for t in report.tunnels if t.health == "unknown")
    if unknown_tunnels:
        text += f", {unknown_tunnels} unknown"
    if s["devices_unreadable"]:
        text += f", {s['devices_unreadable']} devices unreadable"
    device_findings = sum(len(d.findings) for d in report.devices if d.status == "ok")
    if device_findings:
        text += f", {device_findings} device findings"
    perf = " ".join(f"{h}={s[h]};;;0" for h in ("up", "degraded", "down", "unknown"))
    return f"{text} | {perf}{history_perfdata(report)}"


def history_perfdata(report: Report) -> str:
    """Extra perfdata of a run recorded with ``--db``: tunnels flapping in the history,
    and the fleet's packets per second out and in since the previous run ("" without).
    """
    hist = [t.history for t in report.tunnels if t.history is not None]
    if not hist:
        return ""
    flapping = sum(1 for h in hist if h.flapping)
    rates = [h.last_rate for h in hist if h.last_rate is not None]
    out_pps = sum(r.out_pps for r in rates)
    in_pps = sum(r.in_pps for r in rates)
    return f" flapping={flapping};;;0 out_pps={out_pps:.3f};;;0 in_pps={in_pps:.3f};;;0"


def _line(where: str, findings: list[Finding], fallback: str) -> str:
    """``where: CODE summary`` for the first finding, naming any further codes."""
    if not findings:
        return _clean(f"{where}: {fallback}")
    first, more = findings[0], common.codes(findings[1:])
    extra = f" (also {', '.join(more)})" if more else ""
    return _clean(f"{where}: {first.code} {first.summary}{extra}")


def long_output(report: Report) -> list[str]:
    """Detail lines, worst first: devices not read, device findings, then non-up tunnels."""
    lines = [
        _line(d.name, d.findings, f"COLLECTION_FAILED {d.error or 'not read'}")
        for d in common.failed_devices(report)
    ]
    lines += [
        _line(d.name, d.findings, "") for d in report.devices if d.status == "ok" and d.findings
    ]
    sick = [t for g in common.device_groups(report) for t in g.tunnels if t.health != "up"]
    # Down tunnels of every device before any degraded one: the first lines are what pages.
    sick.sort(key=lambda t: common.health_rank(t.health))
    lines += [_line(f"{t.device} {t.peer}", t.findings, t.health) for t in sick]
    return lines


def render(report: Report) -> str:
    """The full plugin output: status line, then long output, ending with a newline."""
    return "\n".join([status_line(report), *long_output(report)]) + "\n"
