"""The lab's SSH service (asyncssh): password login, a PTY, one CLI session per shell."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncssh

from ipsec_ops.lab.node import LabNode
from ipsec_ops.lab.session import CliSession


class _Server(asyncssh.SSHServer):
    """Authenticates against the device's users; password only, like a router's vty."""

    def __init__(self, node: LabNode) -> None:
        self.node = node
        self.conn: asyncssh.SSHServerConnection | None = None

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self.conn = conn

    def begin_auth(self, username: str) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return True

    def validate_password(self, username: str, password: str) -> bool:
        return self.node.check_password(username, password)

    def session_requested(self) -> asyncssh.SSHServerSession[str]:
        assert self.conn is not None
        return _ShellSession(self.node, self.conn)


class _ShellSession(asyncssh.SSHServerSession[str]):
    """Bridges one SSH channel to one :class:`CliSession`. No PTY, no shell."""

    def __init__(self, node: LabNode, conn: asyncssh.SSHServerConnection) -> None:
        self.node = node
        self.conn = conn
        self.chan: asyncssh.SSHServerChannel[str] | None = None
        self.cli: CliSession | None = None
        self.task: asyncio.Task[None] | None = None
        self.pty = False

    def connection_made(self, chan: asyncssh.SSHServerChannel[str]) -> None:
        self.chan = chan

    def pty_requested(self, term_type: str, term_size: Any, term_modes: Any) -> bool:
        self.pty = True
        return True

    def shell_requested(self) -> bool:
        # A Cisco vty without a PTY closes the channel; netmiko depends on the PTY.
        return self.pty

    def exec_requested(self, command: str) -> bool:
        return False

    def session_started(self) -> None:
        assert self.chan is not None
        chan = self.chan
        username = self.conn.get_extra_info("username") or ""
        self.cli = CliSession(self.node, chan.write, self._drop, username=username)
        self.node.sessions.add(self.cli)
        self.task = asyncio.get_running_loop().create_task(self._run())
        self.node.track(self.task)

    async def _run(self) -> None:
        assert self.cli is not None and self.chan is not None
        await self.cli.run()
        if not self.cli.closed:  # ended by `exit`, not by the client going away
            self.cli.close()
            self.chan.close()
            self.conn.close()

    def _drop(self) -> None:
        """Fault or failed login: cut the TCP connection with no goodbye."""
        if self.cli is not None:
            self.cli.close()
        self.conn.abort()

    def data_received(self, data: str, datatype: Any) -> None:
        if self.cli is not None:
            self.cli.feed(data)

    def eof_received(self) -> bool:
        if self.cli is not None:
            self.cli.close()
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        if self.cli is not None:
            self.cli.close()


async def serve_ssh(
    node: LabNode, host: str, port: int, key: asyncssh.SSHKey
) -> asyncssh.SSHAcceptor:
    """Listen for SSH on ``host:port`` for ``node``; returns the acceptor (its port is bound)."""
    return await asyncssh.create_server(
        lambda: _Server(node),
        host,
        port,
        server_host_keys=[key],
        encoding="utf-8",
        line_editor=False,
        keepalive_interval=0,
        login_timeout=30,
    )
