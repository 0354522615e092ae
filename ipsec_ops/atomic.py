"""Atomic file writes: a reader (a web server, node_exporter, the next cron run, a bundle
reader) sees the old file or the new one, never half of one.

Each text goes to an exclusive temp file beside its target (mode 0666 so the umask
applies, the name not ending like the target so ``*.prom`` collectors skip it), is
flushed to disk, then renamed over the target, which keeps the target's mode; the
folder is synced so the rename survives a crash. A failure leaves no temp file.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path


def _stage(target: Path, text: str) -> Path:
    """Write ``text`` to a new temp file beside ``target``, flushed to disk; its path."""
    while True:
        tmp = target.parent / f".{target.name}.{secrets.token_hex(6)}.tmp"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            break
        except FileExistsError:  # pragma: no cover - 48 random bits collide only in theory
            continue
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(text.encode("utf-8"))
            fh.flush()
            os.fsync(fh.fileno())
        with contextlib.suppress(FileNotFoundError):
            # Replacing a file keeps its mode (someone may have opened it up or down).
            os.chmod(tmp, target.stat().st_mode & 0o7777)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    return tmp


def _sync_folder(folder: Path) -> None:
    """Make renames durable; some platforms cannot open a folder, which is fine."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_all(files: list[tuple[Path, str]]) -> None:
    """Write every (path, text) atomically: all staged first, then renamed in order.

    When staging fails nothing is replaced; a rename fails only for a broken target
    (e.g. a folder in its place), and the files after it are not replaced. OSError
    is the caller's to report.
    """
    staged: list[tuple[Path, Path]] = []
    try:
        for target, text in files:
            staged.append((_stage(Path(target), text), Path(target)))
        for tmp, target in staged:
            os.replace(tmp, target)
    finally:
        for tmp, _ in staged:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
    for folder in dict.fromkeys(Path(target).parent for target, _ in files):
        _sync_folder(folder)


def write_text(path: Path, text: str, *, make_parents: bool = False) -> Path:
    """Write one file atomically (see :func:`write_all`); returns ``path``.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     target = write_text(Path(tmp) / "sub" / "a.txt", "one", make_parents=True)
    ...     _ = write_text(target, "two")
    ...     target.read_text(), sorted(p.name for p in target.parent.iterdir())
    ('two', ['a.txt'])
    """
    path = Path(path)
    if make_parents:
        path.parent.mkdir(parents=True, exist_ok=True)
    write_all([(path, text)])
    return path


__all__ = ["write_all", "write_text"]
