"""The allow-list of ``ipsec-ops show``: which read-only commands may reach a device.

Pure: a typed command in, the canonical command a family runs out (or a refusal),
decided before anything connects. The allow-list is data in the platform table:
each family's collection commands (:attr:`~ipsec_ops.platforms.Family.show_commands`)
and its show variants (:attr:`~ipsec_ops.platforms.Family.show_variants`), written
in the lab grammar's syntax (``[a | b]`` optional, ``<ip:peer>`` a parameter).

Abbreviations work as on the device: a keyword may be cut to any prefix that is
unambiguous among the allowed commands (``sh cry isa sa``), an exact keyword beats
a longer one it is a prefix of. What is sent is the canonical, fully spelt command,
so the device runs exactly what was checked (``sh cry isa sa`` -> ``show crypto
isakmp sa``). One output filter of the family's (``| include X``, ``| exclude X``,
``| begin X``, IOS ``| section X``, ASA ``| grep X``) may follow; the answer is then
raw lines. Anything else - ``clear ...``, ``debug ...``, ``conf t``, a pipe that
is not an output filter (``| redirect``, ``| append``), a second pipe, ``;``, control
characters or newlines - is refused with one line.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from ipsec_ops.errors import UsageError
from ipsec_ops.lab.grammar import Grammar, NoMatch, build, expand
from ipsec_ops.platforms import FAMILIES, Family

# A parameter value (a VRF, map or interface name): no quotes, pipes or shell-ish characters.
_WORD = re.compile(r"[A-Za-z0-9_.:/@+-]{1,64}")
_FORBIDDEN = re.compile(r"[;\x00-\x08\x0a-\x1f\x7f]")
MAX_LENGTH = 200


class CommandRefused(UsageError):
    """A command ``ipsec-ops show`` will not send (not read-only, not allowed, malformed)."""


@dataclass(frozen=True)
class Allowed:
    """A typed command checked against the allow-list: what each family would run."""

    typed: str
    by_family: dict[str, str]  # family name -> canonical command (families that have it)
    filtered: bool = False  # an output filter (`| include X`): the answer is raw lines

    def command_for(self, fam: Family) -> str | None:
        """The canonical command for ``fam``, or None when the family lacks it."""
        return self.by_family.get(fam.name)


# Collection commands `show` does not offer: configuration can hold pre-shared keys in
# clear (IOS `crypto isakmp key`), and `show` can print raw text.
EXCLUDED = re.compile(r"running-config|write terminal")


def allowed_syntaxes(fam: Family) -> tuple[str, ...]:
    """The allow-list of one family: collection commands (no configuration), then variants.

    >>> from ipsec_ops.platforms import family
    >>> "show crypto ipsec sa map <word:map> [detail]" in allowed_syntaxes(family("asa9"))
    True
    >>> [s for s in allowed_syntaxes(family("ios15")) if "running" in s]
    []
    """
    shows = (s for s in fam.show_commands if not EXCLUDED.search(s))
    return (*shows, *fam.show_variants)


@functools.cache
def _grammar(family_name: str) -> Grammar[tuple[str, ...]]:
    """The allow-list of a family compiled as the lab compiles a CLI: each concrete form's
    handler is its own token list, so a match says which form was typed."""
    fam = FAMILIES[family_name]
    forms = dict.fromkeys(
        tuple(tokens) for syntax in allowed_syntaxes(fam) for tokens in expand(syntax)
    )
    return build((" ".join(form), form) for form in forms)


def _param_ok(kind: str, value: str) -> bool:
    """Parameters are stricter than the device's: a word has no quotes, pipes or `;`."""
    return kind != "word" or _WORD.fullmatch(value) is not None


def canonical(command: str, fam: Family) -> str | None:
    """The canonical form of ``command`` on ``fam``, None when not allowed there.

    Abbreviations resolve as on the device (:mod:`ipsec_ops.lab.grammar`): a keyword may
    be any prefix unambiguous among the allowed keywords at that point, an exact keyword
    beats a longer one. Raises CommandRefused when an abbreviation is ambiguous.

    >>> from ipsec_ops.platforms import family
    >>> canonical("sh cry isa sa", family("ios15"))
    'show crypto isakmp sa'
    >>> canonical("sh cry ipsec sa int Gi0/0 det", family("xe17"))
    'show crypto ipsec sa interface Gi0/0 detail'
    >>> canonical("sh cry ikev1 sa", family("asa8.2")) is None
    True
    """
    found = _grammar(fam.name).match(command)
    if isinstance(found, NoMatch):
        if found.kind == "ambiguous":
            word = command[found.column :].split()[0]
            raise CommandRefused(f"ambiguous command {command!r} on {fam.name}: {word!r}")
        return None
    words: list[str] = []
    for token in found.handler:
        if not token.startswith("<"):
            words.append(token)
            continue
        kind, _, name = token.strip("<>").partition(":")
        value = found.args[name or kind]
        if not _param_ok(kind, value):
            return None
        words.append(value)
    return " ".join(words)


