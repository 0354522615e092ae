"""TextFSM over the project's templates first, ntc-templates second.

Pure: text in, records out. The template for (platform, command) is found in
``ipsec_ops/templates/index`` (CliTable format, shipped in the wheel) and, when
the project has none, in the ntc-templates index. Records are dicts with
lower-case keys. A line no rule of the template understands raises
:class:`ParseError` naming the template, the line number and the line: output
is never dropped silently.
"""

from __future__ import annotations

import functools
import re
import warnings
from pathlib import Path
from typing import Any

import textfsm
from textfsm import clitable

from ipsec_ops.errors import IpsecOpsError, UsageError
from ipsec_ops.platforms import DEFAULT_FAMILY, FAMILIES, PLATFORMS

TEMPLATES = Path(__file__).parent / "templates"
PARSER_PLATFORMS = ("cisco_ios", "cisco_asa", "cisco_pix")


class ParseError(IpsecOpsError):
    """Output a template could not handle (exit 3: the verdict would be unknown)."""

    def __init__(self, template: str, line_no: int | None, line: str, why: str = "") -> None:
        self.template, self.line_no, self.line = template, line_no, line
        where = f"line {line_no}" if line_no is not None else "a line"
        super().__init__(f"{template}: {where} not understood: {line.strip()!r}{why}")


class NoTemplate(UsageError):
    """No template, ours or public, for this platform and command."""


def parser_platform(name: str) -> str:
    """The template platform for an inventory platform or a family name.

    IOS-XE prints the crypto commands as IOS does; PIX 7 runs ASA code; PIX 6
    has templates of its own.

    >>> parser_platform("cisco_xe"), parser_platform("pix7"), parser_platform("pix6.3")
    ('cisco_ios', 'cisco_asa', 'cisco_pix')
    >>> parser_platform("cisco_pix")
    'cisco_pix'
    """
    if name in FAMILIES:
        return FAMILIES[name].template_platform
    if name in PARSER_PLATFORMS:
        return name
    if name in PLATFORMS:  # an inventory platform without a version: IOS-XE reads as IOS
        return FAMILIES[DEFAULT_FAMILY[name]].template_platform
    known = ", ".join(["cisco_ios", "cisco_xe", "cisco_asa", "cisco_pix", *FAMILIES])
    raise UsageError(f"unknown platform {name!r} (known: {known})")


@functools.cache
def _index(folder: str) -> clitable.IndexTable:
    # CliTable reads the index with its own [[completion]] expansion; we only keep the index.
    with warnings.catch_warnings():  # ntc-templates' index has regexes newer Pythons warn about
        warnings.simplefilter("ignore", FutureWarning)
        return clitable.CliTable("index", folder).index


def _ntc_folder() -> Path:
    import ntc_templates

    return Path(ntc_templates.__file__).parent / "templates"


def find_template(platform: str, command: str) -> Path:
    """The template file for ``command`` on ``platform`` (ours first, then ntc-templates)."""
    plat = parser_platform(platform)
    cmd = " ".join(command.split())
    for folder in (TEMPLATES, _ntc_folder()):
        if not (folder / "index").exists():
            continue
        index = _index(str(folder))
        row = index.GetRowMatch({"Platform": plat, "Command": cmd})
        if row:
            name = index.index[row]["Template"].split(":")[0]
            return folder / name
    raise NoTemplate(f"no template for {plat} {cmd!r}")


@functools.cache
def _compiled(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"{path}: cannot read template: {exc.strerror or exc}") from None


FAST_THRESHOLD = 1_000_000  # characters: larger outputs take the same template's fast path


def parse_with(template: Path, text: str) -> list[dict[str, Any]]:
    """Parse ``text`` with one template; records with lower-case keys."""
    if len(text) >= FAST_THRESHOLD:  # same records, faster (ipsec_ops.parse_fast)
        from ipsec_ops import parse_fast

        return parse_fast.parse(template, text)
    try:
        fsm = textfsm.TextFSM(_template_io(template))
    except textfsm.TextFSMTemplateError as exc:
        raise IpsecOpsError(f"{template}: bad template: {exc}") from None
    try:
        rows = fsm.ParseText(text)
    except textfsm.TextFSMError as exc:
        line = _error_line(str(exc))
        raise ParseError(template.name, _line_no(text, line), line) from None
    keys = [h.lower() for h in fsm.header]
    return [dict(zip(keys, row, strict=True)) for row in rows]


def _template_io(template: Path) -> Any:
    import io

    return io.StringIO(_compiled(str(template)))


def _error_line(message: str) -> str:
    m = re.search(r"Input Line: (.*)$", message, re.DOTALL)
    return m.group(1) if m else message


def _line_no(text: str, line: str) -> int | None:
    for number, candidate in enumerate(text.splitlines(), start=1):
        if candidate.rstrip() == line.rstrip():
            return number
    return None


def parse(platform: str, command: str, text: str) -> list[dict[str, Any]]:
    """Parse one command's output for a platform (or family); raises ParseError / NoTemplate."""
    return parse_with(find_template(platform, command), text)
