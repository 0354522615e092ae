"""Scenario files: YAML that declares lab devices, their crypto configuration and faults.

A scenario is data an engineer writes (see ``scenarios/default.yaml``). Loading
checks every field and answers a mistake with one line naming the file, the line
and the field. Built-in scenarios live beside this module; ``fleet`` is
generated for scale work.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Any

from ipsec_ops.lab.config import (
    DEVICE_FAULTS,
    TUNNEL_FAULTS,
    AclLine,
    Device,
    DeviceFaults,
    ExternalPeer,
    IkePolicy,
    Interface,
    MapEntry,
    Scenario,
    TransformSet,
    User,
)
from ipsec_ops.lab.scenario_ezvpn import ezvpn_fields
from ipsec_ops.lab.scenario_reader import Reader as _Reader
from ipsec_ops.lab.scenario_reader import as_flag as _flag
from ipsec_ops.lab.scenario_reader import as_network as _network
from ipsec_ops.lab.scenario_reader import as_str as _str
from ipsec_ops.lab.scenario_reader import as_str_tuple as _str_tuple
from ipsec_ops.lab.scenario_reader import faults_of as _faults
from ipsec_ops.platforms import DEFAULT_FAMILY, FAMILIES, PLATFORMS
from ipsec_ops.yamlfile import Where, load, loads

BUILTIN_DIR = Path(__file__).parent / "scenarios"
DEFAULT_BASE_ADDRESS = ipaddress.IPv4Address("127.1.0.1")
NO_FAULTS: tuple[str, ...] = ()


def builtin_names() -> list[str]:
    """Names of the scenarios shipped with the tool (``fleet`` is generated)."""
    return sorted([p.stem for p in BUILTIN_DIR.glob("*.yaml")] + ["fleet"])


def builtin_summary(name: str) -> str:
    """The one-line description of a built-in scenario."""
    if name == "fleet":
        return "N generated devices (--devices N), mostly healthy with every fault mixed in"
    data, _ = load(BUILTIN_DIR / f"{name}.yaml")
    return str(data.get("description", "")).strip().splitlines()[0]


def load_scenario(name_or_path: str, devices: int = 50) -> Scenario:
    """Load a built-in scenario by name, or a scenario file by path."""
    if name_or_path == "fleet":
        from ipsec_ops.lab.fleet import fleet_scenario

        return fleet_scenario(devices)
    path = Path(name_or_path)
    if not path.suffix and (BUILTIN_DIR / f"{name_or_path}.yaml").exists():
        path = BUILTIN_DIR / f"{name_or_path}.yaml"
    data, where = load(path)
    return build_scenario(data, where)


def scenario_from_text(text: str, path: str = "<scenario>") -> Scenario:
    data, where = loads(text, path)
    return build_scenario(data, where)


def _acl_line(v: Any) -> AclLine:
    """``"10.1.0.0/24 10.2.0.0/24"``: source and destination of a ``permit ip`` line."""
    parts = str(v).split()
    if len(parts) != 2:
        raise ValueError("expected 'SOURCE/LEN DESTINATION/LEN'")
    return AclLine(_network(parts[0]), _network(parts[1]))


def _policies(r: _Reader, key: str, default: tuple[IkePolicy, ...]) -> tuple[IkePolicy, ...]:
    if key not in r.data:
        return default
    out = []
    for dotted, item in r.items(key):
        p = _Reader(item, r.where, dotted)
        p.check_keys({"priority", "encryption", "hash", "group", "auth", "lifetime"})
        out.append(
            IkePolicy(
                priority=p.get("priority", int),
                encryption=p.get("encryption", _str, "aes 256"),
                hash=p.get("hash", _str, "sha"),
                group=p.get("group", int, 14),
                auth=p.get("auth", _str, "pre-share"),
                lifetime=p.get("lifetime", int, 86400),
            )
        )
    return tuple(out)


def _transform_sets(r: _Reader, default: tuple[TransformSet, ...]) -> tuple[TransformSet, ...]:
    if "transform_sets" not in r.data:
        return default
    out = []
    for dotted, item in r.items("transform_sets"):
        t = _Reader(item, r.where, dotted)
        t.check_keys({"name", "transforms", "mode"})
        out.append(
            TransformSet(
                name=t.get("name", _str),
                transforms=t.get("transforms", lambda v: tuple(str(x) for x in v)),
                mode=t.get("mode", _str, "tunnel"),
            )
        )
    return tuple(out)


def _acl(r: _Reader, key: str) -> tuple[AclLine, ...]:
    lines = tuple(_Reader({"line": v}, r.where, d).get("line", _acl_line) for d, v in r.items(key))
    return lines


def _map_entry(r: _Reader, map_name: str, interface: str, seq_default: int) -> MapEntry:
    r.check_keys(
        {
            "seq",
            "peer",
            "description",
            "acl",
            "acl_name",
            "psk",
            "transform_set",
            "pfs_group",
            "ike_version",
            "lifetime_s",
            "lifetime_kb",
            "faults",
            "pps",
            "map",
        }
    )
    acl = _acl(r, "acl")
    if not acl:
        raise r.error("acl", "a crypto map entry needs at least one ACL line")
    seq = r.get("seq", int, seq_default)
    return MapEntry(
        map_name=r.get("map", _str, map_name),
        seq=seq,
        peer=r.get("peer", ipaddress.IPv4Address),
        interface=interface,
        acl_name=r.get("acl_name", _str, f"{map_name}-{seq}-ACL"),
        acl=acl,
        transform_set=r.get("transform_set", _str),
        psk=r.get("psk", _str),
        description=r.get("description", _str, ""),
        pfs_group=r.opt("pfs_group", int),
        ike_version=r.get("ike_version", int, 1),
        sa_lifetime_s=r.get("lifetime_s", int, 3600),
        sa_lifetime_kb=r.get("lifetime_kb", int, 4608000),
        faults=r.get("faults", _faults(TUNNEL_FAULTS), NO_FAULTS),
        pps=r.get("pps", float, 5.0),
    )


DEVICE_KEYS = {
    "platform",
    "family",
    "version",
    "hostname",
    "address",
    "port",
    "username",
    "password",
    "enable_secret",
    "interfaces",
    "ike_policies",
    "transform_sets",
    "crypto_map",
    "crypto_map_name",
    "faults",
    "latency_ms",
    "failover",
    "contexts",
    "model",
    "serial",
    "hang_on",
    "drop_on",
    "crypto_logging",
    "crypto_logging_ezvpn",
    "ezvpn",
}


def _device(r: _Reader, name: str, defaults: dict[str, Any], address: str) -> Device:
    r.check_keys(DEVICE_KEYS)
    platform = r.get("platform", _str)
    if platform not in PLATFORMS:
        raise r.error("platform", f"unknown platform {platform!r} (known: {', '.join(PLATFORMS)})")
    fam = r.get("family", _str, DEFAULT_FAMILY[platform])
    if fam not in FAMILIES or FAMILIES[fam].platform != platform:
        known = ", ".join(f for f, v in FAMILIES.items() if v.platform == platform)
        raise r.error("family", f"unknown family {fam!r} for {platform} (known: {known})")
    interfaces = []
    for dotted, item in r.items("interfaces"):
        i = _Reader(item, r.where, dotted)
        i.check_keys({"name", "address", "nameif", "security_level", "crypto_map", "description"})
        iface = ipaddress.IPv4Interface(i.get("address", _str))
        interfaces.append(
            Interface(
                name=i.get("name", _str),
                address=iface.ip,
                prefixlen=iface.network.prefixlen,
                nameif=i.get("nameif", _str, ""),
                security_level=i.get("security_level", int, 0),
                crypto_map=i.opt("crypto_map", _str),
                description=i.get("description", _str, ""),
            )
        )
    map_name = r.get("crypto_map_name", _str, "VPN")
    mapped = next((i for i in interfaces if i.crypto_map == map_name), None)
    entries = []
    for n, (dotted, item) in enumerate(r.items("crypto_map")):
        if mapped is None:
            raise r.error("crypto_map", f"no interface has crypto_map: {map_name}")
        entries.append(
            _map_entry(_Reader(item, r.where, dotted), map_name, mapped.name, 10 * (n + 1))
        )
    # faults: [hang] / [drop] act on the first `show crypto ipsec sa` unless
    # hang_on / drop_on name another command.
    fault_list = r.get("faults", _faults(DEVICE_FAULTS), NO_FAULTS)
    device_faults = DeviceFaults(
        latency_ms=r.get("latency_ms", int, 0),
        hang_on=r.opt("hang_on", _str)
        or ("show crypto ipsec sa" if "hang" in fault_list else None),
        drop_on=r.opt("drop_on", _str)
        or ("show crypto ipsec sa" if "drop" in fault_list else None),
    )
    base = _Reader(defaults, r.where, "defaults") if defaults else None

    def default(key: str, fallback: str) -> str:
        return base.get(key, _str, fallback) if base else fallback

    return Device(
        name=name,
        platform=platform,
        family=fam,
        version=r.get("version", _str, FAMILIES[fam].example_version),
        hostname=r.get("hostname", _str, name),
        address=r.get("address", _str, address),
        port=r.get("port", int, 0),
        users=(
            User(
                r.get("username", _str, default("username", "admin")),
                r.get("password", _str, default("password", "admin")),
            ),
        ),
        enable_secret=r.get("enable_secret", _str, default("enable_secret", "enable")),
        interfaces=tuple(interfaces),
        ike_policies=_policies(
            r,
            "ike_policies",
            _policies(base, "ike_policies", (IkePolicy(10),)) if base else (IkePolicy(10),),
        ),
        transform_sets=_transform_sets(
            r, _transform_sets(base, (TransformSet("TS"),)) if base else (TransformSet("TS"),)
        ),
        map_entries=tuple(entries),
        faults=device_faults,
        failover_prompt=r.opt("failover", _str),
        contexts=r.get("contexts", _str_tuple, ()),
        model=r.get("model", _str, ""),
        serial=r.get("serial", _str, ""),
        crypto_logging=r.get("crypto_logging", _flag, True),
        crypto_logging_ezvpn=r.get("crypto_logging_ezvpn", _flag, False),
        **ezvpn_fields(r, interfaces),
    )


def _peer(r: _Reader) -> ExternalPeer:
    r.check_keys(
        {
            "address",
            "name",
            "ike_policies",
            "transform_sets",
            "psk",
            "pfs_group",
            "acl",
            "faults",
            "answers",
        }
    )
    return ExternalPeer(
        address=r.get("address", ipaddress.IPv4Address),
        name=r.get("name", _str, ""),
        ike_policies=_policies(r, "ike_policies", (IkePolicy(10),)),
        transform_sets=_transform_sets(r, (TransformSet("TS"),)),
        psk=r.get("psk", _str, ""),
        pfs_group=r.opt("pfs_group", int),
        acl=_acl(r, "acl"),
        faults=r.get("faults", _faults(TUNNEL_FAULTS), NO_FAULTS),
        answers=r.get("answers", bool, True),
    )


def build_scenario(data: Any, where: Where) -> Scenario:
    """Turn parsed YAML into a checked :class:`Scenario`."""
    top = _Reader(data if data is not None else {}, where, "")
    top.check_keys({"name", "description", "seed", "defaults", "devices", "peers"})
    devices_map = top.data.get("devices")
    if not isinstance(devices_map, dict) or not devices_map:
        raise where.error("devices", "a scenario needs a mapping of at least one device")
    defaults = top.data.get("defaults") or {}
    devices = []
    seen_addresses: dict[str, str] = {}
    for n, (name, body) in enumerate(devices_map.items()):
        address = str(DEFAULT_BASE_ADDRESS + n)
        dev = _device(_Reader(body, where, f"devices.{name}"), str(name), defaults, address)
        if not ipaddress.IPv4Address(dev.address).is_loopback:
            raise where.error(f"devices.{name}.address", "lab devices listen on 127.0.0.0/8 only")
        if dev.address in seen_addresses and dev.port == 0:
            raise where.error(
                f"devices.{name}.address",
                f"address {dev.address} already used by {seen_addresses[dev.address]}",
            )
        seen_addresses[dev.address] = dev.name
        devices.append(dev)
    peers = tuple(_peer(_Reader(item, where, d)) for d, item in top.items("peers"))
    return Scenario(
        name=top.get("name", _str, Path(where.path).stem),
        description=top.get("description", _str, ""),
        devices=tuple(devices),
        peers=peers,
        seed=top.get("seed", int, 1),
        source=where.path,
    )
