"""Run a checked playbook against resolved targets: one step after the other, a log line
at each step's start and end, the failure policy, the exit code and the run record.

Exit code of a run (also in docs/playbooks.md): the highest code of the steps that
count -- each health, collect, report and debug step's Nagios code unless it says
``affects_exit: false``, and every failed step's code: 2 a cleared tunnel still
down, 3 not verified / unreadable / reset not verified, 4 an assert failed, 5 a
step could not do its job. A dry run exits 0, or 5 when a step cannot be planned.
130 when interrupted. Schema errors exit 64 before this module is reached.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ipsec_ops.errors import InputFileError, IpsecOpsError, UsageError
from ipsec_ops.inventory import Host
from ipsec_ops.playbooks import actions, steps
from ipsec_ops.playbooks.context import EXIT_STEP_FAILED, Context, StepResult
from ipsec_ops.playbooks.record import RunRecord, StepEntry, write_record
from ipsec_ops.playbooks.schema import check_inventory
from ipsec_ops.playbooks.spec import (
    AssertStep,
    ClearStep,
    CollectStep,
    DebugStep,
    HealthStep,
    Playbook,
    ReportStep,
    Step,
    WaitStep,
)
from ipsec_ops.runner import sigterm_as_interrupt
from ipsec_ops.selection import select
from ipsec_ops.targets import Targets

EXIT_INTERRUPTED = 130


# The function that runs each step type (the schema builds only these types).
RUNNERS: dict[type[Step], Callable[[Any, Context], StepResult]] = {
    HealthStep: steps.run_health,
    CollectStep: steps.run_collect,
    ReportStep: steps.run_report,
    AssertStep: steps.run_assert,
    WaitStep: steps.run_wait,
    DebugStep: actions.run_debug_step,
    ClearStep: actions.run_clear,
}


def run_step(step: Step, ctx: Context) -> StepResult:
    """Run one step with the function for its type."""
    return RUNNERS[type(step)](step, ctx)


@dataclass(frozen=True)
class RunOptions:
    dry_run: bool = False
    yes: bool = False
    quiet: bool = False
    interactive: bool = False  # stdin is a terminal: a clear can ask
    record: Path | None = None


def check_confirmation(playbook: Playbook, opts: RunOptions) -> None:
    """A playbook that clears needs --yes or a terminal to ask on; refuse before anything runs."""
    clears = playbook.clears()
    if clears and not opts.dry_run and not opts.yes and not opts.interactive:
        raise UsageError(
            f"{playbook.path}: step {clears[0].id!r} clears SAs and needs confirmation, but "
            "there is no terminal to ask on: review it with --dry-run, then add --yes"
        )


def _field_error(playbook: Playbook, step: Step, key: str, problem: str) -> InputFileError:
    index = playbook.steps.index(step)
    return InputFileError(str(playbook.path), f"steps.{index}.{key}", problem, step.line)


def resolve_hosts(playbook: Playbook, chosen: Targets) -> list[Host]:
    """The run's hosts (the command line's selection and the playbook's ``select``), with
    every name and one-host step checked against them before anything is contacted."""
    check_inventory(playbook, chosen.inventory)
    hosts = chosen.hosts
    if playbook.select is not None:
        names = {h.name for h in select(chosen.inventory, playbook.select)}
        hosts = [h for h in hosts if h.name in names]
    if not hosts:
        raise UsageError(f"{playbook.path}: the selection matches no host of the inventory")
    by_name = {h.name: h for h in hosts}
    for step in playbook.steps:
        name = step.host if isinstance(step, DebugStep | ClearStep) else None
        if name is None:
            continue
        if name not in by_name:
            raise _field_error(playbook, step, "host", f"{name!r} is not among the run's hosts")
        if isinstance(step, DebugStep):
            try:
                actions.check_debug(step, by_name[name])
            except UsageError as exc:
                raise _field_error(playbook, step, "host", str(exc)) from None
    return hosts


def needed_reads(playbook: Playbook) -> set[str]:
    """The health steps whose result a clear plans from (a dry run reads those devices)."""
    return {s.ref.step for s in playbook.clears() if s.ref is not None}


def _clock() -> str:
    return dt.datetime.now(dt.UTC).strftime("%H:%M:%SZ")


class Runner:
    def __init__(self, ctx: Context, opts: RunOptions) -> None:
        self.ctx, self.opts = ctx, opts
        self.record = RunRecord(ctx.playbook, opts.dry_run, time.time())
        self.record.hosts = [h.name for h in ctx.hosts]

    def run(self) -> int:
        """Run every step; write the record whatever happens; the run's exit code."""
        pb, echo = self.ctx.playbook, self.ctx.echo
        mode = " (dry run: nothing is changed)" if self.opts.dry_run else ""
        hosts = len(self.ctx.hosts)
        echo(f"playbook {pb.name} ({pb.path}): {len(pb.steps)} steps on {hosts} hosts{mode}")
        try:
            with sigterm_as_interrupt():
                self._steps()
            self.record.exit_code = self._exit_code()
            failed = [e for e in self.record.steps if e.status == "failed"]
            self.record.status = "failed" if failed else "ok"
        except KeyboardInterrupt:
            self.record.status, self.record.exit_code = "interrupted", EXIT_INTERRUPTED
            raise
        except BaseException as exc:
            self.record.status, self.record.error = "error", f"{type(exc).__name__}: {exc}"
            raise
        finally:
            self.record.ended = time.time()
            self._finish()
        return self.record.exit_code

    def _steps(self) -> None:
        """Run the steps in order, applying the failure policy after each."""
        pb, total, stopped = self.ctx.playbook, len(self.ctx.playbook.steps), None
        for i, step in enumerate(pb.steps, 1):
            tag = f"[{i}/{total}] {step.id} ({step.type})"
            if stopped is not None:
                self.ctx.echo(f"{tag} skipped: step {stopped} failed (on_failure: stop)")
                self.record.steps.append(StepEntry(step, "skipped", 0, f"step {stopped} failed"))
                continue
            self.ctx.echo(f"{tag} started {_clock()}" + (f": {step.name}" if step.name else ""))
            entry = StepEntry(step, "running", 0, "", started=time.time())
            self.record.steps.append(entry)
            try:
                result = run_step(step, self.ctx)
            except KeyboardInterrupt:
                result = StepResult("interrupted", EXIT_INTERRUPTED, "interrupted")
            except IpsecOpsError as exc:
                result = StepResult("failed", EXIT_STEP_FAILED, str(exc))
            entry.ended = time.time()
            entry.status, entry.code, entry.summary = result.status, result.code, result.summary
            entry.result = result.data
            self.ctx.results[step.id] = result
            took = entry.ended - (entry.started or entry.ended)
            self.ctx.echo(
                f"{tag} {result.status} in {took:.1f}s, code {result.code}: {result.summary}"
            )
            if result.status == "interrupted":
                raise KeyboardInterrupt
            if result.status == "failed" and (step.on_failure or pb.on_failure) == "stop":
                stopped = step.id

    def _exit_code(self) -> int:
        """The highest code of the counted and the failed steps (dry run: 0 or 5)."""
        if self.opts.dry_run:
            return EXIT_STEP_FAILED if any(e.status == "failed" for e in self.record.steps) else 0
        codes = [e.code for e in self.record.steps if e.status == "failed" or e.step.affects_exit]
        return max(codes, default=0)

    def _finish(self) -> None:
        """Write the record (with --record) and the run's last log line."""
        r = self.record
        if self.opts.record is not None:
            write_record(self.opts.record, r)
        took = (r.ended or r.started) - r.started
        where = f" (record: {self.opts.record})" if self.opts.record else ""
        self.ctx.echo(
            f"playbook {r.playbook.name}: {r.status}, exit {r.exit_code} in {took:.1f}s{where}"
        )


def run(
    playbook: Playbook,
    chosen: Targets,
    opts: RunOptions,
    echo: Callable[[str], None],
    ask: Callable[[str], bool],
) -> int:
    """Resolve the hosts, then run the playbook against them; the run's exit code."""
    hosts = resolve_hosts(playbook, chosen)
    ctx = Context(
        playbook,
        hosts,
        chosen.inventory,
        chosen.settings,
        chosen.redactor,
        dry_run=opts.dry_run,
        yes=opts.yes,
        quiet=opts.quiet,
        interactive=opts.interactive,
        echo=echo,
        ask=ask,
        needed=needed_reads(playbook) if opts.dry_run else set(),
    )
    return Runner(ctx, opts).run()
