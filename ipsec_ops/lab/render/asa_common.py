"""Helpers the ASA / PIX 7 renderers share (:mod:`.asa`, :mod:`.asa_sessions`,
:mod:`.asa_logging`)."""

from __future__ import annotations

from ipsec_ops.lab.config import IkePolicy
from ipsec_ops.lab.render.asa_config import Style, style_of
from ipsec_ops.lab.render.base import RenderContext
from ipsec_ops.lab.views import IkeView

BYTES_PER_PACKET = 500
IDLE_TIMEOUT_MIN = 30


def style_for(ctx: RenderContext, style: Style | None) -> Style:
    """The style a renderer was bound to, else the one of the device's family."""
    return style or style_of(ctx.device.family)


def policy_of(ctx: RenderContext, ike: IkeView) -> IkePolicy:
    """The policy the SA uses, or the one offered while nothing is agreed yet."""
    return ike.policy or min(ctx.device.ike_policies, key=lambda p: p.priority)


def duration(seconds: int) -> str:
    """Session duration as ASA prints it.

    >>> duration(10 * 86400 + 7 * 3600 + 26 * 60 + 52), duration(52475)
    ('10d 7h:26m:52s', '14h:34m:35s')
    """
    days, rem = divmod(max(0, int(seconds)), 86400)
    h, rem = divmod(rem, 3600)
    m, sec = divmod(rem, 60)
    clock = f"{h}h:{m:02d}m:{sec:02d}s"
    return f"{days}d {clock}" if days else clock
