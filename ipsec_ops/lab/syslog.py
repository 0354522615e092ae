"""Crypto logging on lab devices: which features are on, when, and the config lines that set them.

A device logs a tunnel event only if the feature that writes it was on at the instant of
the event, as a real logging buffer keeps what was logged then (turning the feature on later
does not fill the past in). The state is a list of *off* windows per key, kept in
``DeviceState.log_off``: ``session`` and ``ezvpn`` on IOS (``crypto logging session|ezvpn``),
one key per message id on ASA (``asa:713119``: ``no logging message 713119``).

Which release has which feature is the platforms table's data (``Family.logging``); the lab
refuses the configuration line on a release without it, as IOS does (invalid input).
"""

from __future__ import annotations

import math
import re

from ipsec_ops.lab.config import Device
from ipsec_ops.platform_actions import ASA_TUNNEL_MESSAGES, has_logging_feature
from ipsec_ops.platforms import family

Windows = dict[str, list[list[float]]]


def supported(device: Device, feature: str) -> bool:
    """Whether the device's release has the crypto logging ``feature``."""
    syntax = family(device.family).logging
    if syntax is None or feature not in syntax.features:
        return False
    return has_logging_feature(syntax.features[feature], device.version)


def initial_windows(device: Device) -> Windows:
    """Off windows at boot: a feature the scenario does not turn on is off since forever."""
    on = {"session": device.crypto_logging, "ezvpn": device.crypto_logging_ezvpn}
    out: Windows = {}
    for feature, wanted in on.items():
        if not (wanted and supported(device, feature)):
            out[feature] = [[-math.inf, math.inf]]
    return out


def is_on(windows: Windows, key: str, at: float) -> bool:
    """Whether ``key`` was logging at instant ``at``.

    >>> w = {"session": [[-math.inf, 100.0]]}
    >>> is_on(w, "session", 50.0), is_on(w, "session", 150.0), is_on(w, "ezvpn", 1.0)
    (False, True, True)
    """
    return not any(a <= at < b for a, b in windows.get(key, ()))


def set_on(windows: Windows, key: str, on: bool, at: float) -> None:
    """Turn ``key`` on or off from instant ``at`` on.

    >>> w: Windows = {}
    >>> set_on(w, "session", False, 10.0); set_on(w, "session", True, 20.0); w
    {'session': [[10.0, 20.0]]}
    >>> is_on(w, "session", 15.0), is_on(w, "session", 25.0)
    (False, True)
    """
    spans = windows.setdefault(key, [])
    open_span = next((s for s in spans if s[1] == math.inf), None)
    if on and open_span is not None:
        open_span[1] = at
    elif not on and open_span is None:
        spans.append([at, math.inf])


def on_now(windows: Windows, key: str) -> bool:
    """Whether ``key`` is on now (no open off window)."""
    return not any(b == math.inf for _, b in windows.get(key, ()))


_ASA_ID = re.compile(r"%(?:ASA|PIX)-\d-(\d{6}):")


def asa_line_logged(windows: Windows, line: str, at: float) -> bool:
    """Whether an ASA message line reached the buffer (its id not silenced at ``at``).

    >>> w: Windows = {"asa:713119": [[0.0, math.inf]]}
    >>> asa_line_logged(w, "%ASA-5-713119: Group = x, PHASE 1 COMPLETED", 5.0)
    False
    >>> asa_line_logged(w, "%ASA-5-713120: Group = x, PHASE 2 COMPLETED", 5.0)
    True
    """
    m = _ASA_ID.search(line)
    return m is None or is_on(windows, f"asa:{m.group(1)}", at)


def ios_config_lines(windows: Windows) -> list[str]:
    """``crypto logging ...`` lines of the running config, from the current state."""
    return [f"crypto logging {f}" for f in ("session", "ezvpn") if on_now(windows, f)]


def asa_config_lines(windows: Windows) -> list[str]:
    """``no logging message N`` lines for the tunnel ids silenced now."""
    return [
        f"no logging message {n}" for n in ASA_TUNNEL_MESSAGES if not on_now(windows, f"asa:{n}")
    ]
