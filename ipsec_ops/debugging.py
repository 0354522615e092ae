"""Crypto conditional debugs: arm for one peer, capture, and always reset.

The safe way is the easy way: the condition is set and verified before any debug
is enabled; the journal records what is armed before it is armed; the reset runs
on every exit (end, --until, Ctrl-C, SIGTERM, an exception, a dropped connection
after reconnecting) and is verified by reading the device's debug state back.
Unconditional debugs are refused unless asked for twice (--no-condition --force),
and then the number of active SAs is shown first.
"""

from __future__ import annotations

import contextlib
import re
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ipsec_ops import journal
from ipsec_ops.errors import ChannelClosed, DeviceError, UsageError
from ipsec_ops.isotime import utc_now
from ipsec_ops.parse import NoTemplate, ParseError, parse
from ipsec_ops.platform_actions import DebugSyntax
from ipsec_ops.platforms import Family, family
from ipsec_ops.runner import sigterm_as_interrupt
from ipsec_ops.settings import TransportSettings
from ipsec_ops.transport import Redactor, Session, open_session
from ipsec_ops.tunnels import active_debugs

if TYPE_CHECKING:
    from ipsec_ops.inventory import Host

DEFAULT_KINDS = ("isakmp", "ipsec")
UNMATCHED = ("isakmp", "ipsec", "engine")  # `debug crypto condition unmatched ...` (S22)
# The most expensive debug: one line per packet. Refused without a peer condition on a hub.
PER_PACKET = "engine packet"
POLL_S = 0.1
_ON = re.compile(r"(?i)crypto.*(debugging is on|enabled at level|debugging:? on)")
_CONDITION = re.compile(
    r"(?i)^\s*(peer|connid|spi|fvrf|ivrf|username|user|group|subnet|"
    r"local|isakmp profile)\b.*\d"
)


class DebugRefused(UsageError):
    """A debug this tool will not arm (unconditional without --force, no conditional debug)."""


@dataclass(frozen=True)
class DebugRequest:
    peer: str | None
    kinds: tuple[str, ...] = DEFAULT_KINDS
    conditions: tuple[tuple[str, str], ...] = ()  # (condition kind, value), besides the peer
    unmatched: tuple[str, ...] = ()  # isakmp / ipsec / engine
    errors_only: bool = False  # ASA 9.x `debug crypto condition error`
    duration: float | None = 60.0
    until: str | None = None
    save: Path | None = None
    no_condition: bool = False
    force: bool = False


@dataclass
class DebugResult:
    host: str
    reason: str  # "duration", "until", "interrupted", "dropped"
    lines: int = 0
    reset_verified: bool = False
    still_on: list[str] = field(default_factory=list)
    reset_commands: list[str] = field(default_factory=list)


def syntax_of(fam: Family) -> DebugSyntax:
    if fam.debug is None:
        raise DebugRefused(f"{fam.name}: crypto debugs are not supported on this family")
    return fam.debug


def plan(fam: Family, req: DebugRequest) -> tuple[list[str], list[str]]:
    """The condition commands and the debug commands a request sends, or a refusal.

    >>> plan(family("ios15"), DebugRequest("198.51.100.2", ("isakmp",)))
    (['debug crypto condition peer ipv4 198.51.100.2'], ['debug crypto isakmp'])
    >>> try:
    ...     plan(family("pix6.3"), DebugRequest("198.51.100.2"))
    ... except DebugRefused as exc:
    ...     print(str(exc)[:45])
    pix6.3 has no crypto conditional debug: a deb
    """
    syntax = syntax_of(fam)
    unknown = [k for k in req.kinds if k not in syntax.kinds]
    if unknown:
        raise DebugRefused(
            f"{fam.name} has no '{', '.join(unknown)}' debug "
            f"(debug kinds on {fam.name}: {', '.join(syntax.kinds)})"
        )
    bad = [u for u in req.unmatched if u not in UNMATCHED]
    if bad:
        raise DebugRefused(f"--unmatched {', '.join(bad)}: use {', '.join(UNMATCHED)}")
    errors = errors_only(fam, req)
    debugs = list(dict.fromkeys(syntax.kinds[k] for k in req.kinds))  # asa9 ikev2 = protocol
    if req.no_condition:
        if not req.force:
            raise DebugRefused(
                "an unconditional crypto debug on a busy device can take it down: "
                "add --force to confirm (the active SA count is shown first)"
            )
        return errors, debugs
    if syntax.condition_peer is None:
        raise DebugRefused(
            f"{fam.name} has no crypto conditional debug: a debug here is global "
            "(every peer); use --no-condition --force after checking the load"
        )
    if req.peer is None and not req.conditions:
        raise DebugRefused("a condition is required: a peer, or --fvrf/--ivrf/--spi/...")
    conditions = [syntax.condition_peer.format(value=req.peer)] if req.peer else []
    for kind, value in req.conditions:
        if kind not in syntax.condition_kinds:
            raise DebugRefused(
                f"{fam.name}: no '{kind}' condition (known: peer, "
                f"{', '.join(syntax.condition_kinds)})"
            )
        conditions.append(syntax.condition_kinds[kind].format(value=value))
    if req.unmatched:
        if syntax.unmatched is None:
            raise DebugRefused(f"{fam.name}: no 'condition unmatched' debug")
        conditions += [syntax.unmatched.format(value=u) for u in req.unmatched]
    return conditions + errors, debugs