# Every output filter any family has, for abbreviations (`| i X`, `| inc X`).
_FILTER_NAMES = ("include", "exclude", "begin", "section", "grep")
# What may follow the filter: a device regular expression, but no second pipe, quotes,
# `;` or control characters (checked before this), so nothing can be chained after it.
_FILTER_PATTERN = re.compile(r"[^|'\"`]{1,80}")


def output_filter(text: str) -> tuple[str, str]:
    """(filter name, pattern) of the part after ``|``, abbreviations expanded.

    >>> output_filter(" i 198.51.100.4"), output_filter("sec crypto map")
    (('include', '198.51.100.4'), ('section', 'crypto map'))
    >>> output_filter("redirect flash:x")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ipsec_ops.showcmd.CommandRefused: refused: 'redirect' is not an output filter (...)
    """
    word, _, pattern = text.strip().partition(" ")
    names = [n for n in _FILTER_NAMES if word and n.startswith(word.lower())]
    if len(names) != 1:
        known = ", ".join(_FILTER_NAMES)
        raise CommandRefused(f"refused: {word!r} is not an output filter ({known})")
    pattern = pattern.strip()
    if not _FILTER_PATTERN.fullmatch(pattern):
        raise CommandRefused(
            f"refused: the pattern after '| {names[0]}' must be 1-80 characters"
            " without quotes or another '|'"
        )
    return names[0], pattern


def check(command: str, families: Iterable[Family] | None = None) -> Allowed:
    """Check a typed command against every family's allow-list; refuse it if none has it.

    >>> check("sh cry isa sa det").by_family["asa9"]
    'show crypto isakmp sa detail'
    >>> check("sh cry isa sa | i 198.51.100.4").by_family["ios15"]
    'show crypto isakmp sa | include 198.51.100.4'
    >>> for bad in ("clear crypto sa", "show run | redirect flash:x", "show ver; reload",
    ...             "sh cry isa sa | redirect flash:x", "sh cry isa sa | i a | b"):
    ...     try:
    ...         check(bad)
    ...     except CommandRefused as exc:
    ...         print(str(exc).split(" (")[0])
    not an allowed read-only show command: 'clear crypto sa'
    not an allowed read-only show command: 'show run | redirect flash:x'
    refused: ';' or a control character in the command
    refused: 'redirect' is not an output filter
    refused: the pattern after '| include' must be 1-80 characters without quotes or another '|'
    """
    text = " ".join(command.split()) if not _FORBIDDEN.search(command) else None
    if text is None:
        raise CommandRefused(
            "refused: ';' or a control character in the command (one command, one line)"
        )
    if not text or len(text) > MAX_LENGTH:
        raise CommandRefused(f"refused: empty or longer than {MAX_LENGTH} characters")
    chosen = list(families) if families is not None else list(FAMILIES.values())
    base, pipe, rest = text.partition("|")
    by_family = {f.name: c for f in chosen if (c := canonical(base.strip(), f)) is not None}
    if not by_family:
        raise CommandRefused(
            f"not an allowed read-only show command: {text!r} (see `ipsec-ops show --list`)"
        )
    if not pipe:
        return Allowed(text, by_family)
    name, pattern = output_filter(rest)
    have = {f.name for f in chosen if name in f.output_filters}
    by_family = {n: f"{c} | {name} {pattern}" for n, c in by_family.items() if n in have}
    if not by_family:
        raise CommandRefused(f"refused: no family allows '| {name}' after {base.strip()!r}")
    return Allowed(text, by_family, filtered=True)


def listing(fam: Family) -> list[str]:
    """The allow-list of a family, one syntax per line (for ``--list``)."""
    return list(allowed_syntaxes(fam))
