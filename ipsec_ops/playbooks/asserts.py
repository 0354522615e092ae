"""Which tunnels an assert looks at, and which of them fail it (pure: reports in, keys out)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ipsec_ops.model import Report, Tunnel
from ipsec_ops.playbooks.spec import Ref

Key = tuple[str, str]  # (device, peer)


def matches(tunnel: Tunnel, health: tuple[str, ...], finding: tuple[str, ...]) -> bool:
    """Whether a tunnel has one of ``health`` (if any given) and one of ``finding`` (same).

    >>> t = Tunnel("r1", "192.0.2.1", health="down")
    >>> matches(t, ("down",), ()), matches(t, ("up",), ()), matches(t, (), ("STALE_SA",))
    (True, False, False)
    """
    codes = {f.code for f in tunnel.findings}
    return (not health or tunnel.health in health) and (not finding or bool(codes & set(finding)))


def referenced(report: Report, ref: Ref) -> list[Key]:
    """The (device, peer) of every tunnel of ``report`` that the reference's filters keep."""
    return [t.key for t in report.tunnels if matches(t, ref.health, ref.finding)]


@dataclass
class Verdict:
    checked: list[Key] = field(default_factory=list)
    failing: list[tuple[Key, str]] = field(default_factory=list)  # key, health or "missing"

    def passed(self, max_matches: int) -> bool:
        return len(self.failing) <= max_matches


def evaluate(
    examined: Report,
    candidates: Iterable[Key] | None,
    keep: Callable[[Key], bool],
    fail_health: tuple[str, ...],
    fail_finding: tuple[str, ...],
) -> Verdict:
    """Check the tunnels: ``candidates`` (None: every tunnel of ``examined``) that ``keep``.

    A candidate named by an earlier step but absent from ``examined`` fails as
    ``missing``: a tunnel that vanished is not a tunnel that is fine.

    >>> r = Report("now", [], [Tunnel("r1", "192.0.2.1", health="down"), Tunnel("r1", "192.0.2.2")])
    >>> v = evaluate(r, None, lambda k: True, ("down",), ())
    >>> v.checked, v.failing
    ([('r1', '192.0.2.1'), ('r1', '192.0.2.2')], [(('r1', '192.0.2.1'), 'down')])
    >>> evaluate(r, [("r1", "192.0.2.9")], lambda k: True, ("down",), ()).failing
    [(('r1', '192.0.2.9'), 'missing')]
    """
    by_key = {t.key: t for t in examined.tunnels}
    keys = list(by_key) if candidates is None else list(dict.fromkeys(candidates))
    verdict = Verdict()
    for key in keys:
        if not keep(key):
            continue
        verdict.checked.append(key)
        tunnel = by_key.get(key)
        if tunnel is None:
            verdict.failing.append((key, "missing"))
        elif matches(tunnel, fail_health, fail_finding):
            verdict.failing.append((key, tunnel.health))
    return verdict
