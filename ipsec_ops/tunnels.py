"""Parsed records -> Tunnel objects: the join of configuration, IKE SAs, IPsec SAs and sessions.

One tunnel per (device, peer). Configured peers come from the crypto map
configuration; a configured peer with no SA at all is still a tunnel (down, not
missing). SAs toward peers that are not configured (dynamic maps) are tunnels
too, with ``configured`` false. Evidence lines are taken from the raw output,
so a finding can quote what the device said.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from typing import Any

from ipsec_ops import ezvpn
from ipsec_ops.bundle import DeviceCapture
from ipsec_ops.model import IkeSa, IpsecSa, Tunnel

# Which command feeds which part of the model, best source first (data, not branches).
SOURCES: dict[str, tuple[str, ...]] = {
    # IOS prints the state in the plain table only; the ASA's detail form has everything.
    "ike1": (
        "show crypto isakmp sa",
        "show crypto ikev1 sa detail",
        "show crypto isakmp sa detail",
        "show crypto ikev1 sa",
    ),
    "ike2": (
        "show crypto ikev2 sa detailed",
        "show crypto ikev2 sa detail",
        "show crypto ikev2 sa",
    ),
    "ipsec": ("show crypto ipsec sa", "show crypto ipsec sa detail"),
    "ipsec_detail": ("show crypto ipsec sa detail",),
    "session": ("show crypto session detail", "show crypto session"),
    "map": (
        "show crypto map",
        "show running-config crypto",
        "show running-config | section crypto",
    ),
    "acl": ("show access-lists", "show access-list"),
    "log": ("show logging",),
    "debug": ("show debugging", "show debug", "show crypto debug-condition"),
}


def pick(record: dict[str, Any], *keys: str) -> Any:
    """The first non-empty value among ``keys``.

    >>> pick({"a": "", "b": "x"}, "a", "b")
    'x'
    >>> pick({"a": ""}, "a", "z") is None
    True
    """
    for key in keys:
        value = record.get(key)
        if value not in (None, "", []):
            return value
    return None


def as_int(value: Any) -> int | None:
    """An integer from a TextFSM string (``"1,234"``, ``"12"``), or None.

    >>> as_int("1,234"), as_int(""), as_int(None), as_int("x")
    (1234, None, None, None)
    """
    if value in (None, ""):
        return None
    try:
        return int(str(value).replace(",", ""))
    except ValueError:
        return None


def seconds(value: Any) -> int | None:
    """Seconds from ``"23:59:10"``, ``"1d02h"``-less forms, or a plain number.

    >>> seconds("23:59:10"), seconds("86000"), seconds("0"), seconds("")
    (86350, 86000, 0, None)
    """
    if value in (None, ""):
        return None
    text = str(value)
    if ":" in text:
        parts = [int(p) for p in text.split(":") if p.isdigit()]
        total = 0
        for part in parts:
            total = total * 60 + part
        return total
    return as_int(text)


def prefix(addr: Any, mask: Any) -> str:
    """``10.1.0.0/24`` from an address and a dotted mask (or a wildcard).

    >>> prefix("10.1.0.0", "255.255.255.0"), prefix("10.1.0.0", "0.0.0.255")
    ('10.1.0.0/24', '10.1.0.0/24')
    >>> prefix("host", None), prefix("10.9.9.9", "")
    ('host', '10.9.9.9/32')
    """
    if not addr:
        return ""
    if not mask:
        mask = "255.255.255.255"
    try:
        if str(mask).startswith("0."):  # an IOS wildcard mask
            mask = str(
                ipaddress.IPv4Address(
                    int(ipaddress.IPv4Address("255.255.255.255"))
                    ^ int(ipaddress.IPv4Address(str(mask)))
                )
            )
        return str(ipaddress.IPv4Network(f"{addr}/{mask}", strict=False))
    except ValueError:
        return str(addr)


def _hex(value: Any) -> str | None:
    """SPIs normalised to ``0x`` + upper-case hex.

    >>> _hex("dc15bf68"), _hex("0x1E8246FC"), _hex(""), _hex("0x0")
    ('0xDC15BF68', '0x1E8246FC', None, '0x0')
    """
    if value in (None, ""):
        return None
    text = str(value).strip()
    text = text[2:] if text.lower().startswith("0x") else text
    return "0x" + text.upper() if text else None


def _as_list(value: Any) -> list[Any]:
    if value in (None, ""):
        return []
    return list(value) if isinstance(value, list) else [value]


@dataclass
class _Config:
    peer: str
    crypto_map: str | None = None
    seq: int | None = None
    description: str | None = None
    acl: str | None = None
    acl_lines: list[str] = field(default_factory=list)
    transform_set: str | None = None
    interface: str | None = None
    sa_lifetime_s: int | None = None  # the entry's own IPsec SA lifetime, when configured


def _first(
    parsed: dict[str, list[dict[str, Any]]], kind: str
) -> tuple[str | None, list[dict[str, Any]]]:
    for command in SOURCES[kind]:
        if command in parsed:
            return command, parsed[command]
    return None, []


def _evidence(raw: str, command: str | None, needle: str) -> str:
    """The first raw output line that names ``needle`` (as a whole token)."""
    if not command or not raw:
        return ""
    pattern = re.compile(rf"(?<![\d.]){re.escape(needle)}(?![\d])")
    for line in raw.splitlines():
        if pattern.search(line):
            return f"{command}: {line.strip()}"
    return ""


def config_entries(parsed: dict[str, list[dict[str, Any]]]) -> dict[str, _Config]:
    """Configured peers with their map entry, ACL, description and interface.

    Templates give either one record per map entry (IOS `show crypto map`) or one
    per configuration line (ASA `show running-config crypto`): records are merged
    by (map, seq), and interface bindings gathered from whichever record names them.
    """
    _, records = _first(parsed, "map")
    acls = _acls(parsed)
    interfaces: dict[str, list[str]] = {}
    entries: dict[tuple[str, int], dict[str, Any]] = {}
    for rec in records:
        map_name = pick(rec, "crypto_map", "map_name")
        if not map_name:
            continue
        for iface in _as_list(pick(rec, "interfaces")):
            interfaces.setdefault(str(map_name), []).append(str(iface))
        seq = as_int(pick(rec, "seq", "sequence", "seq_num"))
        if seq is None:  # `crypto map NAME interface IF` and the like
            if pick(rec, "interface"):
                interfaces.setdefault(str(map_name), []).append(str(pick(rec, "interface")))
            continue
        merged = entries.setdefault((str(map_name), seq), {"peers": []})
        merged["peers"] += [str(p) for p in _as_list(pick(rec, "peers", "peer", "set_peer"))]
        fields: tuple[tuple[str, tuple[str, ...]], ...] = (
            ("acl", ("acl_name", "acl", "match_address")),
            ("description", ("description",)),
            ("transform_set", ("transform_sets", "transform_set")),
            ("acl_lines", ("acl_lines",)),
        )
        for key, keys in fields:
            merged.setdefault(key, None)
            merged[key] = merged[key] or pick(rec, *keys)
        merged["lifetime"] = merged.get("lifetime") or _entry_lifetime(rec)
    out: dict[str, _Config] = {}
    for (map_name, seq), merged in sorted(entries.items()):
        acl = str(merged["acl"]) if merged["acl"] else None
        lines, remark = acls.get(acl or "", ([], None))
        for peer in merged["peers"]:
            if peer in out:  # the first entry naming a peer is the one the device uses
                continue
            bound = interfaces.get(map_name, [])
            out[peer] = _Config(
                peer=peer,
                crypto_map=map_name,
                seq=seq,
                description=merged["description"] or remark,
                acl=acl,
                acl_lines=[_normal_acl_line(x) for x in _as_list(merged["acl_lines"])] or lines,
                transform_set=_first_str(merged["transform_set"]),
                interface=bound[0] if bound else None,
                sa_lifetime_s=merged["lifetime"],
            )
    return out


_LIFETIME_SETTING = re.compile(r"set security-association lifetime seconds (\d+)")


def _entry_lifetime(rec: dict[str, Any]) -> int | None:
    """A map entry's IPsec SA lifetime in seconds: IOS/PIX `show crypto map` print it
    (the effective one), ASA has it only as a `set security-association` line.

    >>> _entry_lifetime({"lifetime_sec": "3600"}), _entry_lifetime({"lifetime_s": "28800"})
    (3600, 28800)
    >>> _entry_lifetime({"setting": "set security-association lifetime seconds 10800"})
    10800
    >>> _entry_lifetime({"setting": "set pfs group14"}) is None
    True
    """
    value = as_int(pick(rec, "lifetime_sec", "lifetime_s"))
    if value is not None:
        return value
    m = _LIFETIME_SETTING.search(str(pick(rec, "setting") or ""))
    return int(m.group(1)) if m else None


def _first_str(value: Any) -> str | None:
    items = _as_list(value)
    return str(items[0]) if items else None


_ACL_LINE = re.compile(
    r"permit\s+ip\s+(?P<src>host \S+|\S+ \S+|any)\s+(?P<dst>host \S+|\S+ \S+|any)"
)


def _normal_acl_line(text: str) -> str:
    """``permit ip 10.1.0.0 0.0.0.255 10.2.0.0 0.0.0.255`` -> ``10.1.0.0/24 10.2.0.0/24``.

    >>> _normal_acl_line("access-list X permit ip 10.1.0.0 0.0.0.255 host 10.2.0.9")
    '10.1.0.0/24 10.2.0.9/32'
    """
    m = _ACL_LINE.search(str(text))
    if not m:
        return str(text)
    return f"{_operand(m.group('src'))} {_operand(m.group('dst'))}"


def _operand(text: str) -> str:
    if text == "any":
        return "0.0.0.0/0"
    first, _, second = text.partition(" ")
    if first == "host":
        return f"{second}/32"
    return prefix(first, second)


def _acls(parsed: dict[str, list[dict[str, Any]]]) -> dict[str, tuple[list[str], str | None]]:
    """ACL name -> (``src dst`` permit lines, first remark), IOS and ASA forms."""
    _, records = _first(parsed, "acl")
    out: dict[str, tuple[list[str], str | None]] = {}
    for rec in records:
        name = pick(rec, "name", "acl_name")
        if not name:
            continue
        lines, remark = out.setdefault(str(name), ([], None))
        if pick(rec, "remark") and remark is None:
            out[str(name)] = (lines, str(pick(rec, "remark")))
        if pick(rec, "action") != "permit":
            continue
        src = pick(rec, "source") or _asa_operand(rec, "src")
        dst = pick(rec, "destination") or _asa_operand(rec, "dst")
        if src and dst:
            lines.append(f"{_operand(str(src))} {_operand(str(dst))}")
    return out


def _asa_operand(rec: dict[str, Any], side: str) -> str | None:
    if pick(rec, f"{side}_any"):
        return "any"
    host = pick(rec, f"{side}_host")
    if host:
        return f"host {host}"
    network = pick(rec, f"{side}_network")
    if network:
        return f"{network} {pick(rec, f'{side}_mask') or '255.255.255.255'}"
    return None


def _ike_sas(
    parsed: dict[str, list[dict[str, Any]]],
    raw: dict[str, str],
    local_addresses: set[str],
    peers: set[str],
) -> dict[str, IkeSa]:
    """Peer -> its IKE SA (the most advanced one when several attempts are listed)."""
    out: dict[str, IkeSa] = {}
    for kind, version in (("ike1", 1), ("ike2", 2)):
        command, records = _first(parsed, kind)
        for rec in records:
            peer = _peer_of_ike(rec, local_addresses, peers)
            state = pick(rec, "state") if version == 1 else pick(rec, "status", "state")
            if not peer or not state:
                continue
            ver = as_int(pick(rec, "ike_version", "version")) or version
            sa = IkeSa(
                version=ver,
                state=str(state),
                role=str(pick(rec, "role") or "").lower() or None,
                conn_id=as_int(pick(rec, "conn_id", "tunnel_id", "session_id")),
                lifetime_s=seconds(pick(rec, "lifetime_remaining", "lifetime", "life")),
                local=pick(rec, "local", "src"),
                evidence=_evidence(raw.get(command or "", ""), command, peer),
            )
            if peer not in out or _progress(sa) > _progress(out[peer]):
                out[peer] = sa
    return out


_UP_STATES = {"QM_IDLE", "MM_ACTIVE", "AM_ACTIVE", "READY", "MM_ACTIVE_REKEY", "MM_REKEY_DONE"}


def _progress(sa: IkeSa) -> int:
    return 1 if sa.state in _UP_STATES else 0


def _peer_of_ike(rec: dict[str, Any], local_addresses: set[str], peers: set[str]) -> str | None:
    """The peer of an IKE SA row; plain tables give dst/src, which swap with the role."""
    peer = pick(rec, "peer", "remote", "ike_peer")
    if peer:
        return str(peer).split("/")[0]
    dst, src = str(pick(rec, "dst") or ""), str(pick(rec, "src") or "")
    for candidate in (dst, src):
        if candidate in peers:
            return candidate
    if dst and dst not in local_addresses:
        return dst
    return src or None


def _ipsec_sas(
    parsed: dict[str, list[dict[str, Any]]],
) -> dict[str, tuple[list[IpsecSa], dict[str, str]]]:
    """Peer -> (its proxy pairs with SAs and counters, where they live: interface, map, local)."""
    _, records = _first(parsed, "ipsec")
    detail = _detail_counters(parsed)
    out: dict[str, tuple[list[IpsecSa], dict[str, str]]] = {}
    pairs: dict[tuple[str, str, str], IpsecSa] = {}
    for rec in records:
        peer = pick(rec, "peer", "current_peer", "current_peer_name")
        if not peer:
            continue
        peer = str(peer).split(":")[0]
        local_ident = prefix(
            pick(rec, "local_net", "local_ident_addr", "local_identity_addr"),
            pick(rec, "local_mask", "local_ident_mask", "local_identity_mask"),
        )
        remote_ident = prefix(
            pick(rec, "remote_net", "remote_ident_addr", "remote_identity_addr"),
            pick(rec, "remote_mask", "remote_ident_mask", "remote_identity_mask"),
        )
        spis_in, spis_out = _spis(rec)
        current_out = _hex(pick(rec, "current_outbound_spi", "current_outbound_spi_hex"))
        if current_out and current_out not in ("0x0", "0x00000000") and not spis_out:
            spis_out = [current_out]
        known = pairs.get((peer, local_ident, remote_ident))
        if known is not None:  # one record per SA (IOS detail): same proxy pair, more SPIs
            known.spis_in += [x for x in spis_in if x not in known.spis_in]
            known.spis_out += [x for x in spis_out if x not in known.spis_out]
            known.spi_in = known.spi_in or (spis_in[-1] if spis_in else None)
            continue
        lifetimes = _as_list(
            pick(
                rec,
                "lifetime_sec_out",
                "lifetime_s",
                "sa_lifetime_sec",
                "outbound_remaining_lifetime",
                "inbound_remaining_lifetime",
            )
        )
        kbs = _as_list(
            pick(
                rec,
                "lifetime_kb_out",
                "lifetime_kb",
                "sa_lifetime_kbytes",
                "outbound_remaining_lifetime_kilobytes",
                "inbound_remaining_lifetime_kilobytes",
            )
        )
        extra = detail.get((peer, local_ident, remote_ident), {})
        sa = IpsecSa(
            local_ident=local_ident,
            remote_ident=remote_ident,
            spi_in=spis_in[-1] if spis_in else None,
            spi_out=current_out or (spis_out[-1] if spis_out else None),
            encaps=as_int(pick(rec, "encaps", "pkts_encaps", "packets_encapsulated")) or 0,
            decaps=as_int(pick(rec, "decaps", "pkts_decaps", "packets_decapsulated")) or 0,
            send_errors=as_int(pick(rec, "send_errors")) or 0,
            recv_errors=as_int(pick(rec, "recv_errors", "receive_errors")) or 0,
            lifetime_s=as_int(lifetimes[-1]) if lifetimes else None,
            lifetime_kb=as_int(kbs[-1]) if kbs else None,
            no_sa_send=extra.get("no_sa_send", as_int(pick(rec, "no_sa_send", "pkts_no_sa"))),
            replay_failed=extra.get("replay_failed", as_int(pick(rec, "pkts_replay_failed"))),
            verify_failed=extra.get("verify_failed", as_int(pick(rec, "pkts_verify_failed"))),
            invalid_identity=extra.get(
                "invalid_identity", as_int(pick(rec, "pkts_invalid_identity"))
            ),
            spis_in=spis_in,
            spis_out=spis_out,
        )
        pairs[(peer, local_ident, remote_ident)] = sa
        where = {
            "interface": str(pick(rec, "interface") or ""),
            "crypto_map": str(pick(rec, "crypto_map", "crypto_map_tag") or ""),
            "local": str(pick(rec, "local_addr", "local_address", "local") or ""),
        }
        sas, _ = out.setdefault(peer, ([], where))
        sas.append(sa)
    return out


def _spis(rec: dict[str, Any]) -> tuple[list[str], list[str]]:
    """Inbound and outbound SPIs of a record, whatever its template's shape."""
    orientation = str(pick(rec, "sa_orientation") or "")
    if orientation:  # one record per SA
        spi = _hex(pick(rec, "sa_spi_hex"))
        spis = [spi] if spi else []
        return (spis, []) if orientation == "inbound" else ([], spis)
    spis_in = [_hex(x) for x in _as_list(pick(rec, "spi_in", "inbound_spi_hex"))]
    spis_out = [_hex(x) for x in _as_list(pick(rec, "spi_out", "outbound_spi_hex"))]
    return [x for x in spis_in if x], [x for x in spis_out if x]


