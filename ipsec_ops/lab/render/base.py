"""What a renderer receives, and helpers every platform's renderer shares.

A renderer is a pure function ``(ctx: RenderContext, args: dict[str, str]) -> str``
that prints one command's output from the device's state at ``ctx.now``. It
never touches the network or the session; the shell adds echo, prompts, paging.
"""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ipsec_ops.lab.config import Device
from ipsec_ops.lab.engine import Engine
from ipsec_ops.lab.syslog import initial_windows
from ipsec_ops.lab.views import LogEvent, TunnelView


@dataclass
class DeviceState:
    """Mutable runtime state of one device, shared by all its sessions.

    Debug state outlives the session that set it, as on a real box (written by
    :mod:`ipsec_ops.lab.debug_cli`):

    * ``debugs``: IOS / IOS-XE the keywords after ``debug`` (``crypto isakmp``,
      ``crypto isakmp error``, ``crypto ikev2``); ASA / PIX the keywords and the
      level (``crypto ikev1 127``, ``crypto ikev2 protocol 1``, ``crypto isakmp 1``).
    * ``debug_conditions``: the words after ``debug crypto condition``, in the order
      set: IOS ``peer ipv4 192.0.2.1``, ``peer subnet A M``, ``connid 1001 engine-id 1``,
      ``spi 256``, ``unmatched isakmp`` (one entry per unmatched flag); ASA 8.4+
      ``peer 192.0.2.1``, ``subnet A M``, ``user X``, ``group X``, ``spi N``.
    """

    device: Device
    debugs: set[str] = field(default_factory=set)
    debug_conditions: list[str] = field(default_factory=list)
    command_log: list[tuple[float, str]] = field(default_factory=list)
    boot_time: float = 0.0
    # Crypto logging off-windows per feature (:mod:`ipsec_ops.lab.syslog`).
    log_off: dict[str, list[list[float]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.log_off:
            self.log_off = initial_windows(self.device)


@dataclass(frozen=True)
class RenderContext:
    device: Device
    engine: Engine
    state: DeviceState
    now: float
    context: str | None = None  # ASA multi-context: the context changed to
    # A show filter (`peer X`, `map NAME`, `vrf NAME` ...): only the tunnels it keeps are shown.
    only: Callable[[TunnelView], bool] | None = None

    def tunnels(self) -> list[TunnelView]:
        tunnels = self.engine.tunnels(self.device, self.now)
        return tunnels if self.only is None else [t for t in tunnels if self.only(t)]

    def events(self) -> list[LogEvent]:
        return self.engine.events(self.device, self.now)

    @property
    def uptime_s(self) -> int:
        return int(self.now - self.state.boot_time)


Renderer = Callable[[RenderContext, dict[str, str]], str]


def mask(prefixlen: int) -> str:
    """Dotted netmask of a prefix length.

    >>> mask(24), mask(32), mask(0)
    ('255.255.255.0', '255.255.255.255', '0.0.0.0')
    """
    return str(ipaddress.IPv4Network(f"0.0.0.0/{prefixlen}").netmask)


def net_mask(net: ipaddress.IPv4Network) -> str:
    """``addr/mask`` as in proxy idents.

    >>> net_mask(ipaddress.IPv4Network("10.1.0.0/24"))
    '10.1.0.0/255.255.255.0'
    """
    return f"{net.network_address}/{net.netmask}"


def acl_operand(net: ipaddress.IPv4Network, wildcard: bool) -> str:
    """An ACL operand: ``host A``, ``A MASK`` (ASA) or ``A WILDCARD`` (IOS).

    >>> acl_operand(ipaddress.IPv4Network("10.1.0.0/24"), wildcard=True)
    '10.1.0.0 0.0.0.255'
    >>> acl_operand(ipaddress.IPv4Network("10.1.0.5/32"), wildcard=False)
    'host 10.1.0.5'
    """
    if net.prefixlen == 32:
        return f"host {net.network_address}"
    return f"{net.network_address} {net.hostmask if wildcard else net.netmask}"


def duration(seconds: int) -> str:
    """IOS-style uptime: ``1w2d``, ``3d04h``, ``01:02:03``.

    >>> duration(3723), duration(3 * 86400 + 4 * 3600), duration(9 * 86400)
    ('01:02:03', '3d04h', '1w2d')
    """
    seconds = max(0, int(seconds))
    days, rem = divmod(seconds, 86400)
    hours, rem = divmod(rem, 3600)
    minutes, secs = divmod(rem, 60)
    if days >= 7:
        return f"{days // 7}w{days % 7}d"
    if days:
        return f"{days}d{hours:02d}h"
    return f"{hours:02d}:{minutes:02d}:{secs:02d}"


def hms(seconds: int) -> str:
    """``H:MM:SS`` for lifetimes and durations.

    >>> hms(3725)
    '1:02:05'
    """
    seconds = max(0, int(seconds))
    h, rem = divmod(seconds, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}"


def syslog_time(at: float, msec: bool = True) -> str:
    """IOS ``service timestamps log datetime msec`` form: ``*Nov 29 08:15:02.123``.

    >>> syslog_time(0.25)
    '*Jan  1 00:00:00.250'
    """
    t = time.gmtime(at)
    stamp = f"{time.strftime('%b', t)} {t.tm_mday:2d} {time.strftime('%H:%M:%S', t)}"
    if msec:
        stamp += f".{int((at % 1) * 1000):03d}"
    return "*" + stamp


def asa_time(at: float) -> str:
    """ASA ``logging timestamp`` form: ``Nov 29 2026 08:15:02``.

    >>> asa_time(0)
    'Jan 01 1970 00:00:00'
    """
    return time.strftime("%b %d %Y %H:%M:%S", time.gmtime(at))


BOOTED_BEFORE_START_S = 12 * 86400 + 5 * 3600  # lab devices claim ~12 days of uptime


def context_for(engine: Engine, device_name: str, now: float | None = None) -> RenderContext:
    """A render context for one device of ``engine``'s scenario (tests and tools)."""
    device = engine.scenario.device(device_name)
    state = DeviceState(device, boot_time=engine.start - BOOTED_BEFORE_START_S)
    return RenderContext(device, engine, state, engine.clock.now() if now is None else now)
