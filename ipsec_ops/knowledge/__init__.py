"""The diagnostic knowledge, as data: state tables, findings, thresholds, messages.

The YAML files beside this module are what an engineer edits; this module only
loads and checks them (every finding code a state or message names must exist,
every pattern must compile) and offers small lookups.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ipsec_ops.errors import InputFileError
from ipsec_ops.yamlfile import load

HERE = Path(__file__).parent
SEVERITY_RANK = {"info": 0, "warning": 1, "critical": 2}


@dataclass(frozen=True)
class StateInfo:
    table: str
    state: str
    phase1_up: bool
    meaning: str
    finding: str | None


@dataclass(frozen=True)
class Message:
    id: str
    regex: re.Pattern[str]
    platforms: tuple[str, ...]
    code: str | None
    meaning: str
    cause: str
    next_check: str
    tag: str


@dataclass(frozen=True)
class Knowledge:
    states: dict[str, dict[str, StateInfo]]
    codes: dict[str, dict[str, Any]]
    steps: dict[str, str]
    thresholds: dict[str, dict[str, Any]]
    messages: tuple[Message, ...]
    peer_patterns: tuple[re.Pattern[str], ...]

    def state(self, table: str, state: str) -> StateInfo | None:
        return self.states.get(table, {}).get(state)

    def match_message(self, line: str, platform_group: str | None = None) -> Message | None:
        """The first catalog entry matching ``line`` (optionally only for one platform group)."""
        for message in self.messages:
            if platform_group and platform_group not in message.platforms:
                continue
            if message.regex.search(line):
                return message
        return None

    def peer_of(self, line: str, message: Message | None = None) -> str | None:
        """The peer address a log or debug line is about, if it names one."""
        if message is not None:
            m = message.regex.search(line)
            if m and m.groupdict().get("peer"):
                return m.group("peer").split(":")[0]
        for pattern in self.peer_patterns:
            m = pattern.search(line)
            if m:
                return m.group("peer")
        return None


def _fail(path: Path, field: str, problem: str) -> InputFileError:
    return InputFileError(str(path), field, problem)


@functools.cache
def knowledge() -> Knowledge:
    """Load and check the knowledge files (once per process)."""
    states_raw, _ = load(HERE / "states.yaml")
    findings_raw, _ = load(HERE / "findings.yaml")
    thresholds, _ = load(HERE / "counters.yaml")
    messages_raw, _ = load(HERE / "messages.yaml")
    codes: dict[str, dict[str, Any]] = findings_raw["codes"]
    steps: dict[str, str] = findings_raw["steps"]
    for code, body in codes.items():
        if body.get("severity") not in SEVERITY_RANK:
            raise _fail(HERE / "findings.yaml", f"codes.{code}.severity", "unknown severity")
        for step in body.get("steps", []):
            if step not in steps:
                raise _fail(HERE / "findings.yaml", f"codes.{code}.steps", f"unknown step {step}")
    states: dict[str, dict[str, StateInfo]] = {}
    for table, entries in states_raw.items():
        states[table] = {}
        for name, body in entries.items():
            finding = body.get("finding")
            if finding is not None and finding not in codes:
                raise _fail(
                    HERE / "states.yaml", f"{table}.{name}.finding", f"unknown code {finding}"
                )
            states[table][name] = StateInfo(
                table,
                name,
                bool(body.get("phase1_up", False)),
                str(body.get("meaning", "")),
                finding,
            )
    messages = []
    for i, body in enumerate(messages_raw["messages"]):
        code = body.get("code")
        if code is not None and code not in codes:
            raise _fail(HERE / "messages.yaml", f"messages.{i}.code", f"unknown code {code}")
        try:
            regex = re.compile(body["pattern"])
        except re.error as exc:
            raise _fail(HERE / "messages.yaml", f"messages.{i}.pattern", str(exc)) from None
        messages.append(
            Message(
                body["id"],
                regex,
                tuple(body["platforms"]),
                code,
                body["meaning"],
                body["cause"],
                body["next_check"],
                body["tag"],
            )
        )
    peers = tuple(re.compile(p) for p in messages_raw.get("peer_patterns", []))
    return Knowledge(states, codes, steps, thresholds, tuple(messages), peers)
