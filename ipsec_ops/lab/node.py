"""A served lab device: configuration, runtime state, and its open sessions."""

from __future__ import annotations

import asyncio
import hmac
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ipsec_ops.lab.config import Device
from ipsec_ops.lab.engine import Engine
from ipsec_ops.lab.personality import PERSONALITIES, Personality
from ipsec_ops.lab.render.base import BOOTED_BEFORE_START_S, DeviceState
from ipsec_ops.platforms import family

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