def errors_only(fam: Family, req: DebugRequest) -> list[str]:
    """The errors-only condition a request sets ([] without --errors-only), or a refusal.

    >>> errors_only(family("asa9"), DebugRequest("198.51.100.2", errors_only=True))
    ['debug crypto condition error']
    >>> try:
    ...     errors_only(family("asa8.2"), DebugRequest("198.51.100.2", errors_only=True))
    ... except DebugRefused as exc:
    ...     print(str(exc)[:57])
    asa8.2 has no 'debug crypto condition error' (errors-only
    """
    syntax = syntax_of(fam)
    if not req.errors_only:
        return []
    if syntax.errors_only is None:
        own = [k for k in syntax.kinds if k.endswith(" error")]
        hint = f"; use --kind {','.join(own)}" if own else ""
        raise DebugRefused(
            f"{fam.name} has no 'debug crypto condition error' (errors-only IKE debugs, "
            f"ASA 9.x){hint}"
        )
    return [syntax.errors_only]


def debug_state(session: Session, syntax: DebugSyntax) -> list[str]:
    """The crypto debugs and conditions the device reports as on (read with our templates).

    Output a template cannot read counts as "still on": a reset is verified only when
    the device says, in words we understand, that nothing is left.
    """
    commands = [c for c in (syntax.show, syntax.condition_show) if c]
    parsed: dict[str, list[dict[str, Any]]] = {}
    unreadable: list[str] = []
    for command in commands:
        text = session.run(command).output
        try:
            parsed[command] = parse(session.family.name, command, text) if text.strip() else []
        except (ParseError, NoTemplate):
            unreadable += [
                f"{command}: {line.strip()}" for line in text.splitlines() if line.strip()
            ]
    return active_debugs(parsed) + unreadable


def count_active_sas(session: Session, fam: Family) -> int:
    """Active IPsec SAs, from the outbound SPIs the device lists (shown before global debugs)."""
    return sa_load(session.run("show crypto ipsec sa").output)[0]


def sa_load(output: str) -> tuple[int, int]:
    r"""(active SA pairs, distinct peers) of a ``show crypto ipsec sa`` output.

    >>> sa_load("current_peer 192.0.2.1 port 500\n current outbound spi: 0x1A(26)\n"
    ...         "current_peer: 192.0.2.2\n current outbound spi: 0x0(0)")
    (1, 2)
    """
    spis = re.findall(r"current outbound spi:\s*(?:0x)?([0-9A-Fa-f]+)", output)
    peers = set(re.findall(r"current_peer:?\s+(\S+)", output))
    return sum(1 for spi in spis if int(spi, 16) != 0), len(peers)


def refuse_per_packet_on_hub(session: Session, req: DebugRequest) -> None:
    """`engine packet` without a peer condition on a hub (more than one peer or SA): refused."""
    if PER_PACKET not in req.kinds or req.peer is not None:
        return
    sas, peers = sa_load(session.run("show crypto ipsec sa").output)
    if sas > 1 or peers > 1:
        raise DebugRefused(
            f"{session.name}: '{PER_PACKET}' without a peer condition on a hub ({peers} peers, "
            f"{sas} active SAs) is refused: the most expensive debug, one line per packet"
        )


def reset(
    session: Session, syntax: DebugSyntax, entry: journal.Armed | None, had_debugs: bool
) -> DebugResult:
    """Turn off what was armed (everything, if the device had no debugs before) and verify."""
    commands = (
        [syntax.condition_reset]
        if syntax.condition_reset and (entry is None or entry.conditions)
        else []
    )
    if had_debugs and entry is not None:
        commands += [syntax.off_prefix + command for command in entry.debugs]
    else:
        commands.append(syntax.all_off)
    if syntax.monitor_off:
        commands.append(syntax.monitor_off)
    for command in commands:
        session.run(command)
    left = debug_state(session, syntax)
    ours = set(entry.debugs) if entry is not None else set()
    still_on = [line for line in left if not had_debugs or _mentions_any(line, ours)]
    result = DebugResult(
        session.name, "", reset_verified=not still_on, still_on=still_on, reset_commands=commands
    )
    if result.reset_verified and entry is not None:
        journal.clear(entry.id)
    return result


def _mentions_any(line: str, commands: set[str]) -> bool:
    """Whether a line of the device's debug state is one this run turned on."""
    words = {c.replace("debug crypto ", "").split()[0] for c in commands}
    return line.startswith("condition") or any(word in line.lower() for word in words)


