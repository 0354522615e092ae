"""The checked form of a playbook: one dataclass per step type, references resolved.

:mod:`ipsec_ops.playbooks.schema` builds these from the YAML file; the runner and
the steps only ever see them, so a field the schema did not check cannot reach a
device.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ipsec_ops.selection import Selection

STEP_TYPES = ("health", "collect", "debug", "clear", "report", "assert", "wait")
POLICIES = ("stop", "continue")
# Step types whose result holds a health report (what `assert` and references read).
REPORTING = ("health", "report")


@dataclass(frozen=True)
class Site:
    """Where a field sits in the playbook file, for errors found after loading the inventory."""

    field: str
    line: int | None


@dataclass(frozen=True)
class Ref:
    """Tunnels of an earlier step: those with one of ``finding`` / in one of ``health``."""

    step: str
    finding: tuple[str, ...] = ()
    health: tuple[str, ...] = ()


@dataclass(frozen=True)
class TunnelFilter:
    """Which tunnels an assert looks at (all kinds AND-ed, values of one kind OR-ed)."""

    devices: Selection | None = None  # hosts / groups / platforms / filters
    peers: tuple[str, ...] = ()
    source: Ref | None = None  # `from`: the tunnels an earlier step found or cleared


@dataclass(frozen=True, kw_only=True)
class Step:
    id: str
    type: str
    line: int | None
    name: str = ""
    on_failure: str | None = None  # None: the playbook's policy
    select: Selection | None = None  # narrows the run's hosts for this step
    affects_exit: bool = True  # whether the step's result code counts in the run's exit code


@dataclass(frozen=True, kw_only=True)
class HealthStep(Step):
    format: str = "table"
    out: dict[str, Path] = field(default_factory=dict)  # format -> file; empty: print


@dataclass(frozen=True, kw_only=True)
class CollectStep(Step):
    out: Path


@dataclass(frozen=True, kw_only=True)
class DebugStep(Step):
    host: str
    peer: str
    kinds: tuple[str, ...] = ("isakmp", "ipsec")
    duration: float = 60.0
    until: str | None = None
    errors_only: bool = False  # ASA 9: `debug crypto condition error`
    save: Path | None = None
    analyze: bool = True
    out: Path | None = None  # the analysis as JSON


@dataclass(frozen=True, kw_only=True)
class ClearStep(Step):
    host: str | None = None  # with listed peers
    peers: tuple[str, ...] = ()
    ref: Ref | None = None  # peers: {from: STEP, finding: ...}
    stuck: bool = False
    phase: str = "both"
    max_peers: int = 5
    verify_timeout: float = 60.0
    audit: Path | None = None


@dataclass(frozen=True, kw_only=True)
class ReportStep(Step):
    db: Path
    out: Path
    since_s: float = 86400.0
    csv: bool = False
    source: str | None = None  # `from`: an earlier health step's report, else collect now


@dataclass(frozen=True, kw_only=True)
class AssertStep(Step):
    source: str  # `in`: the health or report step examined
    tunnels: TunnelFilter = field(default_factory=TunnelFilter)
    fail_health: tuple[str, ...] = ()
    fail_finding: tuple[str, ...] = ()
    max_matches: int = 0
    message: str = ""


@dataclass(frozen=True, kw_only=True)
class WaitStep(Step):
    seconds: float


@dataclass(frozen=True)
class Playbook:
    path: Path
    name: str
    description: str
    vars: dict[str, str]  # after --var overrides
    select: Selection | None
    on_failure: str
    steps: tuple[Step, ...]
    # Names checked against the inventory once it is loaded (before anything is contacted).
    host_names: tuple[tuple[Site, str], ...] = ()
    group_names: tuple[tuple[Site, str], ...] = ()

    def step(self, step_id: str) -> Step:
        return next(s for s in self.steps if s.id == step_id)

    def clears(self) -> list[ClearStep]:
        return [s for s in self.steps if isinstance(s, ClearStep)]
