#!/usr/bin/env python
"""Collection benchmark: ``ipsec-ops collect`` against Nornir + nornir-netmiko.

Starts the lab (``ipsec-ops lab up --scenario fleet``) in a separate process, so
its CPU is not counted in the measured process, waits for its inventory, then
runs each collector in its own child process and reads that child's peak RSS
and CPU time from ``os.wait4``:

* ``ipsec-ops collect`` with its default workers (or ``--workers``);
* ``ipsec-ops collect --workers 20``, to separate fewer round trips from more
  concurrency (Nornir's default is 20 workers);
* Nornir (threaded runner, 20 workers) running ``netmiko_send_command`` with
  ``enable=True`` for every command of each host's family, host keys checked
  against the lab's known_hosts, outputs written one file per command.

Both collections are verified (every device, every command) before a figure
is reported; a missing file fails the run. See bench/README.md.

    .venv/bin/python bench/collect.py --devices 200 --latency-ms 100
    .venv/bin/python bench/collect.py --devices 20 --latency-ms 20      # quick
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

NORNIR_CHILD = "_nornir-child"  # hidden sub-command: the measured Nornir process
NORNIR_DEFAULT_WORKERS = 20  # nornir's threaded runner default (RunnerConfig num_workers)
LAB_READY_LINE = "Ctrl-C stops the lab."


class BenchError(RuntimeError):
    """The benchmark could not produce a trustworthy figure."""


class RunFailed(BenchError):
    """One measured run did not collect everything (exit code, missing files, timeout)."""


# --------------------------------------------------------------------------- the Nornir child


def nornir_child(argv: list[str]) -> int:
    """The measured Nornir process: collect every host, print one JSON summary line."""
    ap = argparse.ArgumentParser(prog=f"collect.py {NORNIR_CHILD}")
    ap.add_argument("--inventory", type=Path, required=True)
    ap.add_argument("--known-hosts", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--workers", type=int, default=NORNIR_DEFAULT_WORKERS)
    args = ap.parse_args(argv)

    start = time.perf_counter()
    from nornir import InitNornir
    from nornir.core.inventory import ConnectionOptions
    from nornir.core.task import Result, Task
    from nornir_netmiko.tasks import netmiko_send_command

    from ipsec_ops.atomic import write_text
    from ipsec_ops.bundle import command_filename
    from ipsec_ops.platforms import family

    inv = args.inventory
    nr = InitNornir(
        runner={"plugin": "threaded", "options": {"num_workers": args.workers}},
        inventory={
            "plugin": "SimpleInventory",
            "options": {
                "host_file": str(inv / "hosts.yaml"),
                "group_file": str(inv / "groups.yaml"),
                "defaults_file": str(inv / "defaults.yaml"),
            },
        },
        logging={"enabled": False},  # default writes ./nornir.log; not part of collecting
    )
    for host in nr.inventory.hosts.values():
        fam = family(host.data["family"])
        host.connection_options["netmiko"] = ConnectionOptions(
            platform=fam.netmiko_type,  # the inventory says cisco_pix; netmiko drives it as ASA
            extras={
                "secret": host.data.get("enable_secret") or "",
                # Host keys checked against the lab's known_hosts, as `ipsec-ops collect` does.
                "ssh_strict": True,
                "system_host_keys": False,
                "alt_host_keys": True,
                "alt_key_file": str(args.known_hosts),
                "allow_agent": False,
                "use_keys": False,
            },
        )

    def collect_host(task: Task) -> Result:
        fam = family(task.host.data["family"])
        folder = args.out / task.host.name
        try:
            for command in fam.show_commands:
                r = task.run(task=netmiko_send_command, command_string=command, enable=True)
                write_text(folder / command_filename(command), str(r.result), make_parents=True)
        finally:
            # Close as each host finishes (ours does too) instead of holding every
            # session open until nr.close_connections() at the end.
            task.host.close_connections()
        return Result(host=task.host, result=len(fam.show_commands))

    result = nr.run(task=collect_host)
    failed = {}
    for name, multi in result.items():
        if multi.failed:
            exc = next((r.exception for r in multi if r.exception is not None), None)
            text = f"{type(exc).__name__}: {exc}" if exc else "failed"
            failed[name] = text.strip().splitlines()[0] if text.strip() else "failed"
    summary = {
        "hosts": len(result),
        "failed": failed,
        "in_process_s": round(time.perf_counter() - start, 3),
    }
    print(json.dumps(summary), flush=True)
    return 1 if failed else 0


# --------------------------------------------------------------------------- measuring


@dataclass
class Measure:
    label: str
    workers: int
    wall_s: float
    maxrss_mb: float
    cpu_s: float
    lab_cpu_s: float
    commands: int
    devices: int
    rejected: int = 0


@dataclass
class Variant:
    label: str
    workers: int
    kind: str  # "ours" or "nornir"
    runs: list[Measure] = field(default_factory=list)  # verified runs only
    failures: list[str] = field(default_factory=list)  # runs that did not collect everything

    @property
    def best(self) -> Measure | None:
        return min(self.runs, key=lambda m: m.wall_s) if self.runs else None


def proc_cpu_s(pid: int) -> float:
    """utime + stime of a running process, from /proc (0.0 where /proc is missing)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15 of stat)
    return ticks / os.sysconf("SC_CLK_TCK")