@dataclass
class _Capture:
    write: Callable[[str], None]
    save: Path | None
    until: re.Pattern[str] | None
    prompt: str = ""
    lines: int = 0
    partial: str = ""

    def feed(self, text: str) -> bool:
        """Pass complete lines on; True once a line matches --until."""
        self.partial += text.replace("\r", "")
        *complete, self.partial = self.partial.split("\n")
        hit = False
        for line in complete:
            if not line.strip() or self._is_prompt(line):
                continue  # the device re-prints its prompt after a burst of debug lines
            self.lines += 1
            self.write(line)
            if self.save is not None:
                with open(self.save, "a", encoding="utf-8") as fh:
                    fh.write(line + "\n")
            hit = hit or bool(self.until and self.until.search(line))
        return hit

    def _is_prompt(self, line: str) -> bool:
        return (
            bool(self.prompt)
            and re.fullmatch(rf"{re.escape(self.prompt)}\S*[>#]\s*", line.strip()) is not None
        )


def _stream(session: Session, capture: _Capture, duration: float | None) -> str:
    deadline = time.monotonic() + duration if duration else None
    while True:
        if capture.feed(session.read_available()):
            return "until"
        if deadline is not None and time.monotonic() >= deadline:
            return "duration"
        time.sleep(POLL_S)


def run_debug(
    host: Host,
    req: DebugRequest,
    settings: TransportSettings,
    redactor: Redactor,
    write: Callable[[str], None],
    note: Callable[[str], None],
) -> DebugResult:
    """Arm, capture and reset one device; the reset is attempted on every way out."""
    fam = family(host.family)
    syntax = syntax_of(fam)
    conditions, debugs = plan(fam, req)
    until = re.compile(req.until) if req.until else None
    session = open_session(host, settings, redactor)
    try:
        refuse_per_packet_on_hub(session, req)  # before anything is armed or journaled
    except BaseException:
        session.close()
        raise
    entry: journal.Armed | None = None
    reason = "interrupted"
    had_debugs = False
    capture = _Capture(write, req.save, until, session.prompt)
    try:
        with sigterm_as_interrupt():
            had_debugs = bool(debug_state(session, syntax))
            if req.no_condition:
                note(
                    f"{host.name}: {count_active_sas(session, fam)} active IPsec SAs; "
                    "arming an UNCONDITIONAL debug (--force)"
                )
            entry = journal.Armed(
                host.name, host.hostname, host.port, req.peer, [], conditions, utc_now()
            )
            journal.record(entry)
            _arm(session, conditions, debugs, syntax, req, entry)
            note(
                f"{host.name}: armed {', '.join(debugs)}"
                + (f" for {', '.join(conditions)}" if conditions else " (no condition)")
            )
            reason = _stream(session, capture, req.duration)
    except KeyboardInterrupt:
        reason = "interrupted"
    except ChannelClosed:
        reason = "dropped"
    finally:
        with _interrupts_deferred():  # a second Ctrl-C must not stop the reset half way
            result = _reset_anyway(
                host, session, settings, redactor, syntax, entry, had_debugs, reason, note
            )
    result.reason, result.lines = reason, capture.lines
    return result


def _arm(
    session: Session,
    conditions: list[str],
    debugs: list[str],
    syntax: DebugSyntax,
    req: DebugRequest,
    entry: journal.Armed,
) -> None:
    """Set and verify the condition, then turn the debugs on (journal updated as we go)."""
    for command in conditions:
        if session.run(command).rejected:
            raise DebugRefused(f"{session.name}: the device refused {command!r}")
    if conditions and syntax.condition_show:
        shown = session.run(syntax.condition_show).output
        if req.peer and req.peer not in shown:
            raise DebugRefused(
                f"{session.name}: condition for {req.peer} not confirmed by "
                f"{syntax.condition_show}; nothing armed"
            )
    if syntax.monitor_on:
        session.run(syntax.monitor_on)
    for command in debugs:
        entry.debugs.append(command)
        journal.update(entry)
        if session.run(command).rejected:
            raise DebugRefused(f"{session.name}: the device refused {command!r}")


def _reset_anyway(
    host: Host,
    session: Session,
    settings: TransportSettings,
    redactor: Redactor,
    syntax: DebugSyntax,
    entry: journal.Armed | None,
    had_debugs: bool,
    reason: str,
    note: Callable[[str], None],
) -> DebugResult:
    """Reset on the open session, or on a new one if the connection dropped."""
    for attempt in range(2):
        try:
            if attempt == 1 or reason == "dropped":
                session.abort()
                note(f"{host.name}: connection lost; reconnecting to reset the debugs")
                session = open_session(host, settings, redactor)
            result = reset(session, syntax, entry, had_debugs)
            session.close()
            note(
                f"{host.name}: reset {'verified' if result.reset_verified else 'NOT verified'}"
                f" ({'; '.join(result.reset_commands)})"
            )
            return result
        except DeviceError as exc:
            reason = "dropped"
            last = exc
    session.abort()
    note(
        f"{host.name}: RESET FAILED ({last.message}); run `ipsec-ops debug reset --host "
        f"{host.name}`"
    )
    return DebugResult(host.name, reason, reset_verified=False, still_on=["unknown"])


@contextlib.contextmanager
def _interrupts_deferred() -> Iterator[None]:
    """Ignore SIGINT/SIGTERM while resetting (main thread only); restored afterwards."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.signal(sig, signal.SIG_IGN) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
