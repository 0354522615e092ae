"""Playbook variables: ``vars:`` defaults, ``--var NAME=VALUE`` overrides, ``${NAME}`` references.

Substitution is deliberately plain: ``${NAME}`` inside a string value is replaced
by the variable's text; there is no expression language, no default syntax and no
escaping. A reference to a variable the file does not declare is a schema error.
"""

from __future__ import annotations

import re
from typing import Any

from ipsec_ops.errors import UsageError
from ipsec_ops.yamlfile import Where

NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_REF = re.compile(r"\$\{([^}]*)\}")


def text_of(value: Any) -> str:
    """A variable's value as it is substituted (YAML booleans in lower case).

    >>> text_of(True), text_of(30), text_of(0.5), text_of("hq")
    ('true', '30', '0.5', 'hq')
    """
    return str(value).lower() if isinstance(value, bool) else str(value)


def declared(data: Any, where: Where) -> dict[str, str]:
    """The ``vars:`` mapping of the file, checked: names are identifiers, values scalars."""
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise where.error("vars", "expected a mapping of NAME: default value")
    out: dict[str, str] = {}
    for name, value in data.items():
        if not isinstance(name, str) or not NAME.match(name):
            raise where.error(f"vars.{name}", "a variable name is letters, digits and _")
        if isinstance(value, dict | list) or value is None:
            raise where.error(f"vars.{name}", "a default must be a string, number or boolean")
        out[name] = text_of(value)
    return out


def overrides(pairs: list[str], known: dict[str, str], path: str) -> dict[str, str]:
    """``known`` with each ``NAME=VALUE`` of ``--var`` applied; an undeclared NAME is an error.

    >>> overrides(["peer=10.0.0.1"], {"peer": "1.1.1.1", "host": "r1"}, "p.yaml")
    {'peer': '10.0.0.1', 'host': 'r1'}
    >>> overrides(["per=1"], {"peer": "1"}, "p.yaml")
    Traceback (most recent call last):
    ...
    ipsec_ops.errors.UsageError: --var per=1: p.yaml declares no variable 'per' (declared: peer)
    """
    out = dict(known)
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not NAME.match(name.strip()):
            raise UsageError(f"--var {pair!r}: expected NAME=VALUE")
        if name.strip() not in known:
            names = ", ".join(sorted(known)) or "none"
            raise UsageError(
                f"--var {pair}: {path} declares no variable {name.strip()!r} (declared: {names})"
            )
        out[name.strip()] = value
    return out


def substitute(text: str, values: dict[str, str], where: Where, dotted: str) -> str:
    """``text`` with every ``${NAME}`` replaced; an unknown or malformed reference is an error.

    >>> substitute("${dir}/a.html", {"dir": "out"}, Where("p.yaml"), "steps.0.out")
    'out/a.html'
    >>> substitute("${nope}", {}, Where("p.yaml"), "steps.0.out")
    Traceback (most recent call last):
    ...
    ipsec_ops.errors.InputFileError: p.yaml: steps.0.out: unknown variable ${nope} (declared: none)
    """
    if "${" in _REF.sub("", text):
        raise where.error(dotted, f"unterminated variable reference in {text!r}")

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if not NAME.match(name):
            raise where.error(dotted, f"bad variable reference ${{{name}}}")
        if name not in values:
            names = ", ".join(sorted(values)) or "none"
            raise where.error(dotted, f"unknown variable ${{{name}}} (declared: {names})")
        return values[name]

    return _REF.sub(replace, text)


def substitute_tree(data: Any, values: dict[str, str], where: Where, dotted: str) -> Any:
    """Substitute in every string value of ``data`` (mapping keys are left alone)."""
    if isinstance(data, str):
        return substitute(data, values, where, dotted)
    if isinstance(data, dict):
        return {
            k: substitute_tree(v, values, where, f"{dotted}.{k}" if dotted else str(k))
            for k, v in data.items()
        }
    if isinstance(data, list):
        return [substitute_tree(v, values, where, f"{dotted}.{i}") for i, v in enumerate(data)]
    return data
