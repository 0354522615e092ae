"""Credentials from the inventory: resolved once, never printed.

A secret in an inventory file is one of:

- ``env:NAME``: the environment variable NAME (the usual choice for cron and CI);
- ``keyring:SERVICE/USER``: the OS keyring, through the optional ``keyring`` package;
- anything else: the secret itself in plain text, accepted with a warning.

Resolution returns a :class:`Secret`, which prints as ``********`` everywhere
(``str``, ``repr``, f-strings, dataclass reprs, logs); only :meth:`Secret.reveal`
gives the value, so a leak needs an explicit call that a reviewer can see.
Error messages name the file, line, field and reference, never the value.
"""

from __future__ import annotations

import hmac
import importlib
import re
from collections.abc import Mapping

from ipsec_ops.yamlfile import Where

MASK = "********"
ENV_PREFIX = "env:"
KEYRING_PREFIX = "keyring:"
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class Secret:
    """A credential that prints as ``********``; :meth:`reveal` returns the value.

    ``origin`` says where it came from (``env:NAME``, ``keyring:S/U`` or ``plain``)
    and is safe to show.

    >>> s = Secret("cisco123", "env:VPN_PASSWORD")
    >>> str(s), repr(s), f"{s}", s.origin
    ('********', '********', '********', 'env:VPN_PASSWORD')
    >>> s.reveal()
    'cisco123'
    >>> s == Secret("cisco123"), s == Secret("other")
    (True, False)
    """

    __slots__ = ("_value", "origin")

    def __init__(self, value: str, origin: str = "plain") -> None:
        self._value = value
        self.origin = origin

    def reveal(self) -> str:
        """Return the credential itself (for the transport and for redaction)."""
        return self._value

    def __str__(self) -> str:
        return MASK

    def __repr__(self) -> str:
        return MASK

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        # Constant-time compare: equality is the one place the value is examined.
        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash((Secret, self._value))


def resolve_secret(
    value: str, where: Where, dotted: str, env: Mapping[str, str]
) -> tuple[Secret, str | None]:
    """Resolve one secret field; returns the Secret and a warning (plain text) or None.

    ``where`` and ``dotted`` locate the field for messages; ``env`` is the
    environment to read ``env:`` references from.

    >>> from ipsec_ops.errors import InputFileError
    >>> where = Where("inv/hosts.yaml", {"hosts.r1.password": 4})
    >>> secret, warning = resolve_secret("env:VPN_PW", where, "hosts.r1.password", {"VPN_PW": "s3"})
    >>> secret.reveal(), secret.origin, warning
    ('s3', 'env:VPN_PW', None)
    >>> try:
    ...     resolve_secret("env:VPN_PW", where, "hosts.r1.password", {})
    ... except InputFileError as exc:
    ...     print(exc)
    inv/hosts.yaml:4: hosts.r1.password: environment variable VPN_PW is not set (from 'env:VPN_PW')
    >>> secret, warning = resolve_secret("cisco", where, "hosts.r1.password", {})
    >>> print(warning)
    inv/hosts.yaml:4: hosts.r1.password: plain-text secret; use env:NAME or keyring:SERVICE/USER
    """
    if value.startswith(ENV_PREFIX):
        return Secret(_from_env(value, where, dotted, env), value), None
    if value.startswith(KEYRING_PREFIX):
        return Secret(_from_keyring(value, where, dotted), value), None
    return Secret(value), _plain_warning(where, dotted)


def _from_env(ref: str, where: Where, dotted: str, env: Mapping[str, str]) -> str:
    """Return the value of the variable named by ``env:NAME``."""
    name = ref[len(ENV_PREFIX) :]
    if not _ENV_NAME.fullmatch(name):
        # Not echoed: a plain password that happens to start with "env:" must not leak.
        raise where.error(dotted, "env: reference needs a variable name (letters, digits, _)")
    if name not in env:
        raise where.error(dotted, f"environment variable {name} is not set (from {ref!r})")
    if env[name] == "":
        raise where.error(dotted, f"environment variable {name} is empty (from {ref!r})")
    return env[name]


def _from_keyring(ref: str, where: Where, dotted: str) -> str:
    """Return the OS keyring entry named by ``keyring:SERVICE/USER``."""
    service, _, user = ref[len(KEYRING_PREFIX) :].rpartition("/")
    if not service or not user:
        raise where.error(dotted, "keyring: reference must look like keyring:SERVICE/USER")
    try:
        # Optional dependency, imported only when an inventory asks for it.
        keyring = importlib.import_module("keyring")
    except ImportError:
        problem = f"{ref!r} needs the optional 'keyring' package (pip install keyring)"
        raise where.error(dotted, problem) from None
    try:
        found = keyring.get_password(service, user)
    except Exception as exc:  # backends raise their own types (no backend, locked, ...)
        problem = f"keyring lookup for {ref!r} failed: {type(exc).__name__}"
        raise where.error(dotted, problem) from None
    if not found:
        problem = f"no keyring entry for service {service!r} user {user!r} (from {ref!r})"
        raise where.error(dotted, problem)
    return str(found)


def _plain_warning(where: Where, dotted: str) -> str:
    """Return the warning for a plain-text secret: file, line and field, not the value."""
    line = where.line(dotted)
    place = f"{where.path}:{line}" if line is not None else where.path
    return f"{place}: {dotted}: plain-text secret; use env:NAME or keyring:SERVICE/USER"
