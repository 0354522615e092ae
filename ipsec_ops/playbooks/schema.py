"""Load a playbook file and check all of it before anything runs.

Every problem is one :class:`~ipsec_ops.errors.InputFileError` naming the file, the
line and the field (exit 64): an unknown step type, a missing or unknown field, a
bad value, a reference to a step that does not exist or comes later, a selector
naming an unknown platform or a malformed filter. Host and group names are checked
against the inventory by :func:`check_inventory` once it is loaded, still before
any device is contacted.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ipsec_ops import reports
from ipsec_ops.inventory import Inventory
from ipsec_ops.knowledge import knowledge
from ipsec_ops.model import HEALTHS
from ipsec_ops.playbooks import variables
from ipsec_ops.playbooks.fields import SELECT_FIELDS, Fields
from ipsec_ops.playbooks.spec import (
    POLICIES,
    REPORTING,
    STEP_TYPES,
    AssertStep,
    ClearStep,
    CollectStep,
    DebugStep,
    HealthStep,
    Playbook,
    Ref,
    ReportStep,
    Site,
    Step,
    TunnelFilter,
    WaitStep,
)
from ipsec_ops.yamlfile import Where, load

TOP = ("name", "description", "vars", "select", "on_failure", "steps")
COMMON = ("id", "type", "name", "on_failure")
FIELDS: dict[str, tuple[str, ...]] = {
    "health": ("select", "format", "out", "affects_exit"),
    "collect": ("select", "out", "affects_exit"),
    "debug": (
        "host",
        "peer",
        "kinds",
        "duration",
        "until",
        "errors_only",
        "save",
        "analyze",
        "out",
        "affects_exit",
    ),
    "clear": ("select", "host", "peers", "stuck", "phase", "max", "verify_timeout", "audit"),
    "report": ("select", "db", "out", "since", "csv", "from", "affects_exit"),
    "assert": ("in", "tunnels", "fail_if", "max", "message"),
    "wait": ("seconds",),
}
STEP_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*\Z")


class _Builder:
    """Reads the steps in order; knows the earlier steps so references can be checked."""

    def __init__(self, where: Where) -> None:
        self.where = where
        self.seen: dict[str, str] = {}  # id -> type, steps before the current one
        self.all_ids: dict[str, int] = {}
        self.hosts: list[tuple[Site, str]] = []
        self.groups: list[tuple[Site, str]] = []
        self.codes = tuple(sorted(knowledge().codes))

    def ref(self, f: Fields, key: str, types: tuple[str, ...], step_id: str) -> str:
        """An earlier step's id, of one of ``types``."""
        name = f.text(key, required="an earlier step's id")
        assert name is not None
        if name not in self.seen:
            if name == step_id:
                raise f.error(key, f"step {name!r} cannot use its own result")
            if name in self.all_ids:
                later = self.all_ids[name] + 1
                raise f.error(
                    key,
                    f"step {name!r} comes later (step {later}); "
                    "a step can only use the results of earlier steps",
                )
            known = ", ".join(self.seen) or "none"
            raise f.error(key, f"no step {name!r} before this one (earlier steps: {known})")
        if self.seen[name] not in types:
            raise f.error(
                key, f"step {name!r} is a {self.seen[name]} step; expected {' or '.join(types)}"
            )
        return name

    def tunnels_ref(self, sub: Fields, types: tuple[str, ...], step_id: str) -> Ref:
        """``from: STEP`` with optional ``finding`` / ``health`` filters, read from ``sub``."""
        name = self.ref(sub, "from", types, step_id)
        finding = sub.names("finding", self.codes)
        health = sub.names("health", HEALTHS)
        if (finding or health) and self.seen[name] not in REPORTING:
            raise sub.error("finding" if finding else "health", "only with a health or report step")
        return Ref(name, finding, health)

    def select(self, f: Fields) -> Any:
        """A ``select`` block, remembering its names for the inventory check."""
        selection, hosts, groups = f.selection("select")
        self.hosts += hosts
        self.groups += groups
        return selection

    def common(self, f: Fields, index: int, step_type: str) -> dict[str, Any]:
        """The fields every step has: id, type, name, on_failure (select, affects_exit)."""
        step_id = f.text("id", required="a name other steps refer to")
        assert step_id is not None
        if not STEP_ID.match(step_id):
            raise f.error("id", f"{step_id!r}: use letters, digits, '-', '_' and '.'")
        if step_id in self.seen:
            raise f.error("id", f"duplicate step id {step_id!r}")
        out: dict[str, Any] = {
            "id": step_id,
            "type": step_type,
            "line": self.where.line(f.dotted),
            "name": f.text("name", "") or "",
            "on_failure": f.choice("on_failure", POLICIES, None),
        }
        if "select" in FIELDS[step_type]:
            out["select"] = self.select(f)
        if "affects_exit" in FIELDS[step_type]:
            out["affects_exit"] = f.flag("affects_exit", True)
        return out

    # -- one function per step type -----------------------------------------------------

    def health(self, f: Fields, base: dict[str, Any]) -> Step:
        """``format`` and ``out`` (one path, or FORMAT: PATH)."""
        fmt = f.choice("format", tuple(reports.FORMATS), "table") or "table"
        out: dict[str, Path] = {}
        if isinstance(f.data.get("out"), dict):
            if f.has("format"):
                raise f.error("format", "give format with one out path, or out as FORMAT: PATH")
            sub = Fields(f.data["out"], f.at("out"), self.where, tuple(reports.FORMATS))
            out = {k: p for k in sub.data if (p := sub.path(k)) is not None}
        elif (path := f.path("out")) is not None:
            out = {fmt: path}
        return HealthStep(**base, format=fmt, out=out)

    def collect(self, f: Fields, base: dict[str, Any]) -> Step:
        """``out``: the bundle folder."""
        out = f.path("out", required="the bundle folder to write")
        assert out is not None
        return CollectStep(**base, out=out)

    def debug(self, f: Fields, base: dict[str, Any]) -> Step:
        """One host, one peer, kinds, duration/until, save, analyze, out."""
        host = f.text("host", required="the one device to debug on")
        assert host is not None
        self.hosts.append((f.site("host"), host))
        f.require("peer", "the peer address the condition selects")
        if isinstance(f.data["peer"], list):
            raise f.error("peer", "one address: a debug conditions on one peer")
        (peer,) = f.addresses("peer")
        kinds = tuple(k.strip() for k in ",".join(f.names("kinds")).split(",") if k.strip())
        until = f.text("until")
        if until is not None:
            try:
                re.compile(until)
            except re.error as exc:
                raise f.error("until", f"bad regular expression: {exc}") from None
        return DebugStep(
            **base,
            host=host,
            peer=peer,
            kinds=kinds or ("isakmp", "ipsec"),
            duration=f.number("duration", 600.0 if until else 60.0, minimum=1),
            until=until,
            errors_only=f.flag("errors_only", False),
            save=f.path("save"),
            analyze=f.flag("analyze", True),
            out=f.path("out"),
        )

    def clear(self, f: Fields, base: dict[str, Any]) -> Step:
        """Listed peers (with host), a reference, or stuck; phase, max, verify_timeout, audit."""
        stuck = f.flag("stuck", False)
        ref: Ref | None = None
        peers: tuple[str, ...] = ()
        if isinstance(f.data.get("peers"), dict):
            sub = Fields(f.data["peers"], f.at("peers"), self.where, ("from", "finding", "health"))
            ref = self.tunnels_ref(sub, REPORTING, base["id"])
        else:
            peers = f.addresses("peers")
        if stuck == bool(ref or peers):
            raise f.error("peers", "give peers (a list, or {from: STEP, finding: ...}) or stuck")
        host = f.text("host")
        if peers and host is None:
            raise f.error("host", "missing required field (listed peers are cleared on one host)")
        if host is not None:
            if not peers:
                raise f.error("host", "only with a list of peers")
            self.hosts.append((f.site("host"), host))
        return ClearStep(
            **base,
            host=host,
            peers=peers,
            ref=ref,
            stuck=stuck,
            phase=f.choice("phase", ("1", "2", "both"), "both") or "both",
            max_peers=f.integer("max", 5, minimum=1),
            verify_timeout=f.number("verify_timeout", 60.0, minimum=1),
            audit=f.path("audit"),
        )

    def report(self, f: Fields, base: dict[str, Any]) -> Step:
        """db, out, since, csv, and optionally ``from`` an earlier health step."""
        db = f.path("db", required="the SQLite history database")
        out = f.path("out", required="the folder for the dated reports")
        assert db is not None and out is not None
        source = self.ref(f, "from", ("health",), base["id"]) if f.has("from") else None
        if source is not None and base.get("select") is not None:
            raise f.error("select", "a report from an earlier step reports that step's hosts")
        since = f.number("since", 86400.0, minimum=1)
        return ReportStep(
            **base, db=db, out=out, since_s=since, csv=f.flag("csv", False), source=source
        )

    def assert_(self, f: Fields, base: dict[str, Any]) -> Step:
        """``in``, ``tunnels``, ``fail_if``, ``max``, ``message``."""
        source = self.ref(f, "in", REPORTING, base["id"])
        tunnels = TunnelFilter()
        if f.has("tunnels"):
            keys = (*SELECT_FIELDS, "peers", "from", "finding", "health")
            sub = Fields(f.data["tunnels"], f.at("tunnels"), self.where, keys)
            devices, hosts, groups = sub.as_selection()
            self.hosts += hosts
            self.groups += groups
            ref = None
            if sub.has("from"):
                ref = self.tunnels_ref(sub, (*REPORTING, "clear"), base["id"])
            elif sub.has("finding") or sub.has("health"):
                ref = Ref(source, sub.names("finding", self.codes), sub.names("health", HEALTHS))
            tunnels = TunnelFilter(devices, sub.addresses("peers"), ref)
        condition = f.require("fail_if", "the condition that fails the run")
        cond = Fields(condition, f.at("fail_if"), self.where, ("health", "finding"))
        fail_health = cond.names("health", HEALTHS)
        fail_finding = cond.names("finding", self.codes)
        if not (fail_health or fail_finding):
            raise cond.error("", "give health and/or finding")
        return AssertStep(
            **base,
            source=source,
            tunnels=tunnels,
            fail_health=fail_health,
            fail_finding=fail_finding,
            max_matches=f.integer("max", 0),
            message=f.text("message", "") or "",
        )

    def wait(self, f: Fields, base: dict[str, Any]) -> Step:
        """``seconds``."""
        f.require("seconds", "how long to wait")
        return WaitStep(**base, seconds=f.number("seconds", 0.0, minimum=0))

    def step(self, data: Any, index: int) -> Step:
        """One step: its type first, then the fields of that type."""
        dotted = f"steps.{index}"
        # The type first (its fields are known only then); any key passes this first look.
        head = Fields(data, dotted, self.where, tuple(data) if isinstance(data, dict) else ())
        step_type = head.text("type", required=f"one of {', '.join(STEP_TYPES)}")
        if step_type not in STEP_TYPES:
            raise head.error(
                "type", f"unknown step type {step_type!r} (known: {', '.join(STEP_TYPES)})"
            )
        f = Fields(data, dotted, self.where, (*COMMON, *FIELDS[step_type]))
        base = self.common(f, index, step_type)
        build: dict[str, Callable[[Fields, dict[str, Any]], Step]] = {
            "health": self.health,
            "collect": self.collect,
            "debug": self.debug,
            "clear": self.clear,
            "report": self.report,
            "assert": self.assert_,
            "wait": self.wait,
        }
        step = build[step_type](f, base)
        self.seen[step.id] = step_type
        return step


