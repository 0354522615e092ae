"""Run one task per device, concurrently, each failure kept to its own device.

Boring on purpose: a thread pool (netmiko is blocking I/O), one outcome per
host, never an exception out of a task. Ctrl-C or SIGTERM cancels: open
sessions are cut so blocked reads end at once, hosts not started are reported
as not reached, and the caller still gets an outcome for every host.
"""

from __future__ import annotations

import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import FrameType
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar

from ipsec_ops.errors import DeviceError
from ipsec_ops.settings import RunSettings

if TYPE_CHECKING:
    from ipsec_ops.inventory import Host

T = TypeVar("T")


class Abortable(Protocol):
    def abort(self) -> None: ...


A = TypeVar("A", bound=Abortable)


class Cancel:
    """Shared by the runner and its tasks: sessions register here to be cut on Ctrl-C."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._open: set[Abortable] = set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def register(self, session: Abortable) -> None:
        with self._lock:
            self._open.add(session)
        if self.cancelled:
            session.abort()

    def unregister(self, session: Abortable) -> None:
        with self._lock:
            self._open.discard(session)

    @contextmanager
    def watching(self, session: A) -> Iterator[A]:
        """Keep ``session`` registered (cut on Ctrl-C) for the block."""
        self.register(session)
        try:
            yield session
        finally:
            self.unregister(session)

    def cancel(self) -> None:
        self._event.set()
        with self._lock:
            sessions = list(self._open)
        for session in sessions:
            session.abort()


@dataclass
class Outcome(Generic[T]):
    """What happened to one host: a result, or an error class and a one-line message."""

    host: Host
    result: T | None = None
    error_kind: str | None = None  # "auth", "timeout", "host_key", "closed", "not_reached", ...
    error: str | None = None
    elapsed_s: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error_kind is None


@dataclass
class RunReport(Generic[T]):
    outcomes: list[Outcome[T]] = field(default_factory=list)
    interrupted: bool = False

    @property
    def failed(self) -> list[Outcome[T]]:
        return [o for o in self.outcomes if not o.ok]


class Progress:
    """Progress on stderr: a rich bar on a terminal, plain lines otherwise, nothing if quiet."""

    def __init__(self, total: int, quiet: bool, label: str) -> None:
        self.total, self.quiet, self.done = total, quiet, 0
        self._bar = None
        self._task = None
        if not quiet and sys.stderr.isatty():
            from rich.progress import Progress as RichProgress

            self._bar = RichProgress(transient=True)
            self._task = self._bar.add_task(label, total=total)
            self._bar.start()

    def step(self, outcome: Outcome[object]) -> None:
        self.done += 1
        if self.quiet:
            return
        if self._bar is not None and self._task is not None:
            self._bar.advance(self._task)
            return
        status = "ok" if outcome.ok else f"FAILED {outcome.error_kind}: {outcome.error}"
        sys.stderr.write(
            f"[{self.done}/{self.total}] {outcome.host.name} {status} ({outcome.elapsed_s:.1f} s)\n"
        )

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM stops a run the way Ctrl-C does (only possible from the main thread)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _attempt(host: Host, task: Callable[[Host, Cancel], T], cancel: Cancel) -> Outcome[T]:
    start = time.monotonic()
    if cancel.cancelled:
        return Outcome(host, error_kind="not_reached", error="run interrupted before this device")
    try:
        return Outcome(host, task(host, cancel), elapsed_s=time.monotonic() - start)
    except DeviceError as exc:
        kind = "interrupted" if cancel.cancelled else exc.kind
        return Outcome(host, error_kind=kind, error=exc.message, elapsed_s=time.monotonic() - start)
    except Exception as exc:  # one bad device never stops the fleet
        text = f"{type(exc).__name__}: {exc}".splitlines()[0]
        return Outcome(host, error_kind="internal", error=text, elapsed_s=time.monotonic() - start)


def run_fleet(
    hosts: list[Host],
    task: Callable[[Host, Cancel], T],
    settings: RunSettings,
    label: str = "devices",
) -> RunReport[T]:
    """Run ``task`` on every host with ``settings.workers`` at once; one outcome per host."""
    cancel = Cancel()
    progress = Progress(len(hosts), settings.quiet, label)
    report: RunReport[T] = RunReport()
    results: dict[str, Outcome[T]] = {}
    pool = ThreadPoolExecutor(
        max_workers=max(1, min(settings.workers, len(hosts) or 1)), thread_name_prefix="ipsec-ops"
    )
    futures: dict[Future[Outcome[T]], Host] = {}
    try:
        with sigterm_as_interrupt():
            futures = {pool.submit(_attempt, h, task, cancel): h for h in hosts}
            pending = set(futures)
            while pending:
                done, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
                for fut in done:
                    outcome = fut.result()
                    results[outcome.host.name] = outcome
                    progress.step(outcome)  # type: ignore[arg-type]
    except KeyboardInterrupt:
        report.interrupted = True
        cancel.cancel()
        for fut in futures:
            fut.cancel()
        for fut, host in futures.items():
            if fut.cancelled():
                results[host.name] = Outcome(
                    host, error_kind="not_reached", error="run interrupted before this device"
                )
            else:
                outcome = fut.result()
                results[outcome.host.name] = outcome
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        progress.close()
    report.outcomes = [results[h.name] for h in hosts if h.name in results]
    return report
