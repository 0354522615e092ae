"""The project's one exception family and its exit codes.

Every error a user can cause or meet derives from :class:`IpsecOpsError`, so the
CLI catches one family and prints one line. The transport re-raises netmiko's
timeout and authentication errors as :class:`DeviceTimeout` and
:class:`DeviceAuthError`.
"""

from __future__ import annotations

# Exit codes (DESIGN.md): Nagios convention for health, EX_USAGE for bad input.
EXIT_OK = 0
EXIT_DEGRADED = 1
EXIT_DOWN = 2
EXIT_UNKNOWN = 3
EXIT_USAGE = 64
EXIT_SOFTWARE = 70  # an internal error (a bug): reported in one line, never a traceback


class IpsecOpsError(Exception):
    """Root of every error the tool raises on purpose."""

    exit_code = EXIT_UNKNOWN


class UsageError(IpsecOpsError):
    """A bad argument or a bad file given by the user (exit 64)."""

    exit_code = EXIT_USAGE


class InputFileError(UsageError):
    """A user file is wrong: names the file, the line when known, and the field.

    >>> str(InputFileError("inv/hosts.yaml", "hosts.r1.platform", "unknown platform 'junos'", 4))
    "inv/hosts.yaml:4: hosts.r1.platform: unknown platform 'junos'"
    """

    def __init__(self, path: str, field: str, problem: str, line: int | None = None) -> None:
        self.path = path
        self.field = field
        self.problem = problem
        self.line = line
        where = f"{path}:{line}" if line is not None else path
        head = f"{where}: {field}: " if field else f"{where}: "
        super().__init__(head + problem)


class DeviceError(IpsecOpsError):
    """Something went wrong talking to one device; names the device."""

    kind = "device"

    def __init__(self, device: str, message: str) -> None:
        self.device = device
        self.message = message
        super().__init__(f"{device}: {message}")


class DeviceAuthError(DeviceError):
    kind = "auth"


class DeviceTimeout(DeviceError):
    kind = "timeout"


class DeviceUnreachable(DeviceError):
    kind = "unreachable"


class HostKeyError(DeviceError):
    kind = "host_key"


class ChannelClosed(DeviceError):
    kind = "closed"


class CommandRejected(DeviceError):
    kind = "rejected"
