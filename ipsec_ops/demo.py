"""``make demo``: start the default lab and show netmiko sessions against it.

Until the health report exists this is the tour: the lab's devices answer real
SSH (telnet for PIX 6) with host keys checked, and print their IKE state in
their own words.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from netmiko import ConnectHandler

from ipsec_ops.lab.runtime import Endpoint, Lab
from ipsec_ops.lab.scenario import load_scenario
from ipsec_ops.platforms import family

# The IKE table each family shows (reference section 4.6).
IKE_COMMAND = {
    "ios15": "show crypto isakmp sa",
    "xe17": "show crypto ikev2 sa",
    "asa9": "show crypto ikev1 sa",
    "asa8.2": "show crypto isakmp sa",
    "pix7": "show crypto isakmp sa",
    "pix6.3": "show crypto isakmp sa",
}


def _session(endpoint: Endpoint, known_hosts: Path) -> str:
    fam = family(endpoint.family)
    params = {
        "device_type": fam.netmiko_type,
        "host": endpoint.host,
        "port": endpoint.port,
        "username": endpoint.username,
        "password": endpoint.password,
        "secret": endpoint.enable_secret,
    }
    if fam.transport == "ssh":
        params.update(
            ssh_strict=True,
            system_host_keys=False,
            alt_host_keys=True,
            alt_key_file=str(known_hosts),
        )
    conn = ConnectHandler(**params)
    try:
        conn.enable()
        if fam.transport == "telnet":
            conn.send_command(fam.paging_off)
        command = IKE_COMMAND.get(endpoint.family, "show crypto isakmp sa")
        output = conn.send_command(command)
        return f"{conn.find_prompt()}{command}\n{output}"
    finally:
        conn.disconnect()


def main() -> int:
    scenario = load_scenario("default")
    with tempfile.TemporaryDirectory() as tmp, Lab(scenario) as lab:
        inventory = lab.write_inventory(Path(tmp))
        print(f"Lab '{scenario.name}' is up: {len(lab.endpoints)} devices on loopback")
        for e in lab.endpoints:
            print(f"  {e.name:9} {e.platform:10} {e.family:7} {e.transport:6} {e.host}:{e.port}")
        print()
        for e in lab.endpoints:
            print(f"== {e.name} ({e.family}) over {e.transport}, host key checked ==")
            print(_session(e, inventory / "known_hosts"))
            print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
