"""The steps that change a device: a conditional debug (always reset) and a clear.

Both reuse the commands' own flows (:func:`ipsec_ops.debugging.run_debug`,
:func:`ipsec_ops.clearing.clear_host`), so a playbook is exactly as safe as the
commands: a debug is conditioned, journaled and reset on every way out; a clear
is planned, confirmed, peer-scoped, verified and audited.
"""

from __future__ import annotations

from typing import Any

from ipsec_ops import atomic, clearing
from ipsec_ops.analyze import analyze
from ipsec_ops.analyze_render import render_json
from ipsec_ops.debugging import DebugRequest, run_debug
from ipsec_ops.debugging import plan as debug_plan
from ipsec_ops.errors import EXIT_UNKNOWN, DeviceError
from ipsec_ops.inventory import Host
from ipsec_ops.platforms import family
from ipsec_ops.playbooks.asserts import Key, referenced
from ipsec_ops.playbooks.context import Context, StepResult
from ipsec_ops.playbooks.spec import ClearStep, DebugStep
from ipsec_ops.playbooks.steps import make_parent
from ipsec_ops.transport import open_session


def debug_request(step: DebugStep) -> DebugRequest:
    """The debug command's request for a debug step (a peer condition, never unconditional)."""
    return DebugRequest(
        peer=step.peer,
        kinds=step.kinds,
        duration=step.duration,
        until=step.until,
        save=step.save,
        errors_only=step.errors_only,
    )


def check_debug(step: DebugStep, host: Host) -> list[str]:
    """The commands the debug would send; DebugRefused (before anything runs) if it cannot."""
    conditions, debugs = debug_plan(family(host.family), debug_request(step))
    return conditions + debugs


def run_debug_step(step: DebugStep, ctx: Context) -> StepResult:
    """Condition on one peer, capture, reset (verified), then analyze the capture."""
    host = ctx.host(step.host)
    commands = check_debug(step, host)
    stop = f"for {step.duration:g}s" + (f" or until /{step.until}/" if step.until else "")
    if ctx.dry_run:
        return StepResult(
            "planned",
            summary=f"would arm on {host.name}: {'; '.join(commands)}; capture {stop}; "
            "reset and verify" + ("; analyze" if step.analyze else ""),
        )
    for path in (step.save, step.out):
        if path is not None:
            make_parent(path)
    lines: list[str] = []

    def write(line: str) -> None:
        lines.append(line)
        ctx.detail(f"| {line}")

    result = run_debug(
        host, debug_request(step), ctx.settings.transport, ctx.redactor, write, ctx.note
    )
    data: dict[str, Any] = {
        "host": host.name,
        "peer": step.peer,
        "commands": commands,
        "lines": result.lines,
        "stopped_by": result.reason,
        "reset_verified": result.reset_verified,
        "reset_commands": result.reset_commands,
        "still_on": result.still_on,
    }
    head = f"{result.lines} lines from {host.name} for {step.peer}, stopped by {result.reason}"
    if result.reason == "interrupted":
        reset = "reset verified" if result.reset_verified else "RESET NOT VERIFIED"
        return StepResult("interrupted", 130, f"{head}; {reset}", data)
    if not result.reset_verified:
        return StepResult("failed", EXIT_UNKNOWN, f"{head}; RESET NOT VERIFIED", data)
    code, summary = 0, f"{head}; reset verified"
    if step.analyze:
        analysis = analyze("\n".join(lines), host.family, host.name)
        data["analysis"] = {
            "exit_code": analysis.exit_code(),
            "peers": [
                {"peer": p.peer, "health": p.health, "findings": [f.code for f in p.findings]}
                for p in analysis.peers
            ],
        }
        if step.out is not None:
            atomic.write_text(step.out, render_json(analysis), make_parents=True)
        found = sorted({f.code for p in analysis.peers for f in p.findings})
        summary += f"; findings: {', '.join(found) or 'none'}"
        code = analysis.exit_code()
    return StepResult(code=code, summary=summary, data=data)


def _targets(step: ClearStep, ctx: Context) -> list[tuple[Host, list[str] | None, bool]]:
    """(host, peers or None for the stale ones, picked by a rule) for each device to clear."""
    hosts = ctx.hosts_for(step.select)
    if step.stuck:
        return [(h, None, True) for h in hosts]
    if step.ref is not None:
        keys = referenced(ctx.report_of(step.ref.step), step.ref)
        return [
            (h, [p for d, p in keys if d == h.name], True)
            for h in hosts
            if any(d == h.name for d, _ in keys)
        ]
    assert step.host is not None
    return [(ctx.host(step.host), list(step.peers), False)]


def _peer_json(result: clearing.PeerResult, p: clearing.PeerPlan) -> dict[str, Any]:
    """One cleared peer for the run record."""
    return {
        "peer": p.peer,
        "commands": p.commands,
        "result": result.result,
        "old_spis": result.old_spis,
        "new_spis": result.new_spis,
        "findings": result.findings,
    }


def run_clear(step: ClearStep, ctx: Context) -> StepResult:
    """Plan, confirm, clear, verify and audit on each device concerned (one bad device
    is reported and the others go on)."""
    opts = clearing.ClearOptions(
        step.phase,
        step.max_peers,
        False,
        ctx.dry_run,
        step.verify_timeout,
        step.audit or clearing.audit_path(),
    )
    todo = _targets(step, ctx)
    if not todo:
        found = f": step {step.ref.step} found no such tunnel" if step.ref else ""
        return StepResult(summary=f"nothing to clear{found}")
    code, keys, hosts = 0, list[Key](), list[dict[str, Any]]()

    def echo(line: str, err: bool) -> None:
        ctx.note(line)

    for host, peers, picked in todo:
        entry: dict[str, Any] = {"host": host.name}
        try:
            with open_session(host, ctx.settings.transport, ctx.redactor) as session:
                done = clearing.clear_host(session, host, peers, opts, echo, ctx.confirm, picked)
        except DeviceError as exc:
            ctx.note(f"{host.name}: {exc.kind}: {exc.message}")
            hosts.append({**entry, "error": f"{exc.kind}: {exc.message}"})
            code = max(code, EXIT_UNKNOWN)
            continue
        planned = done.plan.peers if done.plan else []
        keys += [(host.name, p.peer) for p in planned]
        entry.update(refused=done.refused, changed=done.changed)
        if ctx.dry_run:
            entry["plan"] = [
                {"peer": p.peer, "commands": p.commands, "spis": p.spis} for p in planned
            ]
        else:
            entry["peers"] = [_peer_json(r, p) for r, p in zip(done.results, planned, strict=True)]
        hosts.append(entry)
        code = max(code, done.code)
    results = [p["result"] for h in hosts for p in h.get("peers", [])]
    if ctx.dry_run:
        summary = f"would clear {len(keys)} peers on {len(hosts)} hosts"
    else:
        tally = ", ".join(f"{results.count(r)} {r}" for r in dict.fromkeys(results)) or "none"
        summary = f"cleared {len(keys)} peers on {len(hosts)} hosts: {tally}"
    status = "planned" if ctx.dry_run else "ok"
    if code:
        status = "failed"
    return StepResult(status, code, summary, {"hosts": hosts}, keys=keys)
