"""The edge: netmiko sessions to IOS, IOS-XE, ASA and PIX, and nothing else talks to devices.

Solved once here, for every capability above: host keys checked against
known_hosts (trust-on-first-use only when asked, a changed key always refused),
enable with the secret, paging off, ASA contexts, timeouts, jump hosts through
an OpenSSH config, optional session logs, netmiko's exceptions re-raised as the
project's, and redaction: no password, enable secret or PSK leaves this module
in an output, a session log or an error message.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import io
import os
import re
import socket
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import paramiko
from netmiko import ConnectHandler
from netmiko.channel import SSHChannel
from netmiko.cisco.cisco_ios import CiscoIosTelnet
from netmiko.exceptions import (
    NetmikoAuthenticationException,
    NetmikoTimeoutException,
    ReadException,
    ReadTimeout,
)
from netmiko.session_log import SessionLog

from ipsec_ops.errors import (
    ChannelClosed,
    CommandRejected,
    DeviceAuthError,
    DeviceError,
    DeviceTimeout,
    DeviceUnreachable,
    HostKeyError,
)
from ipsec_ops.platforms import Family, family, is_rejected
from ipsec_ops.settings import TransportSettings

if TYPE_CHECKING:
    from ipsec_ops.inventory import Host

MASK = "********"
# Config lines that carry a key or password, whatever the device chose to print
# (type 7 "encryption" is reversible, so it is masked too).
_SECRET_LINES = [
    re.compile(r"(\b(?:crypto isakmp|isakmp) key\s+(?:\d\s+)?)(\S+)"),
    re.compile(r"(\bpre-shared-key\s+(?:(?:local|remote)\s+)?(?:\d\s+)?)(\S+)"),
    re.compile(r"(\b(?:password|secret)\s+(?:\d\s+)?)(\S+)"),
]


class Redactor:
    """Masks every known secret, and keys or passwords in configuration lines.

    >>> r = Redactor(["Sup3rS3cret"])
    >>> r.redact("login Sup3rS3cret ok")
    'login ******** ok'
    >>> r.redact("crypto isakmp key 6 AbCd address 192.0.2.1")
    'crypto isakmp key 6 ******** address 192.0.2.1'
    >>> r.redact(" ikev1 pre-shared-key *****")
    ' ikev1 pre-shared-key ********'
    """

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets = sorted({s for s in secrets if s}, key=len, reverse=True)

    def add(self, secrets: Iterable[str]) -> None:
        self._secrets = sorted(
            set(self._secrets) | {s for s in secrets if s}, key=len, reverse=True
        )

    @property
    def secrets(self) -> list[str]:
        return list(self._secrets)

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, MASK)
        for pattern in _SECRET_LINES:
            text = pattern.sub(lambda m: m.group(1) + MASK, text)
        return text


class _RedactingLog(SessionLog):
    """A netmiko session log that writes only redacted text."""

    def __init__(self, path: Path, redactor: Redactor) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(path, "ab")  # noqa: SIM115 - netmiko closes it with the session
        super().__init__(
            buffered_io=io.BufferedWriter(handle),
            no_log={str(i): s for i, s in enumerate(redactor.secrets)},
        )
        self._redactor = redactor

    def no_log_filter(self, data: str) -> str:
        return self._redactor.redact(super().no_log_filter(data))


def fingerprint(key: paramiko.PKey) -> str:
    """OpenSSH-style SHA256 fingerprint of a host key."""
    digest = hashlib.sha256(key.asbytes()).digest()
    return "SHA256:" + base64.b64encode(digest).decode().rstrip("=")


_KNOWN_HOSTS_LOCK = threading.Lock()


class _KnownHostsPolicy(paramiko.MissingHostKeyPolicy):
    """What to do with a key that is not in known_hosts: save it (--accept-new) or refuse."""

    def __init__(self, path: Path, accept_new: bool) -> None:
        self.path, self.accept_new = path, accept_new
        self.refused: tuple[str, str] | None = None

    def missing_host_key(
        self, client: paramiko.SSHClient, hostname: str, key: paramiko.PKey
    ) -> None:
        fp = fingerprint(key)
        if not self.accept_new:
            self.refused = (hostname, fp)
            raise paramiko.SSHException(f"host key {fp} of {hostname} is not in {self.path}")
        client.get_host_keys().add(hostname, key.get_name(), key)
        with _KNOWN_HOSTS_LOCK:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            with os.fdopen(fd, "a") as fh:
                fh.write(f"{hostname} {key.get_name()} {key.get_base64()}\n")


class _PixTelnet(CiscoIosTelnet):
    """PIX 6.x over telnet: its login says ``PIX passwd:`` without AAA, ``Password:`` with it."""

    def telnet_login(self, *args: Any, **kwargs: Any) -> str:
        kwargs["pwd_pattern"] = r"(?:assword|passwd)"
        return str(super().telnet_login(*args, **kwargs))

    def session_preparation(self) -> None:
        # No `terminal length` on PIX 6; paging goes off after enable (Family.after_enable).
        self._test_channel_read(pattern=r"[>#]")
        self.set_base_prompt()


class _EofAwareChannel(SSHChannel):
    """netmiko's SSH channel polls a closed channel until its read timeout; this one
    notices that the device hung up and says so at once."""

    def read_channel(self) -> str:
        output = str(super().read_channel())
        chan = self.remote_conn
        if not output and chan is not None and (chan.closed or chan.eof_received):
            raise ReadException("channel closed by the device")
        return output


@dataclass(frozen=True)
class CommandResult:
    command: str
    output: str  # redacted
    rejected: bool  # the device answered with its error marker
    elapsed_s: float


class Session:
    """An open, enabled CLI session to one device. Made by :func:`open_session`."""

    def __init__(
        self, name: str, conn: Any, fam: Family, redactor: Redactor, settings: TransportSettings
    ) -> None:
        self.name, self._conn, self.family = name, conn, fam
        self.redactor, self.settings = redactor, settings
        self._prompt_re = ""
        self.refresh_prompt()

    def refresh_prompt(self) -> None:
        """Re-read the prompt netmiko found (it changes with enable and `changeto`)."""
        self._prompt_re = re.escape(str(self._conn.base_prompt)) + r"[^\n]*[>#]\s*$"

    @property
    def prompt(self) -> str:
        return str(self._conn.base_prompt)

    def run(self, command: str, timeout: float | None = None) -> CommandResult:
        """Send one command; return its redacted output (raises DeviceError subclasses)."""
        limit = timeout or self.settings.command_timeout
        start = time.monotonic()
        try:
            raw = self._conn.send_command(
                command, expect_string=self._prompt_re, read_timeout=limit, cmd_verify=True
            )
        except ReadTimeout:
            raise DeviceTimeout(self.name, f"{command!r}: no prompt within {limit:.0f} s") from None
        except (OSError, EOFError, ReadException, paramiko.SSHException) as exc:
            why = self.redactor.redact(str(exc) or type(exc).__name__)
            raise ChannelClosed(self.name, f"{command!r}: connection lost ({why})") from None
        output = self.redactor.redact(str(raw))
        return CommandResult(
            command, output, is_rejected(output, self.family), time.monotonic() - start
        )

    def run_checked(self, command: str, timeout: float | None = None) -> CommandResult:
        """:meth:`run`, raising CommandRejected (with the device's last line) when the device
        answered with its invalid-input marker."""
        result = self.run(command, timeout)
        if result.rejected:
            lines = result.output.strip().splitlines()
            raise CommandRejected(self.name, f"{command!r}: {lines[-1] if lines else 'rejected'}")
        return result

    def run_confirm(self, command: str, confirm: str, timeout: float | None = None) -> str:
        """Send a command that may ask ``confirm`` (ASA `[confirm]`), answer it with Enter."""
        limit = timeout or self.settings.command_timeout
        either = rf"{re.escape(confirm)}|{self._prompt_re}"
        try:
            out = str(self._conn.send_command(command, expect_string=either, read_timeout=limit))
            if confirm in out:
                self._conn.write_channel(self._conn.RETURN)
                out += str(self._conn.read_until_pattern(self._prompt_re, read_timeout=limit))
        except ReadTimeout:
            raise DeviceTimeout(self.name, f"{command!r}: no prompt within {limit:.0f} s") from None
        except (OSError, EOFError, ReadException, paramiko.SSHException) as exc:
            why = self.redactor.redact(str(exc) or type(exc).__name__)
            raise ChannelClosed(self.name, f"{command!r}: connection lost ({why})") from None
        return self.redactor.redact(out)

    def read_available(self) -> str:
        """What the device sent since the last read (debug lines arrive between commands)."""
        try:
            text = str(self._conn.read_channel())
        except (OSError, EOFError, ReadException, paramiko.SSHException) as exc:
            why = self.redactor.redact(str(exc) or type(exc).__name__)
            raise ChannelClosed(self.name, f"connection lost while reading ({why})") from None
        return self.redactor.redact(text)

    def close(self) -> None:
        """Leave the device; never raises (the channel may already be gone)."""
        with contextlib.suppress(Exception):  # closing must not mask the real error
            self._conn.disconnect()

    def abort(self) -> None:
        """Cut the connection from another thread (Ctrl-C): blocked reads fail at once."""
        try:
            transport = (
                self._conn.remote_conn.get_transport()
                if hasattr(self._conn.remote_conn, "get_transport")
                else None
            )
            if transport is not None:
                transport.close()
            else:
                self._conn.remote_conn.close()
        except Exception:  # a dead transport is what we wanted
            pass

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _params(
    host: Host, fam: Family, settings: TransportSettings, redactor: Redactor
) -> dict[str, Any]:
    params: dict[str, Any] = {
        "device_type": fam.netmiko_type,
        "host": host.hostname,
        "port": host.port,
        "username": host.username,
        "password": host.password.reveal(),
        "secret": host.enable_secret.reveal() if host.enable_secret else "",
        "conn_timeout": settings.connect_timeout,
        "auth_timeout": settings.connect_timeout,
        "banner_timeout": settings.connect_timeout,
        "timeout": settings.command_timeout,
        "read_timeout_override": None,
        "auto_connect": False,
        "fast_cli": True,
    }
    if fam.transport == "ssh":
        params.update(
            ssh_strict=not settings.insecure_no_host_key_check,
            system_host_keys=False,
            alt_host_keys=not settings.insecure_no_host_key_check,
            alt_key_file=str(settings.known_hosts),
            allow_agent=False,
            use_keys=False,
        )
        if settings.ssh_config is not None:
            params["ssh_config_file"] = str(settings.ssh_config)
    if settings.session_log_dir is not None:
        params["session_log"] = _RedactingLog(
            settings.session_log_dir / f"{host.name}.log", redactor
        )
    return params


def _connect(host: Host, fam: Family, settings: TransportSettings, redactor: Redactor) -> Any:
    params = _params(host, fam, settings, redactor)
    policy = None
    conn: Any
    if fam.transport == "telnet":
        params.pop("device_type")
        conn = _PixTelnet(device_type="cisco_ios_telnet", **params)
    else:
        conn = ConnectHandler(**params)
        if not settings.insecure_no_host_key_check:
            policy = _KnownHostsPolicy(settings.known_hosts, settings.accept_new)
            conn.key_policy = policy
    try:
        conn._open()
    except NetmikoAuthenticationException:
        raise DeviceAuthError(host.name, "authentication failed (username or password)") from None
    except NetmikoTimeoutException as exc:
        raise _timeout_error(host, exc, policy) from None
    except ValueError as exc:  # netmiko: enable failed during the ASA session preparation
        if "enable mode" in str(exc):
            raise DeviceAuthError(host.name, "enable secret refused") from None
        raise DeviceError(host.name, redactor.redact(str(exc))) from None
    except (OSError, EOFError, ReadException, paramiko.SSHException) as exc:
        raise _socket_error(host, exc, redactor) from None
    if isinstance(conn.channel, SSHChannel):
        conn.channel = _EofAwareChannel(conn.channel.remote_conn, conn.encoding)
    return conn


def _timeout_error(host: Host, exc: Exception, policy: _KnownHostsPolicy | None) -> DeviceError:
    cause = exc.__context__
    if isinstance(cause, paramiko.BadHostKeyException):
        return HostKeyError(
            host.name,
            f"host key CHANGED for {cause.hostname}: offered "
            f"{fingerprint(cause.key)}, known_hosts has "
            f"{fingerprint(cause.expected_key)}; refusing to connect",
        )
    if policy is not None and policy.refused is not None:
        where, fp = policy.refused
        return HostKeyError(
            host.name,
            f"unknown host key {fp} for {where} (not in {policy.path}; --accept-new trusts it)",
        )
    if isinstance(cause, (ConnectionRefusedError, socket.gaierror)) or "TCP connection" in str(exc):
        return DeviceUnreachable(host.name, f"cannot connect to {host.hostname}:{host.port}")
    return DeviceTimeout(host.name, f"no answer from {host.hostname}:{host.port} in time")


def _socket_error(host: Host, exc: BaseException, redactor: Redactor) -> DeviceError:
    if isinstance(exc, ConnectionRefusedError):
        return DeviceUnreachable(host.name, f"connection refused by {host.hostname}:{host.port}")
    if isinstance(exc, (TimeoutError, socket.timeout)):
        return DeviceTimeout(host.name, f"no answer from {host.hostname}:{host.port} in time")
    text = redactor.redact(str(exc) or type(exc).__name__)
    return ChannelClosed(host.name, f"connection closed during login ({text})")


_ENABLE_PROMPTS = r"(?:[Pp]assword:?\s*$|[>#]\s*$)"


def _enable(conn: Any, name: str, secret: str) -> None:
    """Enter privileged mode; a refused secret fails at once (IOS re-prompts, ASA says so)."""
    if conn.check_enable_mode():
        return
    conn.write_channel("enable" + conn.RETURN)
    # A slow device may still owe us prompts for Enters sent while netmiko looked for
    # the prompt: everything before the echo of `enable` is stale, never the answer.
    conn.read_until_pattern(r"enable", read_timeout=15)
    out = conn.read_until_pattern(_ENABLE_PROMPTS, read_timeout=15)
    if re.search(r"(?i)ssword", out.splitlines()[-1] if out.splitlines() else out):
        conn.write_channel(secret + conn.RETURN)
        out = conn.read_until_pattern(_ENABLE_PROMPTS, read_timeout=15)
    tail = out.rstrip().splitlines()[-1] if out.strip() else ""
    if re.search(r"(?i)ssword", tail):
        for _ in range(2):  # IOS asks three times before "% Bad secrets"
            conn.write_channel(conn.RETURN)
            conn.read_until_pattern(_ENABLE_PROMPTS, read_timeout=15)
        raise DeviceAuthError(name, "enable secret refused")
    if not tail.rstrip().endswith("#"):
        raise DeviceAuthError(name, "enable secret refused")
    conn.set_base_prompt()


def open_session(host: Host, settings: TransportSettings, redactor: Redactor) -> Session:
    """Connect, log in, enable, paging off, change context; returns a Session or raises."""
    fam = family(host.family)
    conn = _connect(host, fam, settings, redactor)
    session = Session(host.name, conn, fam, redactor, settings)
    try:
        if host.enable_secret is not None:
            _enable(conn, host.name, host.enable_secret.reveal())
            session.refresh_prompt()
        for command in fam.after_enable:
            session.run(command)
        if settings.context:
            result = session.run(f"changeto context {settings.context}")
            if result.rejected or "ERROR" in result.output:
                raise CommandRejected(
                    host.name, f"changeto context {settings.context}: {result.output.strip()}"
                )
            conn.set_base_prompt()
        session.refresh_prompt()
        return session
    except ReadTimeout:
        session.close()
        raise DeviceTimeout(host.name, "no prompt after login") from None
    except (OSError, EOFError, paramiko.SSHException) as exc:
        session.close()
        raise _socket_error(host, exc, redactor) from None
    except DeviceError:
        session.close()
        raise
