"""Command grammar of the simulated CLIs: abbreviations, parameters, errors.

Commands are declared as syntax strings (``show crypto ipsec sa [detail | peer <ip>]``)
and compiled into a keyword tree. Matching a typed line walks the tree the way
IOS does: a keyword may be abbreviated to any unambiguous prefix (``sh cry isa sa``);
an unknown word gives the caret position of the error; a line that stops early is
incomplete; a prefix shared by two keywords is ambiguous.
"""

from __future__ import annotations

import ipaddress
import itertools
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Generic, TypeVar

H = TypeVar("H")

PARAM_KINDS = ("ip", "word", "int", "line")


def _valid(kind: str, token: str) -> bool:
    if kind == "ip":
        try:
            ipaddress.IPv4Address(token)
        except ValueError:
            return False
        return True
    if kind == "int":
        return token.isdigit()
    return True


def expand(syntax: str) -> list[list[str]]:
    """Expand one syntax string into its concrete token sequences.

    ``[a | b c]`` is an optional choice, ``{a | b}`` a required one.

    >>> [" ".join(t) for t in expand("show crypto ipsec sa [detail | peer <ip:peer>]")]
    ['show crypto ipsec sa', 'show crypto ipsec sa detail', 'show crypto ipsec sa peer <ip:peer>']
    >>> [" ".join(t) for t in expand("clear crypto {ikev1 | ikev2} sa <ip:peer>")]
    ['clear crypto ikev1 sa <ip:peer>', 'clear crypto ikev2 sa <ip:peer>']
    """
    parts: list[list[list[str]]] = []
    for m in re.finditer(r"\[([^\]]*)\]|\{([^}]*)\}|(\S+)", syntax):
        optional, required, word = m.groups()
        if word is not None:
            parts.append([[word]])
        else:
            body = optional if optional is not None else required
            choices = [c.split() for c in (body or "").split("|")]
            parts.append(([[]] if optional is not None else []) + choices)
    return [list(itertools.chain.from_iterable(combo)) for combo in itertools.product(*parts)]


@dataclass
class _Node(Generic[H]):
    keywords: dict[str, _Node[H]] = field(default_factory=dict)
    params: list[tuple[str, str, _Node[H]]] = field(default_factory=list)
    handler: H | None = None
    # Real keywords the lab does not simulate, kept so abbreviations stay as ambiguous
    # as on the device ("sh c" is ambiguous on IOS, "sh cry" is not).
    known: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Match(Generic[H]):
    handler: H
    args: dict[str, str]
    words: tuple[str, ...]  # the full keywords matched: ("show", "crypto", "isakmp", "sa")


@dataclass(frozen=True)
class NoMatch:
    """Why a line matched nothing: kind is 'invalid', 'incomplete', 'ambiguous' or 'unsimulated'."""

    kind: str
    column: int  # 0-based column of the offending token within the typed line
    text: str = ""


class Grammar(Generic[H]):
    """A keyword tree for one CLI mode of one platform family."""

    def __init__(self) -> None:
        self.root: _Node[H] = _Node()

    def add(self, syntax: str, handler: H) -> None:
        for tokens in expand(syntax):
            node = self.root
            for tok in tokens:
                if tok.startswith("<"):
                    kind, _, name = tok.strip("<>").partition(":")
                    if kind not in PARAM_KINDS:
                        raise ValueError(f"bad parameter {tok} in {syntax!r}")
                    found = next((n for k, nm, n in node.params if (k, nm) == (kind, name)), None)
                    if found is None:
                        found = _Node()
                        node.params.append((kind, name or kind, found))
                    node = found
                else:
                    node = node.keywords.setdefault(tok.lower(), _Node())
            node.handler = handler

    def add_known(self, path: str, words: Iterable[str]) -> None:
        """Declare real keywords under ``path`` that the lab does not simulate."""
        node = self.root
        for tok in path.split():
            node = node.keywords.setdefault(tok, _Node())
        node.known.update(words)

    def match(self, line: str) -> Match[H] | NoMatch:
        tokens = [(m.group(), m.start()) for m in re.finditer(r"\S+", line)]
        node = self.root
        args: dict[str, str] = {}
        words: list[str] = []
        for tok, col in tokens:
            low = tok.lower()
            if low in node.keywords:
                chosen: str | None = low
            elif low in node.known:  # an exact real keyword beats a longer simulated one
                return NoMatch("unsimulated", col, " ".join([*words, low]))
            else:
                names = [k for k in node.keywords if k.startswith(low)]
                shadows = [k for k in node.known if k.startswith(low) and k not in node.keywords]
                if len(names) + len(shadows) > 1 and low not in node.known:
                    return NoMatch("ambiguous", col, line.strip())
                if not names and shadows:
                    return NoMatch("unsimulated", col, " ".join([*words, shadows[0]]))
                if not names and low in node.known:
                    return NoMatch("unsimulated", col, " ".join([*words, low]))
                chosen = names[0] if names else None
            if chosen is not None:
                node = node.keywords[chosen]
                words.append(chosen)
                continue
            for kind, name, child in node.params:
                if kind == "line":
                    args[name] = line[col:].strip()
                    if child.handler is None:
                        return NoMatch("incomplete", len(line))
                    return Match(child.handler, args, tuple(words))
                if _valid(kind, tok):
                    args[name] = tok
                    node = child
                    break
            else:
                return NoMatch("invalid", col)
        if node.handler is None:
            return NoMatch("incomplete", len(line))
        return Match(node.handler, args, tuple(words))


def build(
    commands: Iterable[tuple[str, H]], known: Mapping[str, Iterable[str]] | None = None
) -> Grammar[H]:
    """Compile ``(syntax, handler)`` pairs (and shadow keywords) into a grammar."""
    g: Grammar[H] = Grammar()
    for syntax, handler in commands:
        g.add(syntax, handler)
    for path, words in (known or {}).items():
        g.add_known(path, words)
    return g


Handler = Callable[..., str]
