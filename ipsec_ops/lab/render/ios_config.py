"""IOS / IOS-XE renderers of the configuration-side commands.

``show running-config``, ``show crypto map``, ``show access-lists`` and ``show ip route
<addr>``; the device-status views (``show version``, ``show logging``, ``show
debugging``, ``show crypto debug-condition``) live in :mod:`.ios_system`, the helpers
both share in :mod:`.ios_common`. Secrets never appear (see :mod:`.ios_common`).

Format facts without a cited source are tagged [E] (practitioner knowledge).
"""

from __future__ import annotations

import ipaddress
import time

from ipsec_ops.lab import syslog
from ipsec_ops.lab.config import Device, IkePolicy, Interface, MapEntry
from ipsec_ops.lab.render.base import RenderContext, mask
from ipsec_ops.lab.render.ios_common import (
    IKEV2_KEYRING,
    IKEV2_PROFILE,
    LOG_BUFFER_BYTES,
    acl_line_text,
    gateway,
    is_124,
    is_xe,
    short_version,
    transform_words,
    type6,
    type9,
    unique_acls,
)

# -- show running-config ------------------------------------------------------------


def _isakmp_policy(p: IkePolicy) -> list[str]:
    # IOS hides defaults: "hash sha" and "lifetime 86400" are not printed [E].
    lines = [f"crypto isakmp policy {p.priority}", f" encr {p.encryption}"]
    lines += [f" hash {p.hash}"] if p.hash != "sha" else []
    lines += [f" authentication {p.auth}", f" group {p.group}"]
    lines += [f" lifetime {p.lifetime}"] if p.lifetime != 86400 else []
    return [*lines, "!"]


def ikev2_encryption(policy: IkePolicy) -> str:
    """IKEv2 proposal keyword for an IOS ISAKMP encryption.

    >>> ikev2_encryption(IkePolicy(1, "aes 256")), ikev2_encryption(IkePolicy(1, "3des"))
    ('aes-cbc-256', '3des')
    """
    name, _, size = policy.encryption.partition(" ")
    return f"aes-cbc-{size or '128'}" if name == "aes" else name


def _ikev2_blocks(device: Device, v2: list[MapEntry]) -> list[str]:
    lines: list[str] = []
    for p in device.ike_policies:
        integrity = "sha1" if p.hash == "sha" else p.hash
        lines += [f"crypto ikev2 proposal PROP-{p.priority} ", f" encryption {ikev2_encryption(p)}"]
        lines += [f" integrity {integrity}", f" group {p.group}", "!"]
    lines.append("crypto ikev2 policy IKEV2-POLICY ")
    lines += [f" proposal PROP-{p.priority}" for p in device.ike_policies]
    lines += ["!", f"crypto ikev2 keyring {IKEV2_KEYRING}"]
    for e in v2:
        secret = type6(f"{device.hostname}|ikev2|{e.peer}|{e.seq}")
        lines += [f" peer PEER-{e.seq}", f"  address {e.peer}", f"  pre-shared-key 6 {secret}"]
        lines.append(" !")
    lines += ["!", "!", f"crypto ikev2 profile {IKEV2_PROFILE}"]
    lines += [f" match identity remote address {e.peer} 255.255.255.255 " for e in v2]
    lines += [" authentication remote pre-share", " authentication local pre-share"]
    return [*lines, f" keyring local {IKEV2_KEYRING}", " dpd 10 2 on-demand", "!"]


def _map_entry_config(e: MapEntry) -> list[str]:
    lines = [f"crypto map {e.map_name} {e.seq} ipsec-isakmp "]
    lines += [f" description {e.description}"] if e.description else []
    lines += [f" set peer {e.peer}", f" set transform-set {e.transform_set} "]
    if e.sa_lifetime_s != 3600:
        lines.append(f" set security-association lifetime seconds {e.sa_lifetime_s}")
    if e.sa_lifetime_kb != 4608000:
        lines.append(f" set security-association lifetime kilobytes {e.sa_lifetime_kb}")
    lines += [f" set pfs group{e.pfs_group}"] if e.pfs_group is not None else []
    lines += [f" set ikev2-profile {IKEV2_PROFILE}"] if e.ike_version == 2 else []
    return [*lines, f" match address {e.acl_name}"]


