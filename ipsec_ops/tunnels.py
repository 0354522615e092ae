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
from typing import Any

from ipsec_ops import ezvpn
from ipsec_ops.bundle import DeviceCapture
from ipsec_ops.crypto_config import config_entries
from ipsec_ops.model import IkeSa, IpsecSa, Tunnel
from ipsec_ops.records import (
    SOURCES,
    as_int,
    as_list,
    first_records,
    hex_spi,
    pick,
    prefix,
    seconds,
)


def _evidence(raw: str, command: str | None, needle: str) -> str:
    """The first raw output line that names ``needle`` (as a whole token)."""
    if not command or not raw:
        return ""
    pattern = re.compile(rf"(?<![\d.]){re.escape(needle)}(?![\d])")
    for line in raw.splitlines():
        if pattern.search(line):
            return f"{command}: {line.strip()}"
    return ""


def _ike_sas(
    parsed: dict[str, list[dict[str, Any]]],
    raw: dict[str, str],
    local_addresses: set[str],
    peers: set[str],
) -> dict[str, IkeSa]:
    """Peer -> its IKE SA (the most advanced one when several attempts are listed)."""
    out: dict[str, IkeSa] = {}
    for kind, version in (("ike1", 1), ("ike2", 2)):
        command, records = first_records(parsed, kind)
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
    _, records = first_records(parsed, "ipsec")
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
        current_out = hex_spi(pick(rec, "current_outbound_spi", "current_outbound_spi_hex"))
        if current_out and current_out not in ("0x0", "0x00000000") and not spis_out:
            spis_out = [current_out]
        known = pairs.get((peer, local_ident, remote_ident))
        if known is not None:  # one record per SA (IOS detail): same proxy pair, more SPIs
            known.spis_in += [x for x in spis_in if x not in known.spis_in]
            known.spis_out += [x for x in spis_out if x not in known.spis_out]
            known.spi_in = known.spi_in or (spis_in[-1] if spis_in else None)
            continue
        lifetimes = as_list(
            pick(
                rec,
                "lifetime_sec_out",
                "lifetime_s",
                "sa_lifetime_sec",
                "outbound_remaining_lifetime",
                "inbound_remaining_lifetime",
            )
        )
        kbs = as_list(
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
        spi = hex_spi(pick(rec, "sa_spi_hex"))
        spis = [spi] if spi else []
        return (spis, []) if orientation == "inbound" else ([], spis)
    spis_in = [hex_spi(x) for x in as_list(pick(rec, "spi_in", "inbound_spi_hex"))]
    spis_out = [hex_spi(x) for x in as_list(pick(rec, "spi_out", "outbound_spi_hex"))]
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
    _, records = first_records(parsed, "session")
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
    ike_collected = bool(first_records(parsed, "ike1")[0] or first_records(parsed, "ike2")[0])
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
        kinds = as_list(pick(rec, "filter_types", "filter_type"))
        values = as_list(pick(rec, "filter_values", "filter"))
        out += [f"condition {kind} {value}" for kind, value in zip(kinds, values, strict=False)]
        for flag in ("ike_unmatched", "ipsec_unmatched", "engine_unmatched"):
            if str(rec.get(flag, "")).upper() == "ON":
                out.append(f"condition unmatched {flag.split('_')[0]}")
    return out