def parse(data: Any, where: Where, var_pairs: list[str]) -> Playbook:
    """Check a loaded playbook (data and line numbers) and build it; InputFileError else."""
    path = Path(where.path)
    top = Fields(data if data is not None else {}, "", where, TOP)
    values = variables.overrides(
        var_pairs, variables.declared(top.data.get("vars"), where), where.path
    )
    for key in ("select", "steps"):
        if key in top.data:
            top.data[key] = variables.substitute_tree(top.data[key], values, where, key)
    raw_steps = top.require("steps", "the list of steps")
    if not isinstance(raw_steps, list) or not raw_steps:
        raise top.error("steps", "expected a non-empty list of steps")
    builder = _Builder(where)
    for i, item in enumerate(raw_steps):
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            builder.all_ids.setdefault(item["id"], i)
    selection = builder.select(top)
    steps = tuple(builder.step(item, i) for i, item in enumerate(raw_steps))
    return Playbook(
        path=path,
        name=top.text("name", path.stem) or path.stem,
        description=top.text("description", "") or "",
        vars=values,
        select=selection,
        on_failure=top.choice("on_failure", POLICIES, "stop") or "stop",
        steps=steps,
        host_names=tuple(builder.hosts),
        group_names=tuple(builder.groups),
    )


def load_playbook(path: Path, var_pairs: list[str] | None = None) -> Playbook:
    """Read and check the playbook at ``path`` with ``--var`` overrides applied."""
    data, where = load(path)
    return parse(data, where, list(var_pairs or []))


def check_inventory(playbook: Playbook, inventory: Inventory) -> None:
    """Every host and group the playbook names exists in ``inventory`` (file:line:field else)."""
    for site, name in playbook.host_names:
        if name not in inventory.hosts:
            raise _site_error(
                playbook, site, f"no host {name!r} in the inventory", list(inventory.hosts)
            )
    for site, name in playbook.group_names:
        if name not in inventory.groups:
            raise _site_error(
                playbook, site, f"no group {name!r} in the inventory", list(inventory.groups)
            )


def _site_error(playbook: Playbook, site: Site, problem: str, known: list[str]) -> Exception:
    from ipsec_ops.errors import InputFileError

    hint = ", ".join(sorted(known)[:10]) + (", ..." if len(known) > 10 else "")
    return InputFileError(
        str(playbook.path), site.field, f"{problem} (known: {hint or 'none'})", site.line
    )