def _crypto_config(device: Device) -> list[str]:
    v1 = [e for e in device.map_entries if e.ike_version == 1]
    v2 = [e for e in device.map_entries if e.ike_version == 2]
    lines = _ikev2_blocks(device, v2) if v2 else []
    if v1 or not v2:
        for p in sorted(device.ike_policies, key=lambda p: p.priority):
            lines += _isakmp_policy(p)
        for e in v1:
            secret = type6(f"{device.hostname}|isakmp|{e.peer}|{e.seq}")
            lines.append(f"crypto isakmp key 6 {secret} address {e.peer}")
        lines.append("crypto isakmp keepalive 10")  # the "D" capability of the SAs
    lines.append("!")
    for ts in device.transform_sets:
        lines += [f"crypto ipsec transform-set {ts.name} {' '.join(ts.transforms)} "]
        lines += [f" mode {ts.mode}", "!"]
    for e in device.map_entries:
        lines += _map_entry_config(e)
    return lines


def _interface_config(ctx: RenderContext, intf: Interface) -> list[str]:
    lines = [f"interface {intf.name}"]
    lines += [f" description {intf.description}"] if intf.description else []
    lines.append(f" ip address {intf.address} {mask(intf.prefixlen)}")
    lines += [" negotiation auto"] if is_xe(ctx) else [" duplex auto", " speed auto"]
    lines += [f" crypto map {intf.crypto_map}"] if intf.crypto_map else []
    return [*lines, "!"]


_CONFIG_HEAD = """\
!
! Last configuration change at {changed} by {who}
!
version {version}
service timestamps debug datetime msec
service timestamps log datetime msec
service password-encryption
!
hostname {hostname}
!
boot-start-marker
boot-end-marker
!
!
logging buffered {buffer} informational
enable secret 9 {enable}
!
no aaa new-model
!
ip cef
no ipv6 cef
!
password encryption aes"""


def _head(ctx: RenderContext) -> list[str]:
    dev = ctx.device
    text = _CONFIG_HEAD.format(
        changed=time.strftime("%H:%M:%S UTC %a %b %d %Y", time.gmtime(ctx.state.boot_time)),
        who=dev.users[0].username if dev.users else "admin",
        version=short_version(dev.version),
        hostname=dev.hostname,
        buffer=LOG_BUFFER_BYTES,
        enable=type9(dev.hostname + "|enable"),
    )
    lines = [*text.splitlines(), *syslog.ios_config_lines(ctx.state.log_off)]
    lines.append("!")
    for user in dev.users:
        secret = type9(f"{dev.hostname}|user|{user.username}")
        lines.append(f"username {user.username} privilege 15 secret 9 {secret}")
    return [*lines, "!"]


def _tail(device: Device) -> list[str]:
    gw = gateway(device)
    lines = ["ip forward-protocol nd", "no ip http server", "no ip http secure-server", "!"]
    lines += [f"ip route 0.0.0.0 0.0.0.0 {gw}"] if gw is not None else []
    lines += ["ip ssh version 2", "!"]
    for e in unique_acls(device):
        lines.append(f"ip access-list extended {e.acl_name}")
        lines += [f" {acl_line_text(e, i)}" for i in range(len(e.acl))]
    lines += ["!", "!", "line con 0", " logging synchronous", "line vty 0 4"]
    return [*lines, " login local", " transport input ssh", "!", "end"]


def show_running_config(ctx: RenderContext, args: dict[str, str]) -> str:
    body = _head(ctx) + _crypto_config(ctx.device) + ["!"]
    for intf in ctx.device.interfaces:
        body += _interface_config(ctx, intf)
    text = "\n".join(body + _tail(ctx.device))
    return f"Building configuration...\n\nCurrent configuration : {len(text) + 1} bytes\n{text}"


# -- show crypto map ----------------------------------------------------------------