def _detail_counters(
    parsed: dict[str, list[dict[str, Any]]],
) -> dict[tuple[str, str, str], dict[str, int | None]]:
    """Extra drop counters of `show crypto ipsec sa detail` (IOS), by (peer, proxies)."""
    out: dict[tuple[str, str, str], dict[str, int | None]] = {}
    if "show crypto ipsec sa detail" not in parsed or "show crypto ipsec sa" not in parsed:
        return out
    for rec in parsed["show crypto ipsec sa detail"]:
        peer = pick(rec, "current_peer", "peer")
        if not peer:
            continue
        key = (
            str(peer).split(":")[0],
            prefix(
                pick(rec, "local_ident_addr", "local_net"),
                pick(rec, "local_ident_mask", "local_mask"),
            ),
            prefix(
                pick(rec, "remote_ident_addr", "remote_net"),
                pick(rec, "remote_ident_mask", "remote_mask"),
            ),
        )
        out[key] = {
            "no_sa_send": as_int(pick(rec, "pkts_no_sa")),
            "replay_failed": as_int(pick(rec, "pkts_replay_failed")),
            "verify_failed": as_int(pick(rec, "pkts_verify_failed")),
            "invalid_identity": as_int(pick(rec, "pkts_invalid_identity")),
        }
    return out


