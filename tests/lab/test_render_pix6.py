"""PIX 6.3 renderers: IOS-era layouts, state shows through, no secrets."""

from __future__ import annotations

import ipaddress
import re

import pytest

from ipsec_ops.lab.engine import Engine
from ipsec_ops.lab.grammar import Match, NoMatch, build
from ipsec_ops.lab.render import pix6
from ipsec_ops.lab.render.base import RenderContext, context_for
from ipsec_ops.lab.scenario import load_scenario
from ipsec_ops.lab.views import TunnelView

HEALTHY, PHASE2 = "203.0.113.60", "198.51.100.1"


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(load_scenario("default"))


@pytest.fixture
def ctx(engine: Engine) -> RenderContext:
    return context_for(engine, "pix6")


def show(ctx: RenderContext, syntax: str, **args: str) -> str:
    return dict(pix6.commands("pix6.3"))[syntax](ctx, dict(args))


def tunnel(ctx: RenderContext, peer: str) -> TunnelView:
    return next(t for t in ctx.tunnels() if str(t.peer) == peer)


def ipsec_blocks(text: str) -> dict[str, str]:
    """current_peer address -> its block of ``show crypto ipsec sa``."""
    parts = re.split(r"\n(?=    Crypto map tag: )", text)
    out = {}
    for part in parts[1:]:
        m = re.search(r"current_peer: (\S+):500", part)
        assert m, part
        out[m.group(1)] = part
    return out


def test_isakmp_table(ctx: RenderContext) -> None:
    lines = show(ctx, "show crypto isakmp sa").splitlines()
    assert lines[:3] == [
        "Total     : 2",
        "Embryonic : 0",
        "        dst               src        state     pending     created",
    ]
    rows = {tuple(line.split()[:2]): line.split()[2:] for line in lines[3:]}
    # the initiator is src: PIX 6 started the healthy tunnel, HQ started the other
    assert rows[(HEALTHY, "198.51.100.6")] == ["QM_IDLE", "0", "1"]
    assert rows[("198.51.100.6", PHASE2)] == ["QM_IDLE", "0", "0"]


def test_ipsec_sa_lists_every_entry_sas_only_when_present(ctx: RenderContext) -> None:
    out = show(ctx, "show crypto ipsec sa")
    assert out.splitlines()[1] == "interface: outside"
    blocks = ipsec_blocks(out)
    assert set(blocks) == {HEALTHY, PHASE2}
    down = blocks[PHASE2]
    assert "spi: 0x" not in down and "current outbound spi: 0\n" in down
    assert "local  ident (addr/mask/prot/port): (10.6.0.0/255.255.255.0/0/0)" in down
    sa = tunnel(ctx, HEALTHY).ipsec[0]
    up = blocks[HEALTHY]
    assert f"#pkts encaps: {sa.encaps}, #pkts encrypt: {sa.encaps}, #pkts digest {sa.encaps}" in up
    assert f"#pkts decaps: {sa.decaps}, #pkts decrypt: {sa.decaps}, #pkts verify {sa.decaps}" in up
    assert f"current outbound spi: {sa.spi_out:X}" in up
    spis = re.findall(r"spi: 0x([0-9A-F]+)\((\d+)\)", up)
    assert [(int(h, 16), int(d)) for h, d in spis] == [(sa.spi_in,) * 2, (sa.spi_out,) * 2]
    assert "transform: esp-aes-256 esp-sha-hmac ," in up
    assert (
        f"sa timing: remaining key lifetime (k/sec): ({sa.lifetime_left_kb}/{sa.lifetime_left_s})"
        in up
    )
    assert "path mtu 1500, ipsec overhead 56, media mtu 1500" in up
    assert f"local crypto endpt.: 198.51.100.6, remote crypto endpt.: {HEALTHY}" in up


def test_counters_grow_with_time(engine: Engine) -> None:
    def encaps(at: float) -> int:
        block = ipsec_blocks(show(context_for(engine, "pix6", at), "show crypto ipsec sa"))[HEALTHY]
        m = re.search(r"#pkts encaps: (\d+)", block)
        assert m
        return int(m.group(1))

    now = engine.clock.now()
    assert encaps(now + 30) > encaps(now)


def test_crypto_map(ctx: RenderContext) -> None:
    out = show(ctx, "show crypto map")
    assert 'Crypto Map: "outside_map" interfaces: { outside }' in out.splitlines()
    for t in ctx.tunnels():
        e = t.entry
        block = out.split(f'Crypto Map "outside_map" {e.seq} ipsec-isakmp\n')[1].split("\n\n")[0]
        assert f"        Peer = {e.peer}" in block
        assert f"        access-list {e.acl_name}; 1 elements" in block
        src, dst = e.acl[0].src, e.acl[0].dst
        assert re.search(
            rf"access-list {e.acl_name} line \d+ permit ip {src.network_address} {src.netmask} "
            rf"{dst.network_address} {dst.netmask} \(hitcnt={t.acl_hits[0]}\)",
            block,
        )
        assert f"        Current peer: {e.peer}" in block
        assert (
            f"        Security association lifetime: 4608000 kilobytes/{e.sa_lifetime_s} seconds"
            in block
        )
        assert "        PFS (Y/N): N" in block
        assert f"        Transform sets={{ {e.transform_set}, }}" in block