def run_measured(argv: list[str], log: Path, timeout: float, cwd: Path) -> tuple[int, float, Any]:
    """Run ``argv`` as a child; return (exit code, wall seconds, rusage of that child)."""
    with open(log, "wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, cwd=cwd)
        timed_out = threading.Event()

        def kill() -> None:
            timed_out.set()
            with contextlib.suppress(ProcessLookupError):
                os.kill(proc.pid, signal.SIGKILL)

        watchdog = threading.Timer(timeout, kill)
        watchdog.start()
        try:
            # wait4, not RUSAGE_CHILDREN: the rusage of exactly this child.
            _, status, usage = os.wait4(proc.pid, 0)
        except BaseException:
            with contextlib.suppress(ProcessLookupError):
                os.kill(proc.pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(proc.pid, 0)
            raise
        finally:
            watchdog.cancel()
        wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if timed_out.is_set():
        raise RunFailed(f"did not finish in {timeout:.0f} s (killed); log: {log}")
    return proc.returncode, wall, usage


def expected_files(inventory: Path) -> dict[str, tuple[str, list[str]]]:
    """host -> (family, command file names), from the lab's hosts.yaml."""
    import yaml

    from ipsec_ops.bundle import command_filename
    from ipsec_ops.platforms import family

    hosts = yaml.safe_load((inventory / "hosts.yaml").read_text())
    out = {}
    for name, h in hosts.items():
        fam = family(h["data"]["family"])
        out[name] = (fam.name, [command_filename(c) for c in fam.show_commands])
    return out


def verify(kind: str, out: Path, expected: dict[str, tuple[str, list[str]]]) -> tuple[int, int]:
    """Every device and every command file is there (and ok); returns (files, rejected)."""
    from ipsec_ops.platforms import family, is_rejected

    problems: list[str] = []
    files = rejected = 0
    for name, (fam_name, names) in expected.items():
        folder = out / name
        if kind == "ours":
            try:
                record = json.loads((folder / "device.json").read_text())
            except (OSError, ValueError) as exc:
                problems.append(f"{name}: no readable device.json ({exc})")
                continue
            if record.get("status") != "ok":
                problems.append(f"{name}: status {record.get('status')}: {record.get('errors')}")
            bad = [c["command"] for c in record.get("commands", []) if c.get("status") == "failed"]
            if bad:
                problems.append(f"{name}: failed commands {bad}")
        for file in names:
            path = folder / file
            if not path.is_file():
                problems.append(f"{name}: missing {file}")
                continue
            files += 1
            if is_rejected(path.read_text(encoding="utf-8"), family(fam_name)):
                rejected += 1
    extra = sorted(p.name for p in out.iterdir() if p.is_dir() and p.name not in expected)
    if extra:
        problems.append(f"unexpected device folders: {extra[:5]}")
    if problems:
        shown = "\n  ".join(problems[:15])
        more = f"\n  ... and {len(problems) - 15} more" if len(problems) > 15 else ""
        raise RunFailed(f"collection incomplete in {out}:\n  {shown}{more}")
    return files, rejected


# --------------------------------------------------------------------------- the lab


class LabProcess:
    """``ipsec-ops lab up`` in its own process (and session), stopped with SIGINT."""

    def __init__(self, devices: int, latency_ms: int, inventory: Path, log: Path) -> None:
        self.inventory, self.log = inventory, log
        self.argv = [
            *ipsec_ops_cmd(),
            "lab",
            "up",
            "--scenario",
            "fleet",
            "--devices",
            str(devices),
            "--latency-ms",
            str(latency_ms),
            "--port",
            "0",
            "--telnet-port",
            "0",
            "--inventory-out",
            str(inventory),
        ]
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float) -> None:
        with open(self.log, "wb") as fh:
            self.proc = subprocess.Popen(
                self.argv, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BenchError(f"lab exited with {self.proc.returncode}:\n{self.tail()}")
            if LAB_READY_LINE in self.log.read_text(errors="replace") and all(
                (self.inventory / f).is_file() for f in ("hosts.yaml", "known_hosts")
            ):
                return
            time.sleep(0.1)
        raise BenchError(f"lab not ready in {timeout:.0f} s:\n{self.tail()}")

    def cpu_s(self) -> float:
        return proc_cpu_s(self.proc.pid) if self.proc is not None else 0.0

    def tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        """SIGINT (the lab's Ctrl-C), then SIGTERM, then SIGKILL if it will not go."""
        proc = self.proc
        if proc is None or proc.poll() is not None:
            return
        for sig, grace in ((signal.SIGINT, 30), (signal.SIGTERM, 10), (signal.SIGKILL, 10)):
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(sig)
            try:
                proc.wait(grace)
                if sig != signal.SIGINT:
                    print(f"warning: lab needed {sig.name} to stop", file=sys.stderr)
                return
            except subprocess.TimeoutExpired:
                continue


def ipsec_ops_cmd() -> list[str]:
    """The ``ipsec-ops`` console script of this interpreter's environment."""
    script = Path(sys.executable).with_name("ipsec-ops")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "ipsec_ops"]


# --------------------------------------------------------------------------- reporting


def machine_info() -> dict[str, str]:
    model = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    versions = {}
    for dist in ("netmiko", "paramiko", "nornir", "nornir-netmiko", "asyncssh"):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[dist] = "not installed"
    load = "n/a"
    with contextlib.suppress(OSError):
        load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    return {
        "nproc": str(os.cpu_count()),
        "affinity": str(len(os.sched_getaffinity(0))) if hasattr(os, "sched_getaffinity") else "?",
        "cpu": model,
        "python": platform.python_version(),
        "os": platform.platform(),
        "loadavg": load,
        **versions,
    }


def table(variants: list[Variant], devices: int) -> str:
    head = (
        "| collector | workers | devices/s | wall s | peak RSS MB | CPU s | lab CPU % | commands"
        " | verified runs |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|"
    )
    rows = []
    for v in variants:
        b = v.best
        runs = f"{len(v.runs)}/{len(v.runs) + len(v.failures)}"
        if b is None:
            rows.append(f"| {v.label} | {v.workers} | FAILED | | | | | | {runs} |")
            continue
        lab_pct = 100.0 * b.lab_cpu_s / b.wall_s if b.wall_s else 0.0
        rows.append(
            f"| {v.label} | {v.workers} | {devices / b.wall_s:.1f} | {b.wall_s:.1f}"
            f" | {max(m.maxrss_mb for m in v.runs):.0f} | {b.cpu_s:.1f} | {lab_pct:.0f}"
            f" | {b.commands} | {runs} |"
        )
    return "\n".join([head, *rows])


# --------------------------------------------------------------------------- main


def measure(
    v: Variant,
    work: Path,
    inventory: Path,
    expected: dict[str, tuple[str, list[str]]],
    lab: LabProcess,
    timeout: float,
    run: int,
    keep: bool = False,
) -> Measure:
    out = work / f"out-{v.kind}-{v.workers}-{run}"
    log = work / f"log-{v.kind}-{v.workers}-{run}.txt"
    known_hosts = inventory / "known_hosts"
    if v.kind == "ours":
        argv = [
            *ipsec_ops_cmd(),
            "collect",
            "-i",
            str(inventory),
            "--known-hosts",
            str(known_hosts),
            "--out",
            str(out),
            "--quiet",
        ]
        if v.workers != 0:
            argv += ["--workers", str(v.workers)]
    else:
        argv = [
            sys.executable,
            str(Path(__file__).resolve()),
            NORNIR_CHILD,
            "--inventory",
            str(inventory),
            "--known-hosts",
            str(known_hosts),
            "--out",
            str(out),
            "--workers",
            str(v.workers),
        ]
    lab_before = lab.cpu_s()
    code, wall, usage = run_measured(argv, log, timeout, cwd=work)
    lab_cpu = lab.cpu_s() - lab_before
    text = log.read_text(errors="replace")
    if code != 0:
        raise RunFailed(f"exited with {code}; log {log}:\n{text[-3000:]}")
    files, rejected = verify(v.kind, out, expected)
    m = Measure(
        v.label,
        v.workers,
        wall,
        usage.ru_maxrss / 1024.0,  # KiB on Linux
        usage.ru_utime + usage.ru_stime,
        lab_cpu,
        files,
        len(expected),
        rejected,
    )
    extra = ""
    if v.kind == "nornir":
        with contextlib.suppress(ValueError, IndexError):
            extra = f", in-process {json.loads(text.strip().splitlines()[-1])['in_process_s']} s"
    print(
        f"  {v.label:24} {v.workers:3} workers, run {run}: {wall:6.1f} s"
        f"  {len(expected) / wall:6.1f} dev/s"
        f"  peak {m.maxrss_mb:5.0f} MB  cpu {m.cpu_s:5.1f} s  lab cpu {lab_cpu:5.1f} s"
        f"  {files} files ({rejected} rejected){extra}",
        flush=True,
    )
    if not keep:
        shutil.rmtree(out, ignore_errors=True)
    return m


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == NORNIR_CHILD:
        return nornir_child(argv[1:])
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--devices", type=int, default=200)
    ap.add_argument("--latency-ms", type=int, default=100)
    ap.add_argument("--repeat", type=int, default=1, help="Runs of each; best is reported.")
    ap.add_argument(
        "--workers", type=int, default=0, help="ipsec-ops --workers (default: its own default)."
    )
    ap.add_argument("--nornir-workers", type=int, default=NORNIR_DEFAULT_WORKERS)
    ap.add_argument("--no-nornir", action="store_true", help="Only measure ipsec-ops.")
    ap.add_argument("--timeout", type=float, default=1800, help="Seconds per measured run.")
    ap.add_argument("--keep", action="store_true", help="Keep the work folder (logs).")
    args = ap.parse_args(argv)

    if not args.no_nornir:
        try:
            metadata.version("nornir-netmiko")
        except metadata.PackageNotFoundError:
            print("nornir-netmiko missing: pip install -e '.[bench]'", file=sys.stderr)
            return 2

    from ipsec_ops.options import DEFAULT_WORKERS

    info = machine_info()
    print("machine: " + ", ".join(f"{k} {v}" for k, v in info.items()), flush=True)
    ours_workers = args.workers or DEFAULT_WORKERS
    variants = [Variant("ipsec-ops collect", ours_workers, "ours")]
    if ours_workers != NORNIR_DEFAULT_WORKERS:
        variants.append(Variant("ipsec-ops collect", NORNIR_DEFAULT_WORKERS, "ours"))
    if not args.no_nornir:
        variants.append(Variant("nornir + nornir-netmiko", args.nornir_workers, "nornir"))

    work = Path(tempfile.mkdtemp(prefix="ipsec-ops-bench-"))
    inventory = work / "inventory"
    lab = LabProcess(args.devices, args.latency_ms, inventory, work / "lab.log")
    code = 0
    try:
        t0 = time.perf_counter()
        lab.start(timeout=120 + args.devices * 0.5)
        print(
            f"lab up: {args.devices} devices, {args.latency_ms} ms latency"
            f" ({time.perf_counter() - t0:.1f} s)",
            flush=True,
        )
        expected = expected_files(inventory)
        if len(expected) != args.devices:
            raise BenchError(f"lab inventory has {len(expected)} hosts, asked {args.devices}")
        for run in range(1, args.repeat + 1):
            for v in variants:
                try:
                    m = measure(v, work, inventory, expected, lab, args.timeout, run, args.keep)
                except RunFailed as exc:
                    first = str(exc).splitlines()[0]
                    print(f"  {v.label:24} {v.workers:3} workers, run {run}: FAILED {first}")
                    v.failures.append(f"{v.label} ({v.workers} workers) run {run}: {exc}")
                    continue
                v.runs.append(m)
        print()
        print(table(variants, args.devices))
        ours, theirs = variants[0].best, variants[-1].best
        if not args.no_nornir and ours is not None and theirs is not None:
            print(
                f"\nipsec-ops ({ours.workers} workers) vs nornir ({theirs.workers} workers):"
                f" {theirs.wall_s / ours.wall_s:.2f}x devices/s,"
                f" peak RSS {ours.maxrss_mb:.0f} MB vs {theirs.maxrss_mb:.0f} MB"
            )
            same = variants[1].best if len(variants) == 3 else None
            if same is not None:
                print(
                    f"at equal workers ({same.workers}): {theirs.wall_s / same.wall_s:.2f}x"
                    " devices/s (round trips alone)"
                )
        failures = [f for v in variants for f in v.failures]
        if failures:
            # Figures above come from verified runs only; the failed runs are the news.
            print(
                f"\nBENCH FAILED: {len(failures)} run(s) did not collect everything:",
                file=sys.stderr,
            )
            for failure in failures:
                print(f"- {failure}", file=sys.stderr)
            code = 1
    except BenchError as exc:
        print(f"\nBENCH FAILED: {exc}", file=sys.stderr)
        code = 1
    finally:
        lab.stop()
        if code or args.keep:
            print(f"work folder kept: {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
