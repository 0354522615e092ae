"""Parsing a 5,000-tunnel hub's ``show crypto ipsec sa``: plain TextFSM against the tool.

Generates the output of an ASA 9 hub with ``--tunnels`` L2L tunnels (about 20 MB for
5,000) with the lab's own ASA renderer, then times, on that same text, best of
``--repeat`` runs each:

* plain TextFSM: ``textfsm.TextFSM(template).ParseText(text)`` and the same conversion
  to records as :func:`ipsec_ops.parse.parse_with`;
* the tool: :func:`ipsec_ops.parse.parse` ("asa9", "show crypto ipsec sa"), which sends a
  text this large to :mod:`ipsec_ops.parse_fast`;
* the fast path in one process (``workers=1``), to show what each part of it brings;

checks the records are equal and prints a table. The first run of the tool also starts
the worker pool; its time is printed separately.

    .venv/bin/python bench/parse.py [--tunnels 5000] [--repeat 3] [--seed 1]
"""

from __future__ import annotations

import argparse
import io
import ipaddress
import os
import platform
import random
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from types import SimpleNamespace
from typing import Any

import textfsm

from ipsec_ops import parse_fast
from ipsec_ops.lab.engine import Engine
from ipsec_ops.lab.render import asa
from ipsec_ops.lab.render.base import context_for
from ipsec_ops.lab.scenario import load_scenario
from ipsec_ops.parse import find_template, parse

COMMAND = "show crypto ipsec sa"


def generate(tunnels: int, seed: int = 1) -> str:
    """``show crypto ipsec sa`` of an ASA 9 hub with ``tunnels`` up L2L tunnels.

    Rendered by the lab's ASA renderer from the lab's fw-asa9 state, with each tunnel
    given its own peer, sequence number, crypto ACL, proxies, SPIs and counters; four
    tunnels in five have a second proxy pair (a second block), as hubs with several
    protected subnets per peer print. 5,000 tunnels make about 20 MB.
    """
    engine = Engine(load_scenario("default"))
    ctx = context_for(engine, "fw-asa9")
    base = next(t for t in ctx.tunnels() if any(sa.has_sa for sa in t.ipsec))
    sa0 = next(sa for sa in base.ipsec if sa.has_sa)
    rng = random.Random(seed)
    views = []
    first_peer = ipaddress.IPv4Address("100.64.0.1")
    for i in range(tunnels):
        peer = first_peer + i
        sas = []
        for pair in range(1 + (i % 5 != 0)):
            remote = ipaddress.IPv4Network(
                (int(ipaddress.IPv4Address("172.16.0.0")) + i * 512 + pair * 256, 24)
            )
            sas.append(
                replace(
                    sa0,
                    remote_net=remote,
                    spi_in=rng.getrandbits(32) | 1 << 28,
                    spi_out=rng.getrandbits(32) | 1 << 28,
                    encaps=rng.randrange(10**9),
                    decaps=rng.randrange(10**9),
                    send_errors=rng.randrange(3),
                    recv_errors=rng.randrange(3),
                    lifetime_left_s=rng.randrange(300, 3600),
                    lifetime_left_kb=rng.randrange(4_000_000, 4_608_000),
                )
            )
        entry = replace(base.entry, seq=i + 1, peer=peer, acl_name=f"outside_cryptomap_{i + 1}")
        views.append(replace(base, entry=entry, peer=peer, ipsec=tuple(sas)))
    hub = SimpleNamespace(device=ctx.device, tunnels=lambda: views)
    text: str = asa.ipsec_sa(None, hub, {})  # type: ignore[arg-type]
    return text


def plain_textfsm(template_text: str, text: str) -> list[dict[str, Any]]:
    """What :func:`ipsec_ops.parse.parse_with` does below its size threshold."""
    fsm = textfsm.TextFSM(io.StringIO(template_text))
    rows = fsm.ParseText(text)
    keys = [h.lower() for h in fsm.header]
    return [dict(zip(keys, row, strict=True)) for row in rows]


def best_of(repeat: int, run: Callable[[], list[dict[str, Any]]]) -> tuple[float, list[float], Any]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return min(times), times, result


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tunnels", type=int, default=5000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)

    start = time.perf_counter()
    text = generate(args.tunnels, args.seed)
    generated = time.perf_counter() - start
    template = find_template("asa9", COMMAND)
    template_text = template.read_text(encoding="utf-8")
    lines = text.count("\n") + 1
    print(
        f"input: {args.tunnels} tunnels, {len(text) / 1e6:.1f} MB, {lines} lines "
        f"(generated in {generated:.1f} s); template {template.name}"
    )
    print(
        f"machine: nproc {os.cpu_count()}, usable CPUs {parse_fast.cpu_count()}, "
        f"{cpu_model()}, Python {platform.python_version()}, textfsm {textfsm.__version__}"
    )
    with open("/proc/loadavg", encoding="utf-8") as f:
        print(f"load average at start: {' '.join(f.read().split()[:3])}")

    start = time.perf_counter()
    first = parse("asa9", COMMAND, text)
    first_call = time.perf_counter() - start

    plain, plain_all, expected = best_of(args.repeat, lambda: plain_textfsm(template_text, text))
    tool, tool_all, records = best_of(args.repeat, lambda: parse("asa9", COMMAND, text))
    one, one_all, single = best_of(args.repeat, lambda: parse_fast.parse(template, text, workers=1))
    equal = records == expected and single == expected and first == expected

    print()
    print(f"| path | best of {args.repeat} (s) | all runs (s) | vs plain |")
    print("|---|---:|---|---:|")
    for name, best, runs in (
        ("plain TextFSM", plain, plain_all),
        ("ipsec_ops.parse.parse (fast path, split)", tool, tool_all),
        ("fast path, one process (workers=1)", one, one_all),
    ):
        shown = ", ".join(f"{t:.2f}" for t in runs)
        print(f"| {name} | {best:.2f} | {shown} | {plain / best:.1f}x |")
    print()
    print(f"first call of the tool (starts the worker pool): {first_call:.2f} s")
    print(f"records: {len(expected)}; equal in every path: {equal}")
    parse_fast.shutdown()
    return 0 if equal else 1


if __name__ == "__main__":
    sys.exit(main())