def test_show_version(ctx: RenderContext) -> None:
    lines = show(ctx, "show version").splitlines()
    assert "Cisco PIX Firewall Version 6.3(5)" in lines
    assert "PIX6 up 12 days 5 hours" in lines
    assert "Hardware:   PIX-506E, 32 MB RAM, CPU Pentium II 300 MHz" in lines
    assert any(re.match(r"^Serial Number: \d+ \(0x[0-9a-f]+\)$", line) for line in lines)
    assert any(line.startswith("Running Activation Key: 0x") for line in lines)
    assert any(line.startswith("Configuration last modified by ") for line in lines)


def test_running_config(ctx: RenderContext) -> None:
    for syntax in ("show running-config", "write terminal"):
        lines = show(ctx, syntax).splitlines()
        assert lines[2] == "PIX Version 6.3(5)" and lines[-1] == ": end"
        assert "nameif ethernet0 outside security0" in lines
        for e in ctx.device.map_entries:
            i = lines.index(f"access-list {e.acl_name} remark {e.description}")
            assert lines[i + 1].startswith(f"access-list {e.acl_name} permit ip ")
            assert f"crypto map outside_map {e.seq} ipsec-isakmp" in lines
            assert f"crypto map outside_map {e.seq} match address {e.acl_name}" in lines
            assert f"crypto map outside_map {e.seq} set peer {e.peer}" in lines
            assert (
                f"isakmp key ******** address {e.peer} netmask 255.255.255.255 "
                "no-xauth no-config-mode " in lines
            )
        assert "crypto map outside_map interface outside" in lines
        assert "crypto ipsec transform-set TS-3DES esp-3des esp-md5-hmac" in lines
        assert "isakmp policy 10 encryption aes-256" in lines
        assert "enable password ***** encrypted" in lines


def test_access_list_and_debug(ctx: RenderContext) -> None:
    acl = show(ctx, "show access-list [<word:name>]", name="outside_cryptomap_20")
    hits = tunnel(ctx, HEALTHY).acl_hits[0]
    assert "access-list outside_cryptomap_20 line 1 remark [healthy] to PARTNER-F" in acl
    assert acl.endswith(f"172.16.60.0 255.255.255.0 (hitcnt={hits})")
    assert show(ctx, "show debug") == ""
    ctx.state.debugs.update({"crypto isakmp", "crypto ipsec 3"})
    assert show(ctx, "show debug").splitlines() == ["debug crypto ipsec 3", "debug crypto isakmp 1"]


def test_logging_after_a_clear() -> None:
    engine = Engine(load_scenario("default"))
    engine.clear(
        engine.scenario.device("pix6"), ipaddress.IPv4Address(HEALTHY), at=engine.start + 10
    )
    ctx = context_for(engine, "pix6", engine.start + 60)
    lines = show(ctx, "show logging").splitlines()
    assert lines[0] == "Syslog logging: enabled"
    sa = tunnel(ctx, HEALTHY).ipsec[0]
    created = [line for line in lines if "%PIX-6-602301: sa created" in line]
    deleted = [line for line in lines if "%PIX-6-602302: deleting sa" in line]
    assert len(created) == len(deleted) == 2
    assert any(
        f"sa_dest= {HEALTHY}, sa_prot= 50, sa_spi= 0x{sa.spi_out:x}({sa.spi_out})" in x
        for x in created
    )
    assert any(f"sa_spi= 0x{sa.spi_in:x}({sa.spi_in})" in x for x in created)
    assert all(
        re.match(r"^\w{3} \d\d \d{4} \d\d:\d\d:\d\d: %PIX-6-60230[12]: ", x)
        for x in created + deleted
    )


def secrets(engine: Engine) -> set[str]:
    found = {p.psk for p in engine.scenario.peers if p.psk}
    for d in engine.scenario.devices:
        found |= {d.enable_secret, *(u.password for u in d.users), *(e.psk for e in d.map_entries)}
    return {s for s in found if s}


@pytest.mark.parametrize("device", ["pix6", "pix7", "fw-asa9", "fw-asa82"])
def test_every_command_renders_without_secrets(device: str) -> None:
    engine = Engine(load_scenario("default"))
    dev = engine.scenario.device(device)
    for e in dev.map_entries:
        engine.clear(dev, e.peer, at=engine.start + 5)
    hidden = secrets(engine)
    for at in (engine.start + 1, engine.start + 200):
        ctx = context_for(engine, device, at)
        ctx.state.debugs.add("crypto isakmp")
        for syntax, render in pix6.commands("pix6.3"):
            for args in ({}, {"name": "outside_cryptomap_10"} if "<word:name>" in syntax else {}):
                out = render(ctx, args)
                assert out == render(ctx, args)
                assert not [s for s in hidden if s in out], syntax


@pytest.mark.parametrize(
    ("line", "result"),
    [
        ("sh cry isa sa", ("show", "crypto", "isakmp", "sa")),
        ("sh cry ips sa", ("show", "crypto", "ipsec", "sa")),
        ("sh cry map", ("show", "crypto", "map")),
        ("wr t", ("write", "terminal")),
        ("sh ver", ("show", "version")),
        ("sh cry i", "ambiguous"),
        ("sh acc", "ambiguous"),
        ("sh cry ikev1 sa", "invalid"),
        ("wr mem", "unsimulated"),
        ("sh cry", "incomplete"),
    ],
)
def test_grammar(line: str, result: object) -> None:
    m = build(pix6.commands("pix6.3"), pix6.KNOWN).match(line)
    if isinstance(result, tuple):
        assert isinstance(m, Match) and m.words == result
    else:
        assert isinstance(m, NoMatch) and m.kind == result
