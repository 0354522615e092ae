"""A served lab device: configuration, runtime state, and its open sessions.

While any crypto debug is on, a task per device turns the engine's tunnel
state into debug lines as the clock advances (:mod:`ipsec_ops.lab.debug`) and
hands each session the lines it would see: IOS / IOS-XE and PIX 6 sessions with
``terminal monitor``; on ASA / PIX 7 the session that enabled the debug.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ipsec_ops.lab import debug
from ipsec_ops.lab.config import Device
from ipsec_ops.lab.debug_cli import debug_keywords
from ipsec_ops.lab.engine import Engine
from ipsec_ops.lab.personality import PERSONALITIES, Personality
from ipsec_ops.lab.render.base import BOOTED_BEFORE_START_S, DeviceState
from ipsec_ops.platforms import family

_log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from ipsec_ops.lab.session import CliSession


@dataclass
class LabNode:
    device: Device
    engine: Engine
    latency_s: float = 0.0
    state: DeviceState = field(init=False)
    sessions: set[CliSession] = field(default_factory=set)
    # Connection handler tasks, awaited when the lab stops.
    tasks: set[asyncio.Task[None]] = field(default_factory=set)
    # ASA / PIX 7: the session each debug prints on (keywords without level -> session).
    debug_owners: dict[str, CliSession] = field(default_factory=dict)
    debug_task: asyncio.Task[None] | None = None

    def __post_init__(self) -> None:
        self.state = DeviceState(self.device, boot_time=self.engine.start - BOOTED_BEFORE_START_S)

    @property
    def personality(self) -> Personality:
        return PERSONALITIES[self.device.family]

    @property
    def transport(self) -> str:
        return family(self.device.family).transport

    def check_password(self, username: str, password: str) -> bool:
        ok = False
        for user in self.device.users:
            # compare_digest on both fields: no early exit that leaks which part failed
            name_ok = hmac.compare_digest(user.username.encode(), username.encode())
            pass_ok = hmac.compare_digest(user.password.encode(), password.encode())
            ok = ok or (name_ok and pass_ok)
        return ok

    def track(self, task: asyncio.Task[None]) -> None:
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    def log_command(self, line: str) -> None:
        """Keep what was typed (never passwords: those are read outside the command loop)."""
        self.state.command_log.append((self.engine.clock.now(), line))

    async def delay(self) -> None:
        latency = self.latency_s + self.device.faults.latency_ms / 1000.0
        if latency > 0:
            await asyncio.sleep(latency)

    # -- crypto debug output -----------------------------------------------------------

    def forget(self, session: CliSession) -> None:
        """A session ended: its debugs stay on, their output goes nowhere."""
        for key in [k for k, s in self.debug_owners.items() if s is session]:
            del self.debug_owners[key]

    def debug_changed(self) -> None:
        """Start the debug task when a debug is on, stop it when none is."""
        if self.state.debugs and self.debug_task is None:
            self.debug_task = asyncio.get_running_loop().create_task(self._debug_loop())
        elif not self.state.debugs and self.debug_task is not None:
            self.debug_task.cancel()
            self.debug_task = None
        if not self.state.debugs:
            self.debug_owners.clear()

    async def stop_debug(self) -> None:
        """The lab is stopping: end the debug task (debug state is kept)."""
        task, self.debug_task = self.debug_task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _debug_loop(self) -> None:
        clock = self.engine.clock
        last = clock.now()
        while True:
            await asyncio.sleep(debug.DEBUG_PERIOD_S)
            now = clock.now()
            try:
                self.emit_debug(last, now)
            except Exception:  # one bad burst must not end the device's debug output
                _log.exception("%s: debug output failed", self.device.name)
            last = now

    def emit_debug(self, start: float, end: float) -> None:
        """Print the debug lines of ``(start, end]`` on the sessions that see them."""
        style, conditions = self.personality.style, self.state.debug_conditions
        if style == "asa":
            owned = {s: self._owned_by(s) for s in self.sessions}
            readers = {s: debugs for s, debugs in owned.items() if debugs}
        else:
            readers = {s: sorted(self.state.debugs) for s in self.sessions if s.monitor}
        if not readers:
            return  # nobody would see a line: do not compute any
        lines = debug.lines_between(self.engine, self.device, start, end)
        for session, debugs in readers.items():
            session.deliver(debug.visible(lines, style, debugs, conditions))

    def _owned_by(self, session: CliSession) -> list[str]:
        """ASA / PIX 7: the debugs that print on ``session`` (the one that enabled them)."""
        owners = self.debug_owners
        return sorted(d for d in self.state.debugs if owners.get(debug_keywords(d)) is session)