def _sessions(parsed: dict[str, list[dict[str, Any]]]) -> dict[str, dict[str, str]]:
    """Peer -> crypto session facts (IOS `show crypto session detail`)."""
    _, records = _first(parsed, "session")
    out: dict[str, dict[str, str]] = {}
    for rec in records:
        peer = pick(rec, "peer")
        if peer:
            out[str(peer)] = {
                "status": str(pick(rec, "session_status", "status") or ""),
                "fvrf": str(pick(rec, "fvrf") or ""),
                "ivrf": str(pick(rec, "ivrf") or ""),
                "interface": str(pick(rec, "interface") or ""),
            }
    return out


def _vrf(value: str | None) -> str | None:
    return None if value in (None, "", "(none)", "none") else value


def log_lines(raw: dict[str, str]) -> list[str]:
    for command in SOURCES["log"]:
        if command in raw:
            return [line for line in raw[command].splitlines() if "%" in line]
    return []


def _mentions(line: str, peer: str) -> bool:
    return re.search(rf"(?<![\d.]){re.escape(peer)}(?![\d])", line) is not None


def build_tunnels(capture: DeviceCapture, parsed: dict[str, list[dict[str, Any]]]) -> list[Tunnel]:
    """Every tunnel of one device, configured or seen in an SA."""
    config = config_entries(parsed)
    ipsec = _ipsec_sas(parsed)
    local_addresses = {where["local"] for _, where in ipsec.values() if where["local"]}
    ike = _ike_sas(parsed, capture.outputs, local_addresses, set(config))
    sessions = _sessions(parsed)
    logs = log_lines(capture.outputs)
    ike_collected = bool(_first(parsed, "ike1")[0] or _first(parsed, "ike2")[0])
    # Every entry of a crypto map uses the address of the map's interface.
    map_local = {w["crypto_map"]: w["local"] for _, w in ipsec.values() if w["local"]}
    peers = sorted(set(config) | set(ike) | set(ipsec) | set(sessions), key=_sort_key)
    # Easy VPN clients are remote-access sessions (ipsec_ops.ezvpn), not tunnels.
    remote_access = ezvpn.ra_peers(parsed) - set(config)
    peers = [p for p in peers if p not in remote_access]
    tunnels = []
    for peer in peers:
        entry = config.get(peer)
        sas, where = ipsec.get(peer, ([], {}))
        session = sessions.get(peer, {})
        t = Tunnel(
            device=capture.name,
            peer=peer,
            local=where.get("local")
            or (ike[peer].local if peer in ike else None)
            or (map_local.get(entry.crypto_map or "") if entry else None),
            fvrf=_vrf(session.get("fvrf")),
            ivrf=_vrf(session.get("ivrf")),
            interface=(entry.interface if entry else None) or where.get("interface") or None,
            crypto_map=(entry.crypto_map if entry else None) or where.get("crypto_map") or None,
            seq=entry.seq if entry else None,
            configured=entry is not None,
            description=entry.description if entry else None,
            acl=entry.acl if entry else None,
            acl_lines=list(entry.acl_lines) if entry else [],
            transform_set=entry.transform_set if entry else None,
            sa_lifetime_s=entry.sa_lifetime_s if entry else None,
            ike=ike.get(peer),
            ipsec=sas,
            session_status=session.get("status") or None,
            log_lines=[line for line in logs if _mentions(line, peer)],
            ike_collected=ike_collected,
        )
        tunnels.append(t)
    return tunnels


