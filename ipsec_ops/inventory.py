"""Load and validate a Nornir SimpleInventory (selection: :mod:`ipsec_ops.selection`).

The inventory is a folder (``hosts.yaml``, optional ``groups.yaml`` and
``defaults.yaml``) or one YAML file with ``hosts:``, ``groups:`` and
``defaults:`` keys. A field missing on a host comes from its groups (in order,
depth-first through each group's own ``groups``), then from defaults; ``data``
merges key by key with the same precedence. Every mistake is one
:class:`~ipsec_ops.errors.InputFileError` naming the file, the line and the
dotted field (``hosts.r1.platform``); a field inherited from a group is blamed on
the group. Loading never contacts a device.

>>> example = Path(__file__).parents[1] / "inventory" / "example"
>>> inv = load_inventory(example, env={"IPSEC_OPS_PASSWORD": "pw", "IPSEC_OPS_ENABLE": "en"})
>>> pix = inv.hosts["pix-legacy"]
>>> pix.platform, pix.family, pix.transport, pix.port, str(pix.password)
('cisco_pix', 'pix6.3', 'telnet', 23, '********')
>>> sorted(inv.groups)
['asa', 'branch', 'core', 'ios']
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ipsec_ops import yamlfile
from ipsec_ops.errors import InputFileError
from ipsec_ops.platforms import DEFAULT_FAMILY, FAMILIES, PLATFORMS
from ipsec_ops.secrets import Secret, resolve_secret
from ipsec_ops.yamlfile import Where

# Nornir's host fields; connection_options is accepted for compatibility and not used.
HOST_FIELDS: tuple[str, ...] = ("hostname", "port", "username", "password", "platform")
HOST_FIELDS += ("groups", "data", "connection_options")
SECTIONS = ("hosts", "groups", "defaults")
TRANSPORTS = ("ssh", "telnet")
DEFAULT_PORTS = {"ssh": 22, "telnet": 23}
TELNET_FAMILY = "pix6.3"  # PIX 6.x: its SSH is v1 only, so it is reached over telnet


@dataclass(frozen=True)
class Host:
    """One device as a run would contact it; secrets print as ``********``.

    ``groups`` are the host's own groups; ``member_of`` adds the groups those
    inherit from, in inheritance order (``--group`` selects on it). ``data`` is
    the merged data without ``enable_secret``.
    """

    name: str
    hostname: str
    port: int
    platform: str
    family: str
    transport: str
    username: str
    password: Secret
    enable_secret: Secret | None
    groups: tuple[str, ...]
    data: Mapping[str, Any]
    member_of: tuple[str, ...] = ()


@dataclass(frozen=True)
class Inventory:
    """Validated hosts by name, where they came from, and load warnings."""

    hosts: dict[str, Host]
    source: str
    warnings: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()

    def secrets(self) -> set[str]:
        """Return every password and enable secret in clear, for redacting output."""
        found = {h.password.reveal() for h in self.hosts.values()}
        found |= {h.enable_secret.reveal() for h in self.hosts.values() if h.enable_secret}
        return found


@dataclass(frozen=True)
class _Node:
    """One host, group or the defaults, with the file and dotted path it sits at."""

    name: str
    dotted: str  # "hosts.r1", "groups.core" or "defaults"
    body: dict[str, Any]
    where: Where

    def error(self, key: str, problem: str) -> InputFileError:
        """Return an InputFileError for ``key`` (dotted, under this node)."""
        return self.where.error(f"{self.dotted}.{key}" if key else self.dotted, problem)


# -- reading the files --------------------------------------------------------------


def load_inventory(path: Path, env: Mapping[str, str] | None = None) -> Inventory:
    """Read, validate and resolve the inventory at ``path``; returns an Inventory.

    ``env`` is where ``env:NAME`` secrets are read (default: the process environment).
    """
    hosts, groups, defaults = _read(path)
    for node in (*hosts.values(), *groups.values(), defaults):
        _check_fields(node)
    for node in (*hosts.values(), *groups.values()):
        _check_group_names(node, groups)
    _check_cycles(groups)
    builder = _Builder(groups, defaults, os.environ if env is None else env)
    built = {name: builder.host(node) for name, node in hosts.items()}
    return Inventory(built, str(path), tuple(builder.warnings), tuple(sorted(groups)))


def _read(path: Path) -> tuple[dict[str, _Node], dict[str, _Node], _Node]:
    """Return the host nodes, group nodes and defaults node of a folder or single file."""
    if path.is_dir():
        parts = {s: _load_part(path / f"{s}.yaml", s, required=s == "hosts") for s in SECTIONS}
    elif path.is_file():
        parts = _load_single(path)
    else:
        raise InputFileError(str(path), "", "no such inventory file or folder")
    hosts = _nodes(*parts["hosts"], "hosts")
    if not hosts:
        raise parts["hosts"][1].error("hosts", "no hosts defined")
    groups = _nodes(*parts["groups"], "groups")
    data, where = parts["defaults"]
    return hosts, groups, _Node("defaults", "defaults", _mapping(data, where, "defaults"), where)


def _load_part(file: Path, section: str, required: bool) -> tuple[Any, Where]:
    """Read hosts/groups/defaults.yaml; returns its data and lines keyed ``section.…``."""
    if not required and not file.exists():
        return None, Where(str(file))
    try:
        data, where = yamlfile.load(file)
    except InputFileError as exc:
        if not exc.field:
            raise
        # Name the field as in the single-file form: hosts.r1, not r1.
        raise InputFileError(exc.path, f"{section}.{exc.field}", exc.problem, exc.line) from None
    return data, Where(where.path, {f"{section}.{k}": n for k, n in where.lines.items()})


def _load_single(file: Path) -> dict[str, tuple[Any, Where]]:
    """Read a one-file inventory; returns (data, where) per section."""
    data, where = yamlfile.load(file)
    if not isinstance(data, dict):
        problem = f"top level must be a mapping with hosts:, groups:, defaults:, got {_kind(data)}"
        raise InputFileError(str(file), "", problem, _first_line(where))
    for key in data:
        if key not in SECTIONS:
            problem = "unknown top-level key (expected hosts, groups, defaults; for a folder"
            raise where.error(str(key), problem + " inventory give the folder)")
    if "hosts" not in data:
        raise InputFileError(str(file), "hosts", "missing (a one-file inventory needs hosts:)")
    return {s: (data.get(s), where) for s in SECTIONS}


def _nodes(data: Any, where: Where, section: str) -> dict[str, _Node]:
    """Return one node per entry of the hosts or groups mapping."""
    nodes = {}
    for name, body in _mapping(data, where, section).items():
        dotted = f"{section}.{name}"
        if body is not None and not isinstance(body, dict):
            raise where.error(dotted, f"must be a mapping of fields, got {_kind(body)}")
        nodes[str(name)] = _Node(str(name), dotted, body or {}, where)
    return nodes


def _mapping(data: Any, where: Where, section: str) -> dict[str, Any]:
    """Return ``data`` as a mapping (an empty file is an empty mapping)."""
    if data is None:
        return {}
    if not isinstance(data, dict):
        problem = f"must be a mapping, got {_kind(data)}"
        raise InputFileError(
            where.path, section, problem, where.line(section) or _first_line(where)
        )
    return data


def _first_line(where: Where) -> int | None:
    """Return the first line holding a key or item, the best line for a top-level mistake."""
    return min(where.lines.values(), default=None)


def _kind(value: Any) -> str:
    """Return a short name for the YAML type of ``value`` (never the value)."""
    names = {bool: "a boolean", int: "an integer", float: "a number", str: "a string"}
    names |= {list: "a list", dict: "a mapping", type(None): "nothing"}
    return names.get(type(value), type(value).__name__)


# -- checking each node on its own ----------------------------------------------------


def _one_of(names: Iterable[str], what: str) -> tuple[Callable[[Any], bool], str]:
    known = tuple(names)
    return (lambda v: v in known), f"unknown {what} {{got}} (known: {', '.join(known)})"


# Per field: a test, and the problem when it fails. {got} is the value's repr,
# or only its type for secrets (whose value must never reach a message).
_SECRET_CHECK = (lambda v: isinstance(v, str), "must be a string (quote it in YAML), got {got}")
_TEXT_CHECK = (
    lambda v: isinstance(v, str) and v.strip() != "",
    "must be a non-empty string, got {got}",
)
_FIELD_CHECKS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "hostname": _TEXT_CHECK,
    "port": (lambda v: type(v) is int and 1 <= v <= 65535, "must be an integer 1-65535, got {got}"),
    "username": _TEXT_CHECK,
    "password": _SECRET_CHECK,
    "platform": _one_of(PLATFORMS, "platform"),
    "groups": (
        lambda v: isinstance(v, list) and all(isinstance(g, str) for g in v),
        "must be a list of group names, got {got}",
    ),
    "data": (lambda v: isinstance(v, dict), "must be a mapping, got {got}"),
    "data.transport": _one_of(TRANSPORTS, "transport"),
    "data.family": _one_of(FAMILIES, "family"),
    "data.enable_secret": _SECRET_CHECK,
}
_SECRET_FIELDS = ("password", "data.enable_secret")


def _check_value(node: _Node, key: str, value: Any) -> None:
    """Raise when ``value`` (not null: null means unset) fails the check for ``key``."""
    test, problem = _FIELD_CHECKS.get(key, (lambda v: True, ""))
    if value is not None and not test(value):
        got = _kind(value) if key in _SECRET_FIELDS else repr(value)
        raise node.error(key, problem.format(got=got))


def _check_fields(node: _Node) -> None:
    """Raise on an unknown field or a value of the wrong kind."""
    allowed = [f for f in HOST_FIELDS if not (node.dotted == "defaults" and f == "groups")]
    for key, value in node.body.items():
        if key not in allowed:
            hint = f"unknown field {key!r} (fields: {', '.join(allowed)}; put your own under data)"
            raise node.error(key, hint)
        _check_value(node, key, value)
    for key, value in (node.body.get("data") or {}).items():
        _check_value(node, f"data.{key}", value)


def _check_group_names(node: _Node, groups: Mapping[str, _Node]) -> None:
    """Raise when ``node`` lists a group that is not defined."""
    for i, name in enumerate(node.body.get("groups") or []):
        if name not in groups:
            known = f"known: {', '.join(sorted(groups))}" if groups else "no groups are defined"
            raise node.error(f"groups.{i}", f"unknown group {name!r} ({known})")


def _check_cycles(groups: Mapping[str, _Node]) -> None:
    """Raise when groups inherit from each other in a loop."""
    done: set[str] = set()

    def visit(name: str, trail: list[str]) -> None:
        if name in done:
            return
        path = [*trail, name]
        for i, parent in enumerate(groups[name].body.get("groups") or []):
            if parent in path:
                cycle = " -> ".join([*path[path.index(parent) :], parent])
                raise groups[name].error(f"groups.{i}", f"group cycle: {cycle}")
            visit(parent, path)
        done.add(name)

    for name in groups:
        visit(name, [])


# -- building hosts with inheritance -------------------------------------------------------


class _Builder:
    """Turns host nodes into Hosts: inheritance, cross-field checks, secrets."""

    def __init__(self, groups: dict[str, _Node], defaults: _Node, env: Mapping[str, str]) -> None:
        self.groups, self.defaults, self.env = groups, defaults, env
        self.warnings: list[str] = []
        self._secrets: dict[tuple[str, str], Secret] = {}

    def lineage(self, node: _Node) -> list[_Node]:
        """Return the host, then its groups depth-first (each once), then defaults."""
        order: list[_Node] = [node]
        seen: set[str] = set()

        def walk(names: list[str]) -> None:
            for name in names:
                if name not in seen:  # a group reached twice keeps its first place
                    seen.add(name)
                    order.append(self.groups[name])
                    walk(self.groups[name].body.get("groups") or [])

        walk(node.body.get("groups") or [])
        return [*order, self.defaults]

    def host(self, node: _Node) -> Host:
        """Return the Host for ``node``, every field resolved and checked."""
        lineage = self.lineage(node)
        hostname, platform, username, password = (
            _pick(lineage, f, node) for f in ("hostname", "platform", "username", "password")
        )
        data = _merge_data(lineage)
        family, transport = self.family_transport(node, platform[0], data)
        port = _pick(lineage, "port")[0] or DEFAULT_PORTS[transport]
        return Host(
            name=node.name,
            hostname=hostname[0],
            port=port,
            platform=platform[0],
            family=family,
            transport=transport,
            username=username[0],
            password=self.secret(password[1], "password", password[0]),
            enable_secret=self.enable_secret(data),
            groups=tuple(node.body.get("groups") or ()),
            data=MappingProxyType({k: v for k, (v, _) in data.items() if k != "enable_secret"}),
            member_of=tuple(n.name for n in lineage[1:-1]),
        )

    def family_transport(
        self, host: _Node, platform: str, data: dict[str, tuple[Any, _Node]]
    ) -> tuple[str, str]:
        """Return (family, transport) from data.family / data.transport and the platform."""
        fam_name, fam_node = data.get("family") or (None, host)
        wanted, tr_node = data.get("transport") or (None, host)
        if fam_name is not None and FAMILIES[fam_name].platform != platform:
            fits = ", ".join(f.name for f in FAMILIES.values() if f.platform == platform)
            problem = f"family {fam_name!r} is not a {platform} family ({fits}; host {host.name})"
            raise fam_node.error("data.family", problem)
        transport = wanted or (FAMILIES[fam_name].transport if fam_name else "ssh")
        if transport == "telnet" and platform != "cisco_pix":
            problem = f"telnet is only for cisco_pix (PIX 6.x); host {host.name} is {platform}"
            raise tr_node.error("data.transport", problem)
        if fam_name is None:
            fam_name = TELNET_FAMILY if transport == "telnet" else DEFAULT_FAMILY[platform]
        if FAMILIES[fam_name].transport != transport:
            need = FAMILIES[fam_name].transport
            problem = f"family {fam_name} is reached over {need}, not {transport}"
            problem += f" (host {host.name})"
            raise tr_node.error("data.transport", problem)
        return fam_name, transport

    def enable_secret(self, data: dict[str, tuple[Any, _Node]]) -> Secret | None:
        """Return the resolved ``data.enable_secret``, or None when no node sets it."""
        value, owner = data.get("enable_secret") or (None, self.defaults)
        return None if value is None else self.secret(owner, "data.enable_secret", value)

    def secret(self, owner: _Node, key: str, value: str) -> Secret:
        """Resolve the secret at ``owner.key`` once, however many hosts inherit it."""
        dotted = f"{owner.dotted}.{key}"
        cache_key = (owner.where.path, dotted)
        if cache_key not in self._secrets:
            secret, warning = resolve_secret(value, owner.where, dotted, self.env)
            self._secrets[cache_key] = secret
            if warning:
                self.warnings.append(warning)
        return self._secrets[cache_key]


def _pick(lineage: list[_Node], key: str, required: _Node | None = None) -> tuple[Any, _Node]:
    """Return (value, owner) of the first node in ``lineage`` that sets ``key``.

    With ``required`` (the host), a field set nowhere is an error on the host.
    """
    for node in lineage:
        if node.body.get(key) is not None:
            return node.body.get(key), node
    if required is not None:
        raise required.error(key, "missing (set it on the host, one of its groups or defaults)")
    return None, lineage[0]


def _merge_data(lineage: list[_Node]) -> dict[str, tuple[Any, _Node]]:
    """Return data merged key by key, the first node in ``lineage`` winning, with owners."""
    merged: dict[str, tuple[Any, _Node]] = {}
    for node in lineage:
        for key, value in (node.body.get("data") or {}).items():
            merged.setdefault(str(key), (value, node))
    return merged
