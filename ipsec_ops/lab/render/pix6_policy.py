"""PIX 6.3 configuration views the next-step checks name: ``show isakmp policy``,
``show crypto ipsec transform-set`` and ``show route``.

They are offered through :data:`VARIANTS` (answered where the family's ``show_variants``
lists them). PIX 6 software descends from IOS 12.2: ``show isakmp policy`` (no
``crypto`` keyword on PIX 6) lists each configured protection suite by priority with
the five attribute lines of IOS, then the default suite, without the ``Global IKE
policy`` heading of later IOS [E]; ``show crypto ipsec transform-set`` prints
``Transform set NAME: { ... }`` and ``will negotiate = { Tunnel,  },`` as IOS does
[F public PIX tutorials], the transforms spelt as configured on the PIX (``esp-aes-256``)
[E]. The default suite (DES, SHA, RSA signature, group 1, 86400 s) is [E].
"""

from __future__ import annotations

from ipsec_ops.lab.config import TransformSet
from ipsec_ops.lab.render import routes
from ipsec_ops.lab.render.asa_config import dashed
from ipsec_ops.lab.render.base import RenderContext, Renderer
from ipsec_ops.lab.render.ios_sessions import DEFAULT_SUITE, suite_lines


def show_isakmp_policy(ctx: RenderContext, args: dict[str, str]) -> str:
    """The configured ISAKMP policies by priority, then the default suite."""
    out: list[str] = []
    for p in sorted(ctx.device.ike_policies, key=lambda p: p.priority):
        out += [f"Protection suite of priority {p.priority}", *suite_lines(p)]
    return "\n".join([*out, "Default protection suite", *suite_lines(DEFAULT_SUITE)])


def transform_set_lines(ts: TransformSet) -> list[str]:
    """One transform set as ``show crypto ipsec transform-set`` prints it.

    >>> transform_set_lines(TransformSet("TS", ("esp-aes 256", "esp-sha-hmac")))[0]
    'Transform set TS: { esp-aes-256 esp-sha-hmac  }'
    """
    mode = "Transport" if ts.mode == "transport" else "Tunnel"
    words = " ".join(dashed(t) for t in ts.transforms)
    return [f"Transform set {ts.name}: {{ {words}  }}", f"   will negotiate = {{ {mode},  }},", ""]


def show_crypto_ipsec_transform_set(ctx: RenderContext, args: dict[str, str]) -> str:
    """Every configured transform set, in configuration order."""
    return "\n".join(line for ts in ctx.device.transform_sets for line in transform_set_lines(ts))


VARIANTS: dict[str, Renderer] = {
    "show isakmp policy": show_isakmp_policy,
    "show crypto ipsec transform-set": show_crypto_ipsec_transform_set,
    "show route": routes.pix6_show_route,
}
