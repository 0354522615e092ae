"""Crypto logging of tunnel up/down: read, plan, configure and verify (issue 10).

IOS: ``crypto logging session`` (12.3(14)T on) and ``crypto logging ezvpn`` (12.4(4)T on);
ASA: the tunnel syslog ids (reference 3I) through ``logging enable``, a buffered level
that includes them, and ``logging message N``. Which family and release has what is the
platforms table (``Family.logging``); this module only follows it.

Configuration always leaves config mode (``end`` in a ``finally``), and the result is
verified by reading the running configuration back: a change is "done" only when the
device's own configuration says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ipsec_ops.errors import DeviceError, UsageError
from ipsec_ops.platform_actions import LoggingSyntax, has_logging_feature
from ipsec_ops.platforms import Family, version_of
from ipsec_ops.transport import Session

ALL = "all"


class LoggingRefused(UsageError):
    """The device's platform or release lacks the crypto logging asked for (exit 64)."""


class NotVerified(DeviceError):
    """The running configuration read back does not show the change (exit 3)."""


@dataclass(frozen=True)
class Plan:
    """What ``enable`` / ``disable`` will send to one device."""

    host: str
    features: tuple[str, ...]
    on: bool
    commands: tuple[str, ...]

    def lines(self) -> list[str]:
        """The plan as printed by ``--dry-run`` (and before sending)."""
        verb = "enable" if self.on else "disable"
        head = f"{self.host}: {verb} crypto logging {', '.join(self.features)}:"
        return [head, "  configure terminal", *(f"  {c}" for c in self.commands), "  end"]


def syntax_of(host: str, fam: Family, version: str) -> LoggingSyntax:
    """The family's logging syntax; refused (naming the release) where it has none.

    >>> from ipsec_ops.platforms import family
    >>> syntax_of("pix", family("pix6.3"), "6.3(5)")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ipsec_ops.logging_config.LoggingRefused: pix: release 6.3(5) (pix6.3) has no crypto logging...
    """
    if fam.logging is None:
        raise LoggingRefused(
            f"{host}: release {version} ({fam.name}) has no crypto logging of tunnel up/down"
        )
    return fam.logging


def features_for(host: str, fam: Family, version: str, wanted: list[str]) -> tuple[str, ...]:
    """The features to act on: those named (``--session``/``--ezvpn``), or every one the
    family has; each checked against the release (refused, naming it, when it lacks one).

    >>> from ipsec_ops.platforms import family
    >>> features_for("r1", family("ios12.4"), "12.4(24)T8", [])
    ('session', 'ezvpn')
    >>> features_for("fw", family("asa9"), "9.16(4)", ["ezvpn"])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ipsec_ops.logging_config.LoggingRefused: fw: release 9.16(4) (asa9) has no 'ezvpn' crypto...
    >>> features_for("r1", family("ios12.4"), "12.3(11)T", ["session"])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ipsec_ops.logging_config.LoggingRefused: r1: ... needs IOS 12.3(14)T or later; ... 12.3(11)T
    """
    syntax = syntax_of(host, fam, version)
    names = (
        tuple(wanted)
        or tuple(n for n, f in syntax.features.items() if has_logging_feature(f, version))
        or tuple(syntax.features)[:1]
    )  # none at all: the first one names the release needed
    for name in names:
        feature = syntax.features.get(name)
        if feature is None:
            known = ", ".join(syntax.features)
            raise LoggingRefused(
                f"{host}: release {version} ({fam.name}) has no '{name}' crypto logging "
                f"(has: {known})"
            )
        if not has_logging_feature(feature, version):
            raise LoggingRefused(
                f"{host}: crypto logging {name} needs IOS {feature.first} or later; "
                f"this device runs {version}"
            )
    return names


def supported(fam: Family, version: str) -> dict[str, str | None]:
    """Feature -> None when the release has it, else the first release that does.

    >>> from ipsec_ops.platforms import family
    >>> supported(family("ios12.4"), "12.4(2)T")
    {'session': None, 'ezvpn': '12.4(4)T'}
    """
    if fam.logging is None:
        return {}
    return {
        name: None if has_logging_feature(f, version) else (f.first or "?")
        for name, f in fam.logging.features.items()
    }


def status_of(syntax: LoggingSyntax, features: tuple[str, ...], config: str) -> dict[str, bool]:
    """Which features the running configuration shows as on.

    >>> from ipsec_ops.platforms import family
    >>> s = family("ios15").logging
    >>> status_of(s, ("session", "ezvpn"), "crypto logging session\\n")
    {'session': True, 'ezvpn': False}
    >>> a = family("asa9").logging
    >>> cfg = "logging enable\\nlogging buffered informational\\n"
    >>> muted = cfg + "no logging message 602303"
    >>> status_of(a, ("session",), cfg), status_of(a, ("session",), muted)
    ({'session': True}, {'session': False})
    """
    out = {}
    for name in features:
        f = syntax.features[name]
        present = all(re.search(p, config, re.MULTILINE) for p in f.present)
        absent = not any(re.search(p, config, re.MULTILINE) for p in f.absent)
        out[name] = present and absent
    return out


def plan(host: str, syntax: LoggingSyntax, features: tuple[str, ...], on: bool) -> Plan:
    """The configuration lines that turn ``features`` on or off."""
    commands: list[str] = []
    for name in features:
        f = syntax.features[name]
        commands += [c for c in (f.on if on else f.off) if c not in commands]
    return Plan(host, features, on, tuple(commands))


def device_version(session: Session) -> str:
    """The release the device runs, from ``show version``."""
    result = session.run("show version")
    version = version_of(session.family.platform, result.output)
    if version is None:
        raise DeviceError(session.name, "show version: no software version found")
    return version


def read_config(session: Session, syntax: LoggingSyntax) -> str:
    """The running-config lines the verification reads."""
    return session.run_checked(syntax.show).output


def configure(session: Session, commands: tuple[str, ...]) -> None:
    """Send configuration lines; config mode is always left, even when a line fails."""
    session.run_checked("configure terminal")
    try:
        for command in commands:
            session.run_checked(command)
    finally:
        session.run("end")


def apply(session: Session, p: Plan, syntax: LoggingSyntax) -> dict[str, bool]:
    """Configure, then read the configuration back; raises NotVerified unless it took."""
    configure(session, p.commands)
    after = status_of(syntax, p.features, read_config(session, syntax))
    wrong = [name for name, on in after.items() if on != p.on]
    if wrong:
        state = "on" if p.on else "off"
        raise NotVerified(
            session.name, f"running-config does not show crypto logging {', '.join(wrong)} {state}"
        )
    return after
