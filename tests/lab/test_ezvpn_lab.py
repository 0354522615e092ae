"""Lab side of issue 10: Easy VPN clients and crypto logging state (no network needed).

Scenario mistakes name file, line and field; a client's connected/disconnected state and
its log lines follow the clock and the `crypto logging` state of the device.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest

from ipsec_ops.errors import InputFileError
from ipsec_ops.lab import ezvpn, syslog
from ipsec_ops.lab.engine import Engine
from ipsec_ops.lab.render import ios_config, ios_system
from ipsec_ops.lab.render.base import context_for
from ipsec_ops.lab.scenario import load_scenario
from ipsec_ops.lab.timeline import FLAP_PERIOD_S, FLAP_UP_S

BASE = """\
name: t
devices:
  ra:
    platform: cisco_ios
    interfaces:
      - {name: Gi0/0, address: 198.51.100.20/24}
    ezvpn:
      interface: Gi0/0
      clients:
"""


@pytest.mark.parametrize(
    ("client", "field", "problem"),
    [
        ("{username: a, group: G, public: 203.0.113.1, assigned: 10.9.0.1, mode: l2tp}",
         "devices.ra.ezvpn.clients.0.mode", "unknown mode 'l2tp'"),
        ("{username: a, group: G, public: 203.0.113.1, assigned: 10.9.0.1, "
         "mode: network-extension}", "devices.ra.ezvpn.clients.0.network", "needs its network"),
        ("{username: a, group: G, public: nowhere, assigned: 10.9.0.1}",
         "devices.ra.ezvpn.clients.0.public", "bad value"),
        ("{username: a, group: G, public: 203.0.113.1, assigned: 10.9.0.1, faults: [hang]}",
         "devices.ra.ezvpn.clients.0.faults", "hang"),
    ],
)  # fmt: skip
def test_client_mistakes_name_the_field(
    tmp_path: Path, client: str, field: str, problem: str
) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(BASE + f"        - {client}\n")
    with pytest.raises(InputFileError) as err:
        load_scenario(str(path))
    assert err.value.field == field and problem in err.value.problem
    assert err.value.line == 10


def test_unknown_interface_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(BASE.replace("interface: Gi0/0", "interface: Gi0/9") + "        []\n")
    with pytest.raises(InputFileError, match=r"ezvpn\.interface: no interface named 'Gi0/9'"):
        load_scenario(str(path))


def test_flapping_client_connects_and_drops_on_the_cycle(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    client = "{username: c, group: G, public: 203.0.113.4, assigned: 10.9.0.4, connected_s: 0"
    path.write_text(BASE + f"        - {client}, faults: [flapping]}}\n")
    engine = Engine(load_scenario(str(path)))
    device = engine.scenario.device("ra")
    start = engine.start
    (s,) = ezvpn.sessions(device, start, start + 10)
    assert s.up and s.since == start
    (s,) = ezvpn.sessions(device, start, start + FLAP_UP_S + 1)
    assert not s.up
    kinds = [e.kind for e in ezvpn.events(device, start, start + 2 * FLAP_PERIOD_S)]
    assert kinds == ["up", "down", "up", "down", "up"]


def test_ezvpn_lines_follow_crypto_logging_ezvpn() -> None:
    engine = Engine(load_scenario("default"))
    ctx = context_for(engine, "ra-hub")
    device = ctx.device
    # ra-hub turns `crypto logging ezvpn` on in the scenario: connects inside the lab's
    # window (bob connected 420 s before start) are in the buffer, with his fields.
    bob = next(c for c in device.ezvpn_clients if c.username == "bob")
    log = ios_system.show_logging(ctx, {})
    assert ezvpn.connection_line(device, bob, True) in log
    assert f"Assigned_client_addr={bob.assigned}" in log
    # Turned off since before anything happened: neither the ezvpn line nor the
    # session line (crypto logging session off too).
    for feature in ("ezvpn", "session"):
        syslog.set_on(ctx.state.log_off, feature, False, engine.start - 10_000)
    quiet = ios_system.show_logging(ctx, {})
    assert "EZVPN_CONNECTION" not in quiet and "SESSION_STATUS" not in quiet
    assert "crypto logging" not in ios_config.show_running_config(ctx, {})


def test_client_for_finds_by_public_address() -> None:
    device = load_scenario("default").device("ra-hub")
    first = device.ezvpn_clients[0]
    assert ezvpn.client_for(device, first.public) == first
    assert ezvpn.client_for(device, ipaddress.IPv4Address("192.0.2.1")) is None
