"""Start and stop a lab: one SSH (or telnet) listener per device on loopback.

``Lab(scenario).start()`` serves in a background thread (tests, ``--lab``);
``ipsec-ops lab up`` runs :meth:`Lab.serve_forever` in the foreground. Nothing
listens until ``start``; ``stop`` closes every session and listener.
"""

from __future__ import annotations

import asyncio
import os
import signal
import threading
from collections.abc import Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import asyncssh
import yaml

from ipsec_ops.errors import UsageError
from ipsec_ops.lab.config import Scenario
from ipsec_ops.lab.engine import Engine, LabClock
from ipsec_ops.lab.node import LabNode
from ipsec_ops.lab.ssh_server import serve_ssh
from ipsec_ops.lab.telnet_server import serve_telnet
from ipsec_ops.platforms import family

T = TypeVar("T")


@dataclass(frozen=True)
class Endpoint:
    """Where and how to reach one lab device (what the inventory gets)."""

    name: str
    host: str
    port: int
    platform: str
    family: str
    transport: str
    username: str
    password: str
    enable_secret: str
    host_key: str | None  # "ssh-ed25519 AAAA..." for SSH devices


def _host_key(keys_dir: Path | None, name: str) -> asyncssh.SSHKey:
    """A per-device ed25519 key, kept in ``keys_dir`` so known_hosts stays valid across runs."""
    if keys_dir is None:
        return asyncssh.generate_private_key("ssh-ed25519")
    path = keys_dir / f"{name}.key"
    if path.exists():
        return asyncssh.read_private_key(str(path))
    keys_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = asyncssh.generate_private_key("ssh-ed25519")
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(key.export_private_key())
    tmp.replace(path)
    return key


class Lab:
    """A running set of simulated devices."""

    def __init__(
        self,
        scenario: Scenario,
        latency_ms: int = 0,
        port: int = 0,
        telnet_port: int = 0,
        keys_dir: Path | None = None,
        clock: LabClock | None = None,
    ) -> None:
        self.scenario = scenario
        self.engine = Engine(scenario, clock)
        self.nodes = {
            d.name: LabNode(d, self.engine, latency_ms / 1000.0) for d in scenario.devices
        }
        self._port, self._telnet_port, self._keys_dir = port, telnet_port, keys_dir
        self.endpoints: list[Endpoint] = []
        self._servers: list[asyncio.Server | asyncssh.SSHAcceptor] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    # -- in a background thread ----------------------------------------------------

    def start(self) -> Lab:
        """Serve in a background thread; returns when every device listens."""
        loop = asyncio.new_event_loop()
        self._loop = loop
        self._thread = threading.Thread(target=loop.run_forever, name="ipsec-ops-lab", daemon=True)
        self._thread.start()
        try:
            self._call(self.start_async())
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        if self._loop is None:
            return
        if self._loop.is_running():
            self._call(self.stop_async())
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._loop.close()
        self._loop = None

    def _call(self, coro: Coroutine[Any, Any, T]) -> T:
        assert self._loop is not None
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout=120)

    def call(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run a coroutine on the lab's loop (for tests that poke at device state)."""
        return self._call(coro)

    def __enter__(self) -> Lab:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- on the running loop -------------------------------------------------------

    async def start_async(self) -> None:
        for node in self.nodes.values():
            dev = node.device
            fam = family(dev.family)
            user = dev.users[0]
            server: asyncio.Server | asyncssh.SSHAcceptor
            if fam.transport == "telnet":
                port = dev.port or self._telnet_port
                try:
                    server = await serve_telnet(node, dev.address, port)
                except OSError as exc:
                    raise UsageError(
                        f"lab: cannot listen on {dev.address}:{port}: {exc.strerror}"
                    ) from None
                bound = server.sockets[0].getsockname()[1]
                key_line = None
            else:
                port = dev.port or self._port
                key = _host_key(self._keys_dir, dev.name)
                try:
                    server = await serve_ssh(node, dev.address, port, key)
                except OSError as exc:
                    raise UsageError(
                        f"lab: cannot listen on {dev.address}:{port}: {exc.strerror}"
                    ) from None
                bound = server.sockets[0].getsockname()[1]
                key_line = key.export_public_key("openssh").decode().strip()
            self._servers.append(server)
            self.endpoints.append(
                Endpoint(
                    dev.name,
                    dev.address,
                    bound,
                    dev.platform,
                    dev.family,
                    fam.transport,
                    user.username,
                    user.password,
                    dev.enable_secret,
                    key_line,
                )
            )

    async def stop_async(self) -> None:
        for node in self.nodes.values():
            await node.stop_debug()
            for session in list(node.sessions):
                session.kill()
        for server in self._servers:
            server.close()
        for server in self._servers:
            await server.wait_closed()
        self._servers.clear()
        handlers = [t for node in self.nodes.values() for t in node.tasks]
        if handlers:
            await asyncio.wait(handlers, timeout=5)

    async def serve_forever(self) -> None:
        """Serve until SIGINT or SIGTERM (``ipsec-ops lab up``)."""
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        try:
            await stop.wait()
        finally:
            await self.stop_async()

    # -- what clients need ---------------------------------------------------------

    def endpoint(self, name: str) -> Endpoint:
        return next(e for e in self.endpoints if e.name == name)

    def node(self, name: str) -> LabNode:
        return self.nodes[name]

    def known_hosts(self) -> str:
        """OpenSSH known_hosts lines for every SSH device (``[host]:port key``)."""
        lines = [f"[{e.host}]:{e.port} {e.host_key}" for e in self.endpoints if e.host_key]
        return "\n".join(lines) + "\n"

    def inventory(self) -> dict[str, Any]:
        """The lab as a Nornir SimpleInventory ``hosts`` mapping."""
        hosts: dict[str, Any] = {}
        for e in self.endpoints:
            data: dict[str, Any] = {
                "enable_secret": e.enable_secret,
                "family": e.family,
                "site": "lab",
            }
            if e.transport == "telnet":
                data["transport"] = "telnet"
            hosts[e.name] = {
                "hostname": e.host,
                "port": e.port,
                "platform": e.platform,
                "username": e.username,
                "password": e.password,
                "groups": ["lab"],
                "data": data,
            }
        return hosts

    def write_inventory(self, directory: Path) -> Path:
        """Write hosts.yaml, groups.yaml, defaults.yaml and known_hosts; returns the folder."""
        directory.mkdir(parents=True, exist_ok=True)
        header = "# ipsec-ops lab inventory: simulator credentials, not production secrets.\n"
        files = {
            "hosts.yaml": header + yaml.safe_dump(self.inventory(), sort_keys=False),
            "groups.yaml": yaml.safe_dump({"lab": {"data": {"site": "lab"}}}, sort_keys=False),
            "defaults.yaml": "{}\n",
            "known_hosts": self.known_hosts(),
        }
        for name, text in files.items():
            _write_private(directory / name, text)
        return directory


def _write_private(path: Path, text: str) -> None:
    """Write atomically with mode 0600 (the file holds lab credentials)."""
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    tmp.replace(path)
