"""Configuration-mode commands of lab devices: crypto logging (issue 10).

Each is a renderer that changes the device's state (``DeviceState.log_off``) at the lab
clock's instant and prints nothing, as IOS and ASA do for an accepted line. A release
without the feature answers as IOS does for a keyword it does not know: the caret under
the word and ``% Invalid input detected`` (which release has what: ``platforms.py``).
"""

from __future__ import annotations

from collections.abc import Callable

from ipsec_ops.lab import syslog
from ipsec_ops.lab.personality import PERSONALITIES
from ipsec_ops.lab.render.base import RenderContext, Renderer
from ipsec_ops.platforms import family


def _invalid(ctx: RenderContext, typed_before: str) -> str:
    prompt = f"{ctx.device.hostname}(config)#"
    return " " * (len(prompt) + len(typed_before)) + "^\n" + family(ctx.device.family).invalid_input


def _ios_feature(feature: str, on: bool) -> Renderer:
    prefix = ("" if on else "no ") + "crypto logging "

    def render(ctx: RenderContext, args: dict[str, str]) -> str:
        if not syslog.supported(ctx.device, feature):
            return _invalid(ctx, prefix)
        syslog.set_on(ctx.state.log_off, feature, on, ctx.now)
        return ""

    return render


def _asa_message(on: bool) -> Renderer:
    def render(ctx: RenderContext, args: dict[str, str]) -> str:
        syslog.set_on(ctx.state.log_off, f"asa:{int(args['id']):06d}", on, ctx.now)
        return ""

    return render


def _accept(ctx: RenderContext, args: dict[str, str]) -> str:
    """A line the lab accepts without modelling it (logging is always enabled here)."""
    return ""


def _ios_table() -> list[tuple[str, Renderer]]:
    return [
        (("" if on else "no ") + f"crypto logging {feature}", _ios_feature(feature, on))
        for feature in ("session", "ezvpn")
        for on in (True, False)
    ]


def _asa_table() -> list[tuple[str, Renderer]]:
    return [
        ("logging enable", _accept),
        ("logging timestamp", _accept),
        ("logging buffered <word:level>", _accept),
        ("logging message <int:id>", _asa_message(True)),
        ("no logging message <int:id>", _asa_message(False)),
    ]


_TABLES: dict[str, Callable[[], list[tuple[str, Renderer]]]] = {
    "ios": _ios_table,
    "asa": _asa_table,
}


def commands(family_name: str) -> list[tuple[str, Renderer]]:
    """The configuration lines a family's lab device accepts (PIX 6: none).

    >>> [s for s, _ in commands("ios15")][:2]
    ['crypto logging session', 'no crypto logging session']
    >>> commands("pix6.3")
    []
    """
    table = _TABLES.get(PERSONALITIES[family_name].style)
    return table() if table is not None else []
