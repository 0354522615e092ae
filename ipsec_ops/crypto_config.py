"""The crypto configuration side of the join: map entries, their ACLs and lifetimes.

Templates give either one record per map entry (IOS/PIX `show crypto map`) or one
per configuration line (ASA `show running-config crypto`); :func:`config_entries`
merges them into one :class:`MapEntry` per configured peer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ipsec_ops.records import as_int, as_list, first_records, pick, prefix


@dataclass
class MapEntry:
    """One configured peer: its crypto map entry, ACL, interface and lifetime."""

    peer: str
    crypto_map: str | None = None
    seq: int | None = None
    description: str | None = None
    acl: str | None = None
    acl_lines: list[str] = field(default_factory=list)
    transform_set: str | None = None
    interface: str | None = None
    sa_lifetime_s: int | None = None  # the entry's own IPsec SA lifetime, when configured


def config_entries(parsed: dict[str, list[dict[str, Any]]]) -> dict[str, MapEntry]:
    """Configured peers with their map entry, ACL, description and interface.

    Templates give either one record per map entry (IOS `show crypto map`) or one
    per configuration line (ASA `show running-config crypto`): records are merged
    by (map, seq), and interface bindings gathered from whichever record names them.
    """
    _, records = first_records(parsed, "map")
    acls = _acls(parsed)
    interfaces: dict[str, list[str]] = {}
    entries: dict[tuple[str, int], dict[str, Any]] = {}
    for rec in records:
        map_name = pick(rec, "crypto_map", "map_name")
        if not map_name:
            continue
        for iface in as_list(pick(rec, "interfaces")):
            interfaces.setdefault(str(map_name), []).append(str(iface))
        seq = as_int(pick(rec, "seq", "sequence", "seq_num"))
        if seq is None:  # `crypto map NAME interface IF` and the like
            if pick(rec, "interface"):
                interfaces.setdefault(str(map_name), []).append(str(pick(rec, "interface")))
            continue
        merged = entries.setdefault((str(map_name), seq), {"peers": []})
        merged["peers"] += [str(p) for p in as_list(pick(rec, "peers", "peer", "set_peer"))]
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
    out: dict[str, MapEntry] = {}
    for (map_name, seq), merged in sorted(entries.items()):
        acl = str(merged["acl"]) if merged["acl"] else None
        lines, remark = acls.get(acl or "", ([], None))
        for peer in merged["peers"]:
            if peer in out:  # the first entry naming a peer is the one the device uses
                continue
            bound = interfaces.get(map_name, [])
            out[peer] = MapEntry(
                peer=peer,
                crypto_map=map_name,
                seq=seq,
                description=merged["description"] or remark,
                acl=acl,
                acl_lines=[_normal_acl_line(x) for x in as_list(merged["acl_lines"])] or lines,
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
    items = as_list(value)
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
    _, records = first_records(parsed, "acl")
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


def unapplied_maps(parsed: dict[str, list[dict[str, Any]]]) -> list[str]:
    """Crypto maps that have entries but are applied to no interface."""
    entries = config_entries(parsed)
    return sorted({e.crypto_map for e in entries.values() if e.crypto_map and not e.interface})
