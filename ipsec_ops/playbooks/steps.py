"""The read-only and bookkeeping steps: health, collect, report, assert, wait.

Each takes its checked step and the run's :class:`Context` and returns a
:class:`StepResult`; under ``--dry-run`` it says what it would do (a health step
still reads the devices when a later clear plans from its result).
"""

from __future__ import annotations

import time
from pathlib import Path

from ipsec_ops import reports
from ipsec_ops.errors import EXIT_UNKNOWN
from ipsec_ops.model import Report
from ipsec_ops.playbooks.asserts import Key, evaluate, referenced
from ipsec_ops.playbooks.context import (
    EXIT_ASSERT,
    Context,
    StepFailed,
    StepResult,
    health_summary,
    not_up,
)
from ipsec_ops.playbooks.spec import AssertStep, CollectStep, HealthStep, ReportStep, WaitStep
from ipsec_ops.selection import select


def make_parent(path: Path) -> None:
    """Create the folder of an output file (a folder that cannot be made fails the step)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StepFailed(f"cannot create {path.parent}: {exc.strerror or exc}") from exc


def _outputs(step: HealthStep) -> str:
    if not step.out:
        return f"print it as {step.format}"
    return "write " + ", ".join(f"{fmt} to {path}" for fmt, path in step.out.items())


def run_health(step: HealthStep, ctx: Context) -> StepResult:
    """Collect the selected hosts, judge every tunnel, write or print the report."""
    hosts = ctx.hosts_for(step.select)
    if ctx.dry_run and step.id not in ctx.needed:
        return StepResult("planned", summary=f"would read {len(hosts)} hosts and {_outputs(step)}")
    report = ctx.collect_report(hosts)
    written: dict[str, str] = {}
    if ctx.dry_run:
        ctx.detail(f"read for the plan of a later clear; would {_outputs(step)}")
    elif step.out:
        for fmt, path in step.out.items():
            make_parent(path)
            reports.write_report(report, fmt, path)
            written[fmt] = str(path)
    elif not ctx.quiet:
        text = reports.render(report, step.format)
        for line in text.rstrip("\n").splitlines():
            ctx.echo(line)
    return StepResult(
        "planned" if ctx.dry_run else "ok",
        code=report.exit_code(),
        summary=health_summary(report),
        data={
            "hosts": [h.name for h in hosts],
            "counts": report.counts(),
            "exit_code": report.exit_code(),
            "outputs": written,
            "not_up": not_up(report),
        },
        report=report,
    )


def run_collect(step: CollectStep, ctx: Context) -> StepResult:
    """Write a capture bundle of the selected hosts."""
    from ipsec_ops.collect import collect

    hosts = ctx.hosts_for(step.select)
    if ctx.dry_run:
        return StepResult("planned", summary=f"would collect {len(hosts)} hosts into {step.out}")
    run = collect(hosts, step.out, ctx.settings, ctx.redactor)
    if run.interrupted:
        raise KeyboardInterrupt
    devices = {o.host.name: "ok" if o.ok else o.error_kind for o in run.outcomes}
    failed = [f"{name}: {status}" for name, status in devices.items() if status != "ok"]
    for line in failed:
        ctx.note(line)
    ok = len(devices) - len(failed)
    return StepResult(
        code=EXIT_UNKNOWN if failed else 0,
        summary=f"collected {ok} of {len(devices)} devices into {step.out}",
        data={"out": str(step.out), "devices": devices},
    )


def run_report(step: ReportStep, ctx: Context) -> StepResult:
    """Record a health report in the history and write the dated daily report."""
    from ipsec_ops.daily import run_daily
    from ipsec_ops.isotime import epoch

    where = f"record it in {step.db} and write the daily report to {step.out}"
    if ctx.dry_run:
        source = f"step {step.source}'s report" if step.source else "the selected hosts"
        return StepResult("planned", summary=f"would take {source}, {where}")
    report: Report = (
        ctx.report_of(step.source)
        if step.source
        else ctx.collect_report(ctx.hosts_for(step.select))
    )
    # Recorded when the state was read (the health step's report time), not now.
    at = epoch(report.generated_at) or time.time()
    done = run_daily(report, step.db, step.out, step.since_s, at, step.csv)
    files = [str(p) for p in done.files]
    return StepResult(
        code=done.exit_code,
        summary=f"run {done.run}: {len(done.changes)} changes since the previous report; "
        f"{health_summary(report)}; wrote {len(files)} files to {step.out}",
        data={
            "run": done.run,
            "previous_run": done.previous_run,
            "changes": len(done.changes),
            "files": files,
            "exit_code": done.exit_code,
            "counts": report.counts(),
        },
        report=report,
    )


def describe(step: AssertStep) -> str:
    """The assert in words, for the log and the dry run."""
    what = "tunnels"
    ref = step.tunnels.source
    if ref is not None:
        filters = [*ref.finding, *ref.health]
        what = f"the tunnels step {ref.step} " + (
            f"found {'/'.join(filters)}" if filters else "names"
        )
    if step.tunnels.devices is not None or step.tunnels.peers:
        what += " (filtered)"
    cond = " and ".join(
        part
        for part in (
            "health " + "/".join(step.fail_health) if step.fail_health else "",
            "finding " + "/".join(step.fail_finding) if step.fail_finding else "",
        )
        if part
    )
    return f"in {step.source}: at most {step.max_matches} of {what} with {cond}"


def run_assert(step: AssertStep, ctx: Context) -> StepResult:
    """Fail when more than ``max`` of the chosen tunnels meet ``fail_if``."""
    if ctx.dry_run:
        return StepResult("planned", summary=f"would check {describe(step)}")
    examined = ctx.report_of(step.source)
    candidates: list[Key] | None = None
    ref = step.tunnels.source
    if ref is not None:
        if ctx.playbook.step(ref.step).type == "clear":
            result = ctx.results.get(ref.step)
            candidates = list(result.keys) if result is not None else []
        else:
            candidates = referenced(ctx.report_of(ref.step), ref)
    devices = (
        None
        if step.tunnels.devices is None
        else {h.name for h in select(ctx.inventory, step.tunnels.devices)}
    )
    peers = set(step.tunnels.peers)

    def keep(key: Key) -> bool:
        return (devices is None or key[0] in devices) and (not peers or key[1] in peers)

    verdict = evaluate(examined, candidates, keep, step.fail_health, step.fail_finding)
    passed = verdict.passed(step.max_matches)
    failing = [f"{d} {p} ({why})" for (d, p), why in verdict.failing]
    summary = (
        f"{'passed' if passed else 'FAILED'}: {len(verdict.failing)} of "
        f"{len(verdict.checked)} tunnels checked match (at most {step.max_matches} allowed)"
    )
    if failing:
        summary += ": " + ", ".join(failing[:10]) + (" ..." if len(failing) > 10 else "")
    if not passed and step.message:
        summary += f" -- {step.message}"
    return StepResult(
        "ok" if passed else "failed",
        code=0 if passed else EXIT_ASSERT,
        summary=summary,
        data={
            "condition": describe(step),
            "passed": passed,
            "checked": [list(k) for k in verdict.checked],
            "matching": [
                {"device": d, "peer": p, "health": why} for (d, p), why in verdict.failing
            ],
            "max": step.max_matches,
        },
    )


def run_wait(step: WaitStep, ctx: Context) -> StepResult:
    """Sleep ``seconds`` (not in a dry run)."""
    if ctx.dry_run:
        return StepResult("planned", summary=f"would wait {step.seconds:g}s")
    time.sleep(step.seconds)
    return StepResult(summary=f"waited {step.seconds:g}s", data={"seconds": step.seconds})