def _sort_key(address: str) -> tuple[int, str]:
    try:
        return (int(ipaddress.ip_address(address)), address)
    except ValueError:
        return (0, address)


def unapplied_maps(parsed: dict[str, list[dict[str, Any]]]) -> list[str]:
    """Crypto maps that have entries but are applied to no interface."""
    entries = config_entries(parsed)
    return sorted({e.crypto_map for e in entries.values() if e.crypto_map and not e.interface})


def active_debugs(parsed: dict[str, list[dict[str, Any]]]) -> list[str]:
    """The crypto debugs and debug conditions a device reports as on, one line each.

    >>> active_debugs({"show debugging": [{"debug": "Crypto ISAKMP", "state": "on"}],
    ...                "show crypto debug-condition": [{"filter_types": ["IKE peer IP address"],
    ...                                                 "filter_values": ["198.51.100.4"]}]})
    ['Crypto ISAKMP debugging is on', 'condition IKE peer IP address 198.51.100.4']
    """
    out = []
    for command in ("show debugging", "show debug"):
        for rec in parsed.get(command, []):
            name, state, level = pick(rec, "debug"), pick(rec, "state"), pick(rec, "level")
            if name and "crypto" in str(name).lower() and state in (None, "on", "ON"):
                out.append(f"{name} debugging is on" + (f" (level {level})" if level else ""))
    for rec in parsed.get("show crypto debug-condition", []):
        kinds = _as_list(pick(rec, "filter_types", "filter_type"))
        values = _as_list(pick(rec, "filter_values", "filter"))
        out += [f"condition {kind} {value}" for kind, value in zip(kinds, values, strict=False)]
        for flag in ("ike_unmatched", "ipsec_unmatched", "engine_unmatched"):
            if str(rec.get(flag, "")).upper() == "ON":
                out.append(f"condition unmatched {flag.split('_')[0]}")
    return out
