"""How each simulated CLI talks: prompts, banners, error wording, paging, enable.

Data, not branches: the session asks its family's :class:`Personality`. Error
markers and the more-prompt come from :mod:`ipsec_ops.platforms`, the one table
the transport also reads, so the lab and the tool agree on what a rejected
command looks like.
"""

from __future__ import annotations

from dataclasses import dataclass

from ipsec_ops.platforms import family


@dataclass(frozen=True)
class Personality:
    family: str
    style: str  # "ios", "asa" or "pix6": which built-in commands and renderers apply
    prompt_space: bool  # "FW# " (ASA, PIX) vs "R1#" (IOS)
    caret: bool  # prints a caret line under an invalid word
    invalid: str
    invalid_first_word: str  # IOS tries to telnet to an unknown first word
    incomplete: str
    ambiguous: str  # formatted with line=
    more: str
    more_erase: str
    login_banner: str
    config_banner: str
    bad_enable: str
    enable_tries: int  # password prompts before giving up
    page_lines: int  # default terminal length (lines per page incl. the more prompt)


_IOS_ERASE = "\b" * 9 + " " * 9 + "\b" * 9
_ASA_ERASE = "\r" + " " * 14 + "\r"


def _ios(name: str) -> Personality:
    fam = family(name)
    return Personality(
        family=name,
        style="ios",
        prompt_space=fam.prompt_space,
        caret=True,
        invalid=fam.invalid_input,
        invalid_first_word="% Unknown command or computer name, or unable to find computer address",
        incomplete="% Incomplete command.",
        ambiguous='% Ambiguous command:  "{line}"',
        more=fam.more_prompt,
        more_erase=_IOS_ERASE,
        login_banner="",
        config_banner="Enter configuration commands, one per line.  End with CNTL/Z.",
        bad_enable="% Bad secrets",
        enable_tries=3,
        page_lines=24,
    )


def _asa(name: str) -> Personality:
    fam = family(name)
    return Personality(
        family=name,
        style="asa",
        prompt_space=fam.prompt_space,
        caret=True,
        invalid=fam.invalid_input,
        invalid_first_word=fam.invalid_input,
        incomplete="ERROR: % Incomplete command",
        ambiguous='ERROR: % Ambiguous command:  "{line}"',
        more=fam.more_prompt,
        more_erase=_ASA_ERASE,
        login_banner="Type help or '?' for a list of available commands.",
        config_banner="",
        bad_enable="Invalid password",
        enable_tries=3,
        page_lines=24,
    )


def _pix6(name: str) -> Personality:
    fam = family(name)
    return Personality(
        family=name,
        style="pix6",
        prompt_space=fam.prompt_space,
        caret=False,
        invalid=fam.invalid_input,
        invalid_first_word=fam.invalid_input,
        incomplete=fam.invalid_input,
        ambiguous=fam.invalid_input,
        more=fam.more_prompt,
        more_erase=_ASA_ERASE,
        login_banner="Type help or '?' for a list of available commands.",
        config_banner="",
        bad_enable="Invalid password",
        enable_tries=3,
        page_lines=24,
    )


PERSONALITIES: dict[str, Personality] = {
    p.family: p
    for p in (
        *(_ios(n) for n in ("ios12.4", "ios15", "xe16", "xe17")),
        *(_asa(n) for n in ("asa8.2", "asa9", "pix7")),
        _pix6("pix6.3"),
    )
}