def _map_entry_block(ctx: RenderContext, e: MapEntry) -> list[str]:
    ipv4 = "" if is_124(ctx) else "IPv4 "
    lines = [f'Crypto Map {ipv4}"{e.map_name}" {e.seq} ipsec-isakmp']
    lines += [f"\tDescription: {e.description}"] if e.description else []
    lines.append(f"\tPeer = {e.peer}")
    lines += [f"\tIKEv2 Profile: {IKEV2_PROFILE}"] if e.ike_version == 2 else []
    lines.append(f"\tExtended IP access list {e.acl_name}")
    lines += [f"\t    access-list {e.acl_name} {acl_line_text(e, i)}" for i in range(len(e.acl))]
    lines.append(f"\tCurrent peer: {e.peer}")
    life = f"{e.sa_lifetime_kb} kilobytes/{e.sa_lifetime_s} seconds"
    lines.append(f"\tSecurity association lifetime: {life}")
    lines += [] if is_124(ctx) else ["\tResponder-Only (Y/N): N"]
    lines.append(f"\tPFS (Y/N): {'N' if e.pfs_group is None else 'Y'}")
    lines += [f"\tDH group:  group{e.pfs_group}"] if e.pfs_group is not None else []
    lines += [] if is_124(ctx) else ["\tMixed-mode : Disabled"]
    words = transform_words(ctx.device.transform_set(e.transform_set))
    return [*lines, "\tTransform sets={ ", f"\t\t{e.transform_set}:  {{ {words}  }} , ", "\t}"]


def show_crypto_map(ctx: RenderContext, args: dict[str, str]) -> str:
    out: list[str] = []
    names = dict.fromkeys(e.map_name for e in ctx.device.map_entries)
    for name in names:
        entries = [e for e in ctx.device.map_entries if e.map_name == name]
        for e in sorted(entries, key=lambda e: e.seq):
            out += [*_map_entry_block(ctx, e), ""]
        # [E] the interface list follows the map's last entry, one name per line
        out.append(f"\tInterfaces using crypto map {name}:")
        out += [f"\t\t{i.name}" for i in ctx.device.interfaces if i.crypto_map == name]
        out.append("")
    return "\n".join(out)


# -- show access-lists / show ip route ----------------------------------------------


def show_access_lists(ctx: RenderContext, args: dict[str, str]) -> str:
    wanted = args.get("name")
    hits = {t.entry.acl_name: t.acl_hits for t in ctx.tunnels()}
    out: list[str] = []
    for e in unique_acls(ctx.device):
        if wanted is not None and e.acl_name != wanted:
            continue
        out.append(f"Extended IP access list {e.acl_name}")
        counts = hits.get(e.acl_name, ())
        for i in range(len(e.acl)):
            n = counts[i] if i < len(counts) else 0
            matches = f" ({n} matches)" if n else ""  # IOS omits a zero count
            out.append(f"    {10 * (i + 1)} {acl_line_text(e, i)}{matches}")
    return "\n".join(out)


def _route_entry(prefix: str, known: str, block: str) -> str:
    return (
        f"Routing entry for {prefix}\n  Known via {known}\n  Routing Descriptor Blocks:\n"
        f"  * {block}\n      Route metric is 0, traffic share count is 1"
    )


def show_ip_route_addr(ctx: RenderContext, args: dict[str, str]) -> str:
    addr = ipaddress.IPv4Address(args["addr"])
    for intf in ctx.device.interfaces:
        net = ipaddress.IPv4Network(f"{intf.address}/{intf.prefixlen}", strict=False)
        via = f"directly connected, via {intf.name}"
        if addr == intf.address and not is_124(ctx):  # 15.0+ installs local /32 routes [E]
            return _route_entry(f"{addr}/32", '"connected", distance 0, metric 0 (connected)', via)
        if addr in net:
            known = '"connected", distance 0, metric 0 (connected, via interface)'
            return _route_entry(str(net), known, via)
    gw = gateway(ctx.device)
    if gw is None:
        return "% Network not in table"
    known = '"static", distance 1, metric 0, candidate default path'
    return _route_entry("0.0.0.0/0, supernet", known, str(gw))
